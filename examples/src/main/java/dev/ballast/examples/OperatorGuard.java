package dev.ballast.examples;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the operator page. It listens on loopback only, but the browser of whoever runs the demo also
 * runs other sites' pages: one can POST a form to it (cross-site request forgery), and one served under a
 * DNS name that its owner points at 127.0.0.1 (DNS rebinding) can read it and post to it as if it were its
 * own origin. So:
 *
 * <ul>
 *   <li>every request must name this server in {@code Host}: a loopback name and the bound port (a
 *       rebinding page sends its own name);
 *   <li>a state change must come from this page's origin when the client says where it comes from
 *       ({@code Origin}; browsers send it with every POST, {@code curl} sends none), and
 *   <li>must carry the run's token (a form field {@code token}), which only the page's own forms and the
 *       console line that gives the page's address hold: a foreign page can neither read it nor guess it.
 * </ul>
 *
 * Each check answers null (allowed) or why it refused, for the 403's body. This is no authentication:
 * anyone who can run programs on this machine can read the console. Behind a reverse proxy that
 * authenticates (examples/README.md), these checks stay as a second line. Immutable and thread-safe.
 */
final class OperatorGuard {

  /** The names a browser on this machine uses for the page. */
  private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");

  private final int port;
  private final String token;

  /**
   * @param port the port the page is bound to
   * @param token the run's token, e.g. {@link #newToken()}
   */
  OperatorGuard(int port, String token) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("OperatorGuard.port must be in 1..65535, was " + port);
    }
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException("OperatorGuard.token must have at least 16 characters");
    }
    this.port = port;
    this.token = token;
  }

  /** A fresh token: 128 random bits, URL-safe Base64 (22 characters). */
  static String newToken() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  String token() {
    return token;
  }

  /** Any request: null if its {@code Host} header names this server, else why not. */
  String refuseHost(String host) {
    if (host == null || host.isBlank()) {
      return "no Host header: this page answers only requests addressed to 127.0.0.1:" + port;
    }
    return isThisServer(host.trim()) ? null : "Host '" + host + "' is not this page's address (127.0.0.1:" + port
        + " or localhost:" + port + "): a DNS name pointed at this machine does not get in";
  }

  /**
   * A state change: null if it comes from this page's origin (or from a client that names none) and
   * carries the run's token, else why not.
   *
   * @param origin the {@code Origin} header, or null if absent
   * @param formToken the form field {@code token}, or null if absent
   */
  String refuseChange(String origin, String formToken) {
    if (origin != null && !isThisOrigin(origin.trim())) {
      return "Origin '" + origin + "' is not this page: switches change only from the operator page itself";
    }
    if (formToken == null || formToken.isEmpty()) {
      return "no token: a change needs the form field 'token' (on the page's forms, and printed on the console)";
    }
    if (!MessageDigest.isEqual(formToken.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      return "wrong token: each run of the demo has its own (printed on the console with the page's address)";
    }
    return null;
  }

  private boolean isThisServer(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon < 0 || hostAndPort.endsWith("]")) { // no port: the scheme's default, 80
      return port == 80 && LOOPBACK_NAMES.contains(hostAndPort.toLowerCase(Locale.ROOT));
    }
    String name = hostAndPort.substring(0, colon).toLowerCase(Locale.ROOT);
    return LOOPBACK_NAMES.contains(name) && hostAndPort.substring(colon + 1).equals(Integer.toString(port));
  }

  private boolean isThisOrigin(String origin) {
    URI uri;
    try {
      uri = new URI(origin); // "null" (a sandboxed or opaque origin) has no scheme and is refused
    } catch (URISyntaxException e) {
      return false;
    }
    return "http".equals(uri.getScheme()) && uri.getRawPath() != null && uri.getRawPath().isEmpty()
        && uri.getRawQuery() == null && uri.getRawUserInfo() == null && uri.getRawAuthority() != null
        && isThisServer(uri.getRawAuthority());
  }
}
