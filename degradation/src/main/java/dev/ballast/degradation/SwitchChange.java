package dev.ballast.degradation;

/**
 * One switch changed position, origin, who or why; what {@link Switchboard.Listener}s hear.
 *
 * @param switchboard the switchboard's name
 * @param before the switch before the change
 * @param after the switch after it
 */
public record SwitchChange(String switchboard, Switch before, Switch after) {}
