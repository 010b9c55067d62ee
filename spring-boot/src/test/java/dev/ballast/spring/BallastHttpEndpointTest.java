package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The endpoint over real HTTP (an embedded Tomcat on a random port): reads work once the endpoint is exposed;
 * writes are refused unless the application grants {@code management.endpoint.ballast.access=unrestricted}; with
 * Spring Security, a write needs an authorized user. These are the settings spring-boot/README.md documents.
 */
class BallastHttpEndpointTest {

  private static final String FLIP_READ_ONLY = "{\"switchboard\":\"switchboard\",\"switchName\":\"read-only\","
      + "\"degraded\":true,\"who\":\"alice\",\"why\":\"failover drill\"}";
  private static final String[] COMMON = {
      "server.port=0", "management.endpoints.web.exposure.include=health,ballast",
      "ballast.switchboard.name=storefront", "ballast.switchboard.redis=false",
      "ballast.circuitBreakers.payments.minimumCalls=5"};
  /** Spring Security's auto-configuration, left out where a test runs without it (it is on this class path). */
  private static final String NO_SECURITY = "spring.autoconfigure.exclude="
      + "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void readsWorkAndWritesAreRefusedUntilTheApplicationGrantsUnrestrictedAccess() throws Exception {
    try (ConfigurableApplicationContext context = start(App.class, NO_SECURITY)) {
      HttpResponse<String> read = send(context, "GET", "/actuator/ballast", null, null);
      assertThat(read.statusCode()).isEqualTo(200);
      JsonNode view = json.readTree(read.body());
      assertThat(view.at("/circuitBreakers/payments").asText()).isEqualTo("CLOSED");
      assertThat(view.at("/switchboards/switchboard/switches").findValuesAsText("name")).contains("read-only");

      HttpResponse<String> write = send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY, null);
      // Read-only access maps no write operation: the path answers GET only.
      assertThat(write.statusCode()).isEqualTo(405);
      assertThat(switchboard(context).isReadOnly()).isFalse();
    }

    try (ConfigurableApplicationContext context = start(App.class, NO_SECURITY,
        "management.endpoint.ballast.access=unrestricted")) {
      HttpResponse<String> write = send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY, null);
      assertThat(write.statusCode()).isEqualTo(200);
      assertThat(switchboard(context).isReadOnly()).isTrue();
      assertThat(json.readTree(write.body()).at("/switches").findValuesAsText("who")).contains("alice");
      // Nobody signed in: the body's "who" is the only name there is, and it is required.
      HttpResponse<String> nobody = send(context, "POST", "/actuator/ballast",
          FLIP_READ_ONLY.replace("\"who\":\"alice\",", ""), null);
      assertThat(nobody.statusCode()).isEqualTo(400);

      HttpResponse<String> unknown = send(context, "POST", "/actuator/ballast",
          FLIP_READ_ONLY.replace("read-only", "no-such-switch"), null);
      assertThat(unknown.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void withSpringSecurityAWriteNeedsAnAuthorizedUser() throws Exception {
    try (ConfigurableApplicationContext context = start(SecuredApp.class,
        "management.endpoint.ballast.access=unrestricted")) {
      assertThat(send(context, "GET", "/actuator/ballast", null, null).statusCode()).isEqualTo(401);
      assertThat(send(context, "GET", "/actuator/ballast", null, "viewer:viewer-secret").statusCode())
          .isEqualTo(200);

      assertThat(send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY, null).statusCode()).isEqualTo(401);
      assertThat(send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY, "viewer:viewer-secret").statusCode())
          .isEqualTo(403);
      assertThat(send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY, "operator:wrong").statusCode())
          .isEqualTo(401);
      assertThat(switchboard(context).isReadOnly()).isFalse();

      HttpResponse<String> write = send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY,
          "operator:operator-secret");
      assertThat(write.statusCode()).isEqualTo(200);
      assertThat(switchboard(context).isReadOnly()).isTrue();
      // The signed-in user is who flipped it, whatever the body claims; the body's "who" stays in the why.
      JsonNode readOnly = readOnlySwitch(json.readTree(write.body()));
      assertThat(readOnly.get("who").asText()).isEqualTo("operator");
      assertThat(readOnly.get("why").asText()).contains("failover drill").contains("alice");

      // Signed in, the body needs no "who" at all.
      HttpResponse<String> anonymousBody = send(context, "POST", "/actuator/ballast",
          FLIP_READ_ONLY.replace("\"who\":\"alice\",", "").replace("true", "false"), "operator:operator-secret");
      assertThat(anonymousBody.statusCode()).isEqualTo(200);
      assertThat(switchboard(context).isReadOnly()).isFalse();
      JsonNode restored = readOnlySwitch(json.readTree(anonymousBody.body()));
      assertThat(restored.get("who").asText()).isEqualTo("operator");
      assertThat(restored.get("why").asText()).isEqualTo("failover drill");
    }

    // Spring Boot's own security, without a chain of the application's: reads need a user, and its CSRF
    // protection refuses every write, even with a user's credentials.
    try (ConfigurableApplicationContext context = start(App.class, "management.endpoint.ballast.access=unrestricted",
        "spring.security.user.name=ops", "spring.security.user.password=ops-secret")) {
      assertThat(send(context, "GET", "/actuator/ballast", null, null).statusCode()).isEqualTo(401);
      assertThat(send(context, "GET", "/actuator/ballast", null, "ops:ops-secret").statusCode()).isEqualTo(200);
      // No CSRF token: refused before the credentials are read, so it is 401 even with the right ones.
      assertThat(send(context, "POST", "/actuator/ballast", FLIP_READ_ONLY, "ops:ops-secret").statusCode())
          .isEqualTo(401);
      assertThat(switchboard(context).isReadOnly()).isFalse();
    }
  }

  private static ConfigurableApplicationContext start(Class<?> app, String... properties) {
    String[] all = new String[COMMON.length + properties.length];
    System.arraycopy(COMMON, 0, all, 0, COMMON.length);
    System.arraycopy(properties, 0, all, COMMON.length, properties.length);
    return new SpringApplicationBuilder(app).properties(all).run();
  }

  private static JsonNode readOnlySwitch(JsonNode board) {
    for (JsonNode s : board.at("/switches")) {
      if ("read-only".equals(s.path("name").asText())) {
        return s;
      }
    }
    throw new AssertionError("no read-only switch in " + board);
  }

  private static Switchboard switchboard(ConfigurableApplicationContext context) {
    return context.getBean(Registry.class).get("switchboard", Switchboard.class);
  }

  private HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
      @Nullable String body, @Nullable String user) throws IOException, InterruptedException {
    String port = context.getEnvironment().getRequiredProperty("local.server.port");
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (user != null) {
      request.header("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An application with the starter, Spring MVC and the actuator. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  /**
   * The same with the security Spring Boot's reference documents for actuator endpoints: reads for any signed-in
   * user, writes for the {@code BALLAST_OPERATOR} role, HTTP Basic, and no CSRF token on the endpoint (its
   * clients are scripts, not browsers).
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class SecuredApp {

    @Bean
    SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
      http.securityMatcher(EndpointRequest.toAnyEndpoint());
      http.authorizeHttpRequests(requests -> requests
          .requestMatchers(HttpMethod.GET, "/actuator/**").authenticated()
          .requestMatchers(EndpointRequest.to(BallastEndpoint.class)).hasRole("BALLAST_OPERATOR")
          .anyRequest().denyAll());
      http.httpBasic(Customizer.withDefaults());
      http.csrf(csrf -> csrf.ignoringRequestMatchers(EndpointRequest.to(BallastEndpoint.class)));
      return http.build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("viewer").password("{noop}viewer-secret").roles("VIEWER").build(),
          User.withUsername("operator").password("{noop}operator-secret").roles("BALLAST_OPERATOR").build());
    }
  }
}
