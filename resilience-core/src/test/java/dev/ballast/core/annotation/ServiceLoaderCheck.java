package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;

import java.util.ServiceLoader;

final class ServiceLoaderCheck {
  private ServiceLoaderCheck() {}

  static boolean coreHandlersFound() {
    return ServiceLoader.load(AnnotationHandler.Provider.class).stream()
        .anyMatch(provider -> provider.type() == CoreAnnotationHandlers.class);
  }
}
