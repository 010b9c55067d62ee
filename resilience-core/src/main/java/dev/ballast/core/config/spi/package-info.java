/**
 * The configuration SPI: what a module implements to read its own top-level section of a Ballast
 * configuration file. A module lists its {@link dev.ballast.core.config.spi.ConfigSection}s in
 * {@code META-INF/services/dev.ballast.core.config.spi.ConfigSection}; a section reads
 * {@link dev.ballast.core.config.spi.ConfigNode}s (which only the loader creates) and registers what it builds.
 * Applications load configurations with {@link dev.ballast.core.config.Configuration} and need nothing here.
 */
@NullMarked
package dev.ballast.core.config.spi;

import org.jspecify.annotations.NullMarked;
