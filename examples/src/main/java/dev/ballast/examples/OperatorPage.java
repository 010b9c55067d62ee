package dev.ballast.examples;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.Switchboard;

/**
 * The HTML of the operator page: the switches and their buttons; refreshes itself every 2 s. Each button
 * is a form that posts the run's token with it ({@link OperatorGuard}).
 */
final class OperatorPage {

  private OperatorPage() {}

  static String render(Switchboard board, String token) {
    StringBuilder html = new StringBuilder(4096);
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">")
        .append("<title>Ballast demo: operator page</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.degraded{background:#fde2c8}")
        .append("form{display:inline}</style></head><body><h1>Storefront switchboard</h1>");
    if (board == null) {
      html.append("<p>No switchboard right now: the run without Ballast has none. The switches appear when the run ")
          .append("with Ballast starts.</p>");
    } else {
      html.append("<p>Switchboard <b>").append(Html.escape(board.name())).append("</b>, shared by both instances ")
          .append("through Redis. State: <b>").append(Html.escape(BallastDeployment.describe(board)))
          .append("</b></p><table><tr><th>switch</th><th>position</th><th>origin</th><th>who</th><th>why</th>")
          .append("<th>since</th><th></th></tr>");
      for (Switch s : board.switches()) {
        String id = s.name().id();
        html.append("<tr class=\"").append(s.degraded() ? "degraded" : "").append("\" id=\"").append(Html.escape(id))
            .append("\"><td>").append(Html.escape(id)).append("</td><td>").append(s.on() ? "on" : "off")
            .append("</td><td>").append(s.origin().name().toLowerCase(java.util.Locale.ROOT)).append("</td><td>")
            .append(Html.escape(s.who())).append("</td><td>").append(Html.escape(s.why())).append("</td><td>")
            .append(s.since()).append("</td><td>")
            .append(button(id, "on=true", "turn on", token)).append(button(id, "on=false", "turn off", token))
            .append(button(id, "release=true", "release", token)).append("</td></tr>");
      }
      html.append("</table><p>Manual settings win over modes and triggers until released.</p>");
    }
    html.append("<p><a href=\"/metrics\">/metrics</a> (Prometheus)</p></body></html>");
    return html.toString();
  }

  private static String button(String id, String query, String label, String token) {
    return "<form method=\"post\" action=\"/switches/" + Html.escape(id) + "?" + query + "\">"
        + "<input type=\"hidden\" name=\"token\" value=\"" + Html.escape(token) + "\"><button>" + label
        + "</button></form> ";
  }
}
