package dev.ballast.examples;

import java.util.Locale;

/** Escaping for the report and the operator page: HTML text and attributes, and JSON inside a script. */
final class Html {

  /** What a character becomes, or null to keep it. */
  @FunctionalInterface
  private interface Replacement {
    String of(char c);
  }

  private Html() {}

  /** {@code text} as HTML text or a quoted attribute value; null becomes "". */
  static String escape(String text) {
    return replace(text, c -> switch (c) {
      case '<' -> "&lt;";
      case '>' -> "&gt;";
      case '&' -> "&amp;";
      case '"' -> "&quot;";
      case '\'' -> "&#39;";
      default -> null;
    });
  }

  /**
   * {@code json} made safe to sit inside an HTML {@code <script>} element: every {@code <}, {@code >} and
   * {@code &} becomes a JSON unicode escape, so neither {@code </script>} (which would end the element) nor
   * {@code <!--} (which puts the HTML parser in a state where the real {@code </script>} no longer ends it)
   * can appear, and so do U+2028 and U+2029 (line terminators to JavaScript before ES2019). In JSON these
   * characters occur only inside strings, where the escapes read back as the same text.
   */
  static String jsonForScript(String json) {
    return replace(json, c -> c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'
        ? String.format(Locale.ROOT, "\\u%04x", (int) c) : null);
  }

  private static String replace(String text, Replacement replacement) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replaced = replacement.of(c);
      if (replaced == null) {
        out.append(c);
      } else {
        out.append(replaced);
      }
    }
    return out.toString();
  }
}
