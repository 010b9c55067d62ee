package dev.ballast.degradation;

import dev.ballast.core.CallRejectedException;

/**
 * Thrown by {@link Switchboard#guardWrite} while read-only mode is on: the write was refused before it
 * started. Its message says since when, set by whom and why, e.g. {@code "write 'place-order' refused:
 * read-only mode is on in switchboard 'shop' since 2026-11-23T21:30:00Z, set by alice (manual): db
 * failover"}. Like every {@link CallRejectedException} it carries no stack trace.
 */
public final class ReadOnlyModeException extends CallRejectedException {

  private static final long serialVersionUID = 1L;

  private final transient Switch readOnly;
  private final String operation;

  /**
   * @param switchboard the switchboard's name
   * @param operation the refused write, as the caller named it
   * @param readOnly the read-only switch as it was when the write was refused
   */
  public ReadOnlyModeException(String switchboard, String operation, Switch readOnly) {
    super(switchboard, "write '" + operation + "' refused: read-only mode is on in switchboard '" + switchboard
        + "' since " + readOnly.since() + ", set by " + readOnly.who() + " ("
        + readOnly.origin().name().toLowerCase(java.util.Locale.ROOT) + "): " + readOnly.why());
    this.readOnly = readOnly;
    this.operation = operation;
  }

  /** The read-only switch when the write was refused: who set it, why, since when. */
  public Switch readOnlySwitch() {
    return readOnly;
  }

  /** The refused operation's name. */
  public String operation() {
    return operation;
  }
}
