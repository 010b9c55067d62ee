/**
 * Loading Ballast configuration files and presets into a {@link dev.ballast.core.Registry}: start with
 * {@link dev.ballast.core.config.Configuration}. Non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.ballast.core.config;

import org.jspecify.annotations.NullMarked;
