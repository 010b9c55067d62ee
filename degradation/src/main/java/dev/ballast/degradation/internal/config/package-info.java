/**
 * The {@code switchboard} configuration section; not an API, may change in any release. The section
 * class is public only because {@link java.util.ServiceLoader} instantiates it.
 */
package dev.ballast.degradation.internal.config;
