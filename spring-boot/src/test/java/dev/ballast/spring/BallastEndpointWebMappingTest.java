package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.MissingParametersException;
import org.springframework.boot.actuate.endpoint.invoke.convert.ConversionServiceParameterValueMapper;
import org.springframework.boot.actuate.endpoint.web.EndpointMediaTypes;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpointDiscoverer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The endpoint as the HTTP layer sees it: Spring Boot's web endpoint discovery maps each operation to a method and
 * path without a clash, and invoking an operation with the arguments a JSON body gives (optional ones left out)
 * reaches the right method. (No web server in this build: the discovery and invocation are what it would use.)
 */
class BallastEndpointWebMappingTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
      .withPropertyValues("management.endpoints.web.exposure.include=ballast", "ballast.switchboard.redis=false",
          "ballast.queues.jobs.redis=false");

  @Test
  @SuppressWarnings("unchecked")
  void everyOperationHasItsOwnPathAndTakesItsArgumentsByName() {
    runner.run(context -> {
      ExposableWebEndpoint endpoint = new WebEndpointDiscoverer(context, new ConversionServiceParameterValueMapper(),
          EndpointMediaTypes.DEFAULT, List.of(), List.of(), List.of(), List.of(), List.of()).getEndpoints().stream()
          .filter(e -> e.getEndpointId().toString().equals("ballast")).findFirst().orElseThrow();
      assertThat(endpoint.getOperations()).extracting(BallastEndpointWebMappingTest::route)
          .containsExactlyInAnyOrder("GET ballast", "GET ballast/{queue}", "POST ballast", "POST ballast/{queue}");

      Map<String, Object> queue = (Map<String, Object>) operation(endpoint, "GET ballast/{queue}")
          .invoke(arguments(Map.of("queue", "jobs")));
      assertThat(queue).containsEntry("dead", 0L).containsKey("deadLetters");
      Map<String, Object> purged = (Map<String, Object>) operation(endpoint, "POST ballast/{queue}")
          .invoke(arguments(Map.of("queue", "jobs", "action", "purge"))); // no id: optional
      assertThat(purged).containsEntry("purged", 0L);

      operation(endpoint, "POST ballast").invoke(arguments(Map.of("switchboard", "switchboard",
          "switchName", "read-only", "degraded", true, "who", "alice", "why", "failover"))); // no mode: optional
      assertThat(context.getBean(Registry.class).get("switchboard", Switchboard.class).isReadOnly()).isTrue();

      assertThatThrownBy(() -> operation(endpoint, "POST ballast/{queue}").invoke(arguments(Map.of("queue", "jobs"))))
          .isInstanceOf(MissingParametersException.class).hasMessageContaining("action");
    });
  }

  private static String route(WebOperation operation) {
    return operation.getRequestPredicate().getHttpMethod() + " " + operation.getRequestPredicate().getPath();
  }

  private static WebOperation operation(ExposableWebEndpoint endpoint, String route) {
    return endpoint.getOperations().stream().filter(o -> route(o).equals(route)).findFirst().orElseThrow();
  }

  private static InvocationContext arguments(Map<String, Object> arguments) {
    return new InvocationContext(SecurityContext.NONE, arguments);
  }
}
