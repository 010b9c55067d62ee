package dev.ballast.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A time-series line chart as inline SVG (no script, no external files): one line per run, the SLO as a
 * dashed red line, phase boundaries as grey lines with their names, the switchboard's flips as orange
 * lines, and the seconds in which serve-cached was on shaded. The flips' labels sit under the x axis,
 * horizontal and whole, each joined to its line by a dotted leader; labels that would overlap go to the
 * next row down ({@link #layOut}), and the chart grows by the rows it needs.
 */
final class SvgChart {

  /** One line: its legend, colour and one value per second (NaN: no point). */
  record Series(String name, String color, double[] values) {}

  /**
   * Where one flip marker's label goes.
   *
   * @param marker the marker's x
   * @param left the label's left edge
   * @param width its estimated width
   * @param row 0 for the first row under the axis
   * @param text the label
   * @param title the marker's tooltip: the time and every switch that flipped
   */
  record FlipLabel(double marker, double left, double width, int row, String text, String title) {

    double right() {
      return left + width;
    }
  }

  static final int WIDTH = 960;
  private static final int PLOT_HEIGHT = 220;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 46;
  private static final int BOTTOM = 34;
  /** Height of one row of flip labels. */
  private static final int ROW = 16;
  /** Space kept between two labels in one row. */
  private static final int GAP = 10;
  /** A generous average glyph width at font-size 11 (system-ui is narrower): estimates never undershoot. */
  private static final double CHAR_WIDTH = 6.6;

  private final String unit;
  private final boolean logScale;
  private final double yMin;
  private final double yMax;
  private final double totalSeconds;

  /**
   * @param unit the y axis' unit
   * @param logScale base-10 logarithmic y axis (for latencies spanning milliseconds to seconds)
   * @param yMin the axis' lowest value (above 0 on a log scale); lower values are drawn there
   * @param yMax the axis' highest value; higher values are drawn there
   * @param totalSeconds the x axis' length
   */
  SvgChart(String unit, boolean logScale, double yMin, double yMax, double totalSeconds) {
    this.unit = unit;
    this.logScale = logScale;
    this.yMin = yMin;
    this.yMax = yMax;
    this.totalSeconds = totalSeconds;
  }

  String render(String title, List<Series> series, double slo, String sloLabel, List<Double> phaseStarts,
      List<String> phaseNames, List<FlipLog.Flip> flips, List<double[]> shaded) {
    StringBuilder svg = new StringBuilder(16_384);
    int rows = layOut(flips).stream().mapToInt(label -> label.row() + 1).max().orElse(0);
    int height = TOP + PLOT_HEIGHT + BOTTOM + ROW * rows + (rows == 0 ? 0 : 4);
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
        .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
        .append("\" font-family=\"system-ui,sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"")
        .append(Html.escape(title)).append("\">");
    svg.append("<text x=\"").append(LEFT).append("\" y=\"14\" font-size=\"14\" font-weight=\"bold\">")
        .append(Html.escape(title)).append("</text>");
    for (double[] interval : shaded) {
      svg.append(rect(x(interval[0]), TOP, x(interval[1]) - x(interval[0]), PLOT_HEIGHT, "#dbeafe"));
    }
    axes(svg);
    for (int i = 0; i < phaseStarts.size(); i++) {
      double px = x(phaseStarts.get(i));
      svg.append(line(px, TOP, px, TOP + PLOT_HEIGHT, "#999", "4,3"));
      svg.append(text(px + 3, TOP - 4, phaseNames.get(i), "#555", 0));
    }
    double sy = y(slo);
    svg.append(line(LEFT, sy, WIDTH - RIGHT, sy, "#d62728", "6,4"));
    svg.append(text(WIDTH - RIGHT - 150, sy - 3, sloLabel, "#d62728", 0));
    for (FlipLabel label : layOut(flips)) {
      double labelY = TOP + PLOT_HEIGHT + BOTTOM + ROW * label.row() + 8;
      svg.append("<g><title>").append(Html.escape(label.title())).append("</title>");
      svg.append(line(label.marker(), TOP, label.marker(), TOP + PLOT_HEIGHT, "#ff7f0e", null));
      svg.append(line(label.marker(), TOP + PLOT_HEIGHT, label.marker(), labelY - 9, "#ff7f0e", "1,2"));
      svg.append(text(label.left(), labelY, label.text(), "#c25e00", 0)).append("</g>");
    }
    int legend = LEFT + 260;
    for (Series line : series) {
      svg.append(polyline(line));
      svg.append(rect(legend, 8, 18, 4, line.color()));
      svg.append(text(legend + 22, 14, line.name(), "#222", 0));
      legend += 150;
    }
    return svg.append("</svg>").toString();
  }

  /**
   * The flips' labels, laid out: flips within a third of a second of the first of a group (a mode's
   * switches) share one marker and one label (cut only if wider than the chart; the tooltip keeps it
   * whole); each label starts at its marker, or ends at the plot's right
   * edge if it would pass it, and takes the first row in which it keeps {@link #GAP} from the labels before
   * it.
   */
  List<FlipLabel> layOut(List<FlipLog.Flip> flips) {
    List<FlipLabel> labels = new ArrayList<>();
    List<Double> rowEnds = new ArrayList<>(); // per row, the right edge of its last label
    for (int i = 0; i < flips.size(); ) {
      double at = flips.get(i).atSeconds();
      List<String> switches = new ArrayList<>();
      for (; i < flips.size() && flips.get(i).atSeconds() - at < 0.34; i++) {
        String flip = flips.get(i).label();
        // Each feature has its own flip; a switch flapping within the group is named once per position.
        if (!flips.get(i).switchId().equals("feature:*") && !switches.contains(flip)) {
          switches.add(flip);
        }
      }
      String title = String.format(Locale.ROOT, "%.1f s: %s", at, String.join(", ", switches));
      int fits = (int) ((WIDTH - RIGHT) / CHAR_WIDTH);
      String text = title.length() <= fits ? title : title.substring(0, fits - 1) + "\u2026"; // the title has all
      double marker = x(at);
      double width = text.length() * CHAR_WIDTH;
      double left = Math.max(0, Math.min(marker, WIDTH - RIGHT - width));
      int row = 0;
      while (row < rowEnds.size() && rowEnds.get(row) + GAP > left) {
        row++;
      }
      if (row == rowEnds.size()) {
        rowEnds.add(0.0);
      }
      rowEnds.set(row, left + width);
      labels.add(new FlipLabel(marker, left, width, row, text, title));
    }
    return labels;
  }

  private void axes(StringBuilder svg) {
    svg.append(line(LEFT, TOP, LEFT, TOP + PLOT_HEIGHT, "#333", null));
    svg.append(line(LEFT, TOP + PLOT_HEIGHT, WIDTH - RIGHT, TOP + PLOT_HEIGHT, "#333", null));
    for (double tick : yTicks()) {
      double ty = y(tick);
      svg.append(line(LEFT - 4, ty, WIDTH - RIGHT, ty, "#eee", null));
      svg.append(text(4, ty + 4, format(tick) + " " + unit, "#333", 0));
    }
    int step = totalSeconds > 60 ? 10 : 5;
    for (int s = 0; s <= totalSeconds; s += step) {
      svg.append(text(x(s) - 6, TOP + PLOT_HEIGHT + 16, s + " s", "#333", 0));
    }
  }

  private double[] yTicks() {
    if (logScale) {
      int from = (int) Math.ceil(Math.log10(yMin));
      int to = (int) Math.floor(Math.log10(yMax));
      double[] ticks = new double[to - from + 1];
      for (int i = 0; i < ticks.length; i++) {
        ticks[i] = Math.pow(10, from + i);
      }
      return ticks;
    }
    double[] ticks = new double[5];
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = yMin + (yMax - yMin) * i / 4;
    }
    return ticks;
  }

  private String polyline(Series series) {
    StringBuilder points = new StringBuilder();
    for (int s = 0; s < series.values().length; s++) {
      double v = series.values()[s];
      if (!Double.isNaN(v)) {
        points.append(fmt(x(s + 0.5))).append(',').append(fmt(y(v))).append(' ');
      }
    }
    return "<polyline fill=\"none\" stroke=\"" + series.color() + "\" stroke-width=\"2\" points=\"" + points + "\"/>";
  }

  private double x(double second) {
    return LEFT + (WIDTH - LEFT - RIGHT) * Math.min(1, Math.max(0, second / totalSeconds));
  }

  private double y(double value) {
    double clamped = Math.max(yMin, Math.min(yMax, value));
    double share = logScale
        ? (Math.log10(clamped) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))
        : (clamped - yMin) / (yMax - yMin);
    return TOP + PLOT_HEIGHT * (1 - share);
  }

  private static String line(double x1, double y1, double x2, double y2, String color, String dash) {
    return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2)
        + "\" stroke=\"" + color + "\" stroke-width=\"1\"" + (dash == null ? "" : " stroke-dasharray=\"" + dash + "\"")
        + "/>";
  }

  private static String rect(double x, double y, double width, double height, String color) {
    return "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"" + fmt(width) + "\" height=\"" + fmt(height)
        + "\" fill=\"" + color + "\"/>";
  }

  private static String text(double x, double y, String text, String color, int rotate) {
    String transform = rotate == 0 ? "" : " transform=\"rotate(" + rotate + " " + fmt(x) + " " + fmt(y) + ")\"";
    return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" fill=\"" + color + "\"" + transform + ">"
        + Html.escape(text) + "</text>";
  }

  private static String format(double tick) {
    return tick == Math.rint(tick) ? String.valueOf((long) tick) : String.format(Locale.ROOT, "%.1f", tick);
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
