package io.zto.simulator;

import java.util.List;
import java.util.Locale;

/**
 * Small SVG charts for the self-contained simulation report: no script, no external resource, so the
 * HTML file can be mailed, archived or opened offline. Lines over time, grouped bars, horizontal bars.
 */
final class SvgChart {

  static final int WIDTH = 760;
  static final int HEIGHT = 300;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 36;
  private static final int BOTTOM = 48;
  static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};

  /** A named line: points of (x, y). */
  record Series(String name, List<double[]> points) {}

  /** A named group of bars, one value per category. */
  record Bars(String name, double[] values) {}

  private SvgChart() {}

  /** Lines against x (seconds since the start). */
  static String lines(String title, String xLabel, String yLabel, List<Series> series) {
    double maxX = 1;
    double maxY = 0;
    for (Series s : series) {
      for (double[] p : s.points()) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    double top = niceCeiling(maxY);
    double right = niceCeiling(maxX);
    StringBuilder svg = open(title);
    axes(svg, top, yLabel);
    xTicks(svg, right, xLabel);
    for (int i = 0; i < series.size(); i++) {
      StringBuilder path = new StringBuilder();
      for (double[] p : series.get(i).points()) {
        path.append(path.length() == 0 ? "M" : " L").append(fmt(x(p[0], right))).append(',').append(fmt(y(p[1], top)));
      }
      if (path.length() > 0) {
        svg.append("<path class=\"series\" fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(color(i))
            .append("\" d=\"").append(path).append("\"/>\n");
      }
    }
    legend(svg, series.stream().map(Series::name).toList());
    return svg.append("</svg>\n").toString();
  }

  /** Vertical bars grouped by category (e.g. p50/p95/p99/max per phase). */
  static String groupedBars(String title, String yLabel, List<String> categories, List<Bars> groups) {
    double maxY = 0;
    for (Bars bars : groups) {
      for (double v : bars.values()) {
        maxY = Math.max(maxY, v);
      }
    }
    double top = niceCeiling(maxY);
    StringBuilder svg = open(title);
    axes(svg, top, yLabel);
    double plotWidth = WIDTH - LEFT - RIGHT;
    double slot = plotWidth / Math.max(1, categories.size());
    double bar = slot * 0.8 / Math.max(1, groups.size());
    for (int c = 0; c < categories.size(); c++) {
      double x0 = LEFT + c * slot + slot * 0.1;
      for (int g = 0; g < groups.size(); g++) {
        double value = groups.get(g).values()[c];
        double yTop = y(value, top);
        svg.append("<rect class=\"bar\" x=\"").append(fmt(x0 + g * bar)).append("\" y=\"").append(fmt(yTop))
            .append("\" width=\"").append(fmt(bar - 1)).append("\" height=\"").append(fmt(HEIGHT - BOTTOM - yTop))
            .append("\" fill=\"").append(color(g)).append("\"><title>").append(escape(categories.get(c) + " "
                + groups.get(g).name() + ": " + fmt(value) + " " + yLabel)).append("</title></rect>\n");
      }
      text(svg, LEFT + c * slot + slot / 2, HEIGHT - BOTTOM + 16, "middle", categories.get(c));
    }
    legend(svg, groups.stream().map(Bars::name).toList());
    return svg.append("</svg>\n").toString();
  }

  /** One horizontal bar per label (e.g. failures by reason), longest label space on the left. */
  static String horizontalBars(String title, List<String> labels, double[] values) {
    int height = TOP + 26 * Math.max(1, labels.size()) + 20;
    double max = 0;
    for (double v : values) {
      max = Math.max(max, v);
    }
    double top = niceCeiling(max);
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH).append("\" height=\"")
        .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\">\n");
    text(svg, WIDTH / 2.0, 20, "middle", title);
    double barLeft = WIDTH * 0.5;
    for (int i = 0; i < labels.size(); i++) {
      double yTop = TOP + i * 26;
      String label = labels.get(i).length() > 70 ? labels.get(i).substring(0, 67) + "..." : labels.get(i);
      text(svg, barLeft - 6, yTop + 14, "end", label);
      double width = (WIDTH - barLeft - 60) * values[i] / top;
      svg.append("<rect class=\"bar\" x=\"").append(fmt(barLeft)).append("\" y=\"").append(fmt(yTop))
          .append("\" width=\"").append(fmt(width)).append("\" height=\"18\" fill=\"").append(color(3))
          .append("\"><title>").append(escape(labels.get(i))).append("</title></rect>\n");
      text(svg, barLeft + width + 4, yTop + 14, "start", fmt(values[i]));
    }
    return svg.append("</svg>\n").toString();
  }

  /** The axis end: a round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least {@code value}. */
  static double niceCeiling(double value) {
    if (value <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (step * power >= value * (1 - 1e-12)) {
        return Math.round(step * power * 1e6) / 1e6;
      }
    }
    return 10 * power;
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static StringBuilder open(String title) {
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    text(svg, WIDTH / 2.0, 20, "middle", title);
    return svg;
  }

  private static void axes(StringBuilder svg, double top, String yLabel) {
    for (int i = 0; i <= 4; i++) {
      double value = top * i / 4;
      double yy = y(value, top);
      svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(fmt(yy))
          .append("\" y2=\"").append(fmt(yy)).append("\" stroke=\"#ddd\"/>\n");
      text(svg, LEFT - 6, yy + 4, "end", fmt(value));
    }
    svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"").append(TOP)
        .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>\n");
    svg.append("<text x=\"14\" y=\"").append(fmt((TOP + HEIGHT - BOTTOM) / 2.0))
        .append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ").append(fmt((TOP + HEIGHT - BOTTOM) / 2.0))
        .append(")\">").append(escape(yLabel)).append("</text>\n");
  }

  private static void xTicks(StringBuilder svg, double right, String xLabel) {
    for (int i = 0; i <= 5; i++) {
      double value = right * i / 5;
      text(svg, x(value, right), HEIGHT - BOTTOM + 16, "middle", fmt(value));
    }
    svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
        .append(HEIGHT - BOTTOM).append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>\n");
    text(svg, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 10, "middle", xLabel);
  }

  private static void legend(StringBuilder svg, List<String> names) {
    double x = LEFT + 10;
    for (int i = 0; i < names.size(); i++) {
      svg.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(TOP - 4).append("\" width=\"10\" height=\"10\" fill=\"")
          .append(color(i)).append("\"/>\n");
      text(svg, x + 14, TOP + 5, "start", names.get(i));
      x += 24 + 7 * names.get(i).length();
    }
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
    svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" text-anchor=\"").append(anchor)
        .append("\">").append(escape(text)).append("</text>\n");
  }

  private static double x(double value, double right) {
    return LEFT + (WIDTH - LEFT - RIGHT) * value / right;
  }

  private static double y(double value, double top) {
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM - 12) * value / top;
  }

  private static String color(int index) {
    return COLORS[index % COLORS.length];
  }

  static String fmt(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e12) {
      return Long.toString((long) value);
    }
    return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
  }
}
