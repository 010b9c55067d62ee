package dev.ballast.spring;

import dev.ballast.core.Registry;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The switchboards of a registry as plain maps for the actuator, and the flips an operator may make. A class of
 * its own so the degradation module is loaded only when it is on the class path.
 */
final class SwitchboardView {

  private SwitchboardView() {}

  static Map<String, Object> all(Registry registry) {
    Map<String, Object> boards = new LinkedHashMap<>();
    for (String name : registry.namesOf(Switchboard.class)) {
      boards.put(name, of(registry.get(name, Switchboard.class)));
    }
    return boards;
  }

  /** Degraded switches and active modes per switchboard, for health details. */
  static Map<String, Object> degraded(Registry registry) {
    Map<String, Object> boards = new LinkedHashMap<>();
    for (String name : registry.namesOf(Switchboard.class)) {
      Switchboard board = registry.get(name, Switchboard.class);
      List<String> degraded = new ArrayList<>();
      for (Switch s : board.switches()) {
        if (s.degraded()) {
          degraded.add(s.name().id());
        }
      }
      if (!degraded.isEmpty() || !board.activeModes().isEmpty()) {
        boards.put(name, Map.of("degraded", degraded, "modes", List.copyOf(board.activeModes())));
      }
    }
    return boards;
  }

  static Map<String, Object> of(Switchboard board) {
    List<Map<String, Object>> switches = new ArrayList<>();
    for (Switch s : board.switches()) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("name", s.name().id());
      view.put("on", s.on());
      view.put("degraded", s.degraded());
      view.put("origin", String.valueOf(s.origin()));
      view.put("who", s.who());
      view.put("why", s.why());
      view.put("since", String.valueOf(s.since()));
      switches.add(view);
    }
    List<Map<String, Object>> triggers = new ArrayList<>();
    for (Trigger t : board.triggers()) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("name", t.name());
      view.put("signal", String.valueOf(t.signal()));
      view.put("enterThreshold", t.enterThreshold());
      view.put("exitThreshold", t.exitThreshold());
      view.put("minDwell", String.valueOf(t.minDwell()));
      triggers.add(view);
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("modes", List.copyOf(board.activeModes()));
    view.put("switches", switches);
    view.put("triggers", triggers);
    return view;
  }

  /**
   * Flips one switch of the switchboard named {@code board}.
   *
   * @throws IllegalArgumentException if there is no such switchboard or switch
   */
  static Map<String, Object> flip(Registry registry, String board, String switchId, boolean degraded, String who,
      String why) {
    Switchboard switchboard = switchboard(registry, board);
    SwitchName name = SwitchName.parse(switchId);
    Reason reason = new Reason(who, why);
    if (degraded) {
      switchboard.degrade(name, reason);
    } else {
      switchboard.restore(name, reason);
    }
    return of(switchboard);
  }

  /**
   * Enters or leaves a mode of the switchboard named {@code board}.
   *
   * @throws IllegalArgumentException if there is no such switchboard or mode
   */
  static Map<String, Object> mode(Registry registry, String board, String mode, boolean enter, String who,
      String why) {
    Switchboard switchboard = switchboard(registry, board);
    if (enter) {
      switchboard.enterMode(mode, new Reason(who, why));
    } else {
      switchboard.leaveMode(mode, who);
    }
    return of(switchboard);
  }

  private static Switchboard switchboard(Registry registry, String board) {
    if (!registry.namesOf(Switchboard.class).contains(board)) {
      throw new IllegalArgumentException("no switchboard named '" + board + "'; switchboards: "
          + registry.namesOf(Switchboard.class));
    }
    return registry.get(board, Switchboard.class);
  }
}
