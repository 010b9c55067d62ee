package dev.ballast.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough RESP over a plain socket to probe and administer a server we launched, so readiness checks
 * need no client library, no connection pool and no reconnect logic.
 *
 * <p>Replies are returned as text: a simple string or error as its whole line ({@code +PONG}, {@code
 * -LOADING ...}), a bulk string as its content. {@link #callList} reads a flat array of bulk strings
 * (what {@code SENTINEL MASTER} and {@code SENTINEL GET-MASTER-ADDR-BY-NAME} answer); nested arrays are
 * not supported: nothing here needs them.
 */
final class Resp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code host:port}; {@code timeout} bounds the connect and every read. */
  static Resp connect(String host, int port, Duration timeout) throws IOException {
    Socket socket = new Socket();
    try {
      int millis = Math.toIntExact(timeout.toMillis());
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      return new Resp(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends one command and returns its reply as described in the class comment. */
  String call(String... args) throws IOException {
    send(args);
    return readScalar(readLine());
  }

  /**
   * Sends one command whose reply is a flat array and returns its elements; an error or other scalar
   * reply comes back as a one-element list holding it, a null array as an empty list.
   */
  List<String> callList(String... args) throws IOException {
    send(args);
    String line = readLine();
    if (!line.startsWith("*")) {
      return List.of(readScalar(line));
    }
    int count = Integer.parseInt(line.substring(1));
    List<String> items = new ArrayList<>(Math.max(count, 0));
    for (int i = 0; i < count; i++) {
      items.add(readScalar(readLine()));
    }
    return items;
  }

  private void send(String... args) throws IOException {
    StringBuilder request = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    out.write(request.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private String readScalar(String line) throws IOException {
    if (!line.startsWith("$")) {
      return line;
    }
    int length = Integer.parseInt(line.substring(1));
    if (length < 0) {
      return "";
    }
    byte[] body = in.readNBytes(length + 2); // + CRLF
    if (body.length < length + 2) {
      throw new IOException("connection closed inside a bulk reply");
    }
    return new String(body, 0, length, StandardCharsets.UTF_8);
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a full reply line");
      }
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      previous = b;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
