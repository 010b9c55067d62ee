/**
 * A degradation switchboard: serve-cached, read-only and non-critical features off, flipped by hand, by
 * named modes or by triggers on SLO signals, shared by a fleet through Redis. Start at
 * {@link dev.ballast.degradation.Switchboard}.
 * Non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.ballast.degradation;

import org.jspecify.annotations.NullMarked;
