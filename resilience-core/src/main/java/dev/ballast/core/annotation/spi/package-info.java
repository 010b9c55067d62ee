/**
 * The annotation SPI: how a module contributes handlers for its own annotations to
 * {@link dev.ballast.core.annotation.Wrapper}. Applications need nothing here. Non-null unless marked
 * {@code @Nullable}.
 */
@NullMarked
package dev.ballast.core.annotation.spi;

import org.jspecify.annotations.NullMarked;
