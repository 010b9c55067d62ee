package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchChange;
import dev.ballast.degradation.Switchboard;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the world about each switch change: one INFO line (who, what, why), the change counter, and the
 * listeners, in order. Called by {@link BoardState} under its lock, so changes are reported in the
 * order they happened; the listener list is copy-on-write, so registering never blocks a report.
 */
final class ChangeReporter {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);

  private final String board;
  private final SwitchMeters meters;
  private final List<Switchboard.Listener> listeners = new CopyOnWriteArrayList<>();

  ChangeReporter(String board, SwitchMeters meters) {
    this.board = board;
    this.meters = meters;
  }

  void add(Switchboard.Listener listener) {
    listeners.add(listener);
  }

  void report(Switch before, Switch after) {
    SwitchChange change = new SwitchChange(board, before, after);
    log.info("switchboard {}: {} {} -> {} by {} ({}): {}", board, after.name(), before.on() ? "on" : "off",
        after.on() ? "on" : "off", after.who(), after.origin().name().toLowerCase(Locale.ROOT), after.why());
    meters.changed(after.name());
    for (Switchboard.Listener l : listeners) {
      try {
        l.onChange(change);
      } catch (RuntimeException e) {
        log.warn("switchboard {}: listener {} failed on {}", board, l, change, e);
      }
    }
  }
}
