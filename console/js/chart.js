// A tiny SVG chart: bars or a line over days, drawn from numbers alone (no library, no inline
// style: the CSP forbids it; colours come from console.css). Each chart is an image with a
// text summary for screen readers, and its numbers in a table under "Show the numbers".

import { h } from "./dom.js";

const W = 320;
const H = 120;
const PAD = { top: 14, right: 6, bottom: 18, left: 6 };

function svg(tag, attrs, ...children) {
  return h(`svg:${tag}`, attrs, ...children);
}

/**
 * chart({title, points: [{label, value}], kind: "bar"|"line", format}) → <figure>.
 * `format` turns a value into text (counts, money).
 */
export function chart({ title, points, kind = "bar", format = String }) {
  const values = points.map((p) => p.value);
  const max = Math.max(0, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const top = max > 0 ? points[values.indexOf(max)] : null;
  const summary = points.length
    ? `${title}: ${points.length} days from ${points[0].label} to ${points.at(-1).label}, total ${format(total)}` +
      (top ? `, highest ${format(max)} on ${top.label}` : "")
    : `${title}: no data yet`;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const n = Math.max(points.length, 1);
  const step = innerW / n;
  const y = (v) => PAD.top + innerH - (max > 0 ? (v / max) * innerH : 0);
  const body = [];
  body.push(svg("line", { class: "axis", x1: PAD.left, x2: W - PAD.right, y1: PAD.top + innerH, y2: PAD.top + innerH }));
  if (kind === "bar") {
    points.forEach((p, i) => {
      const top = y(p.value);
      body.push(svg("rect", {
        class: "bar",
        x: (PAD.left + i * step + step * 0.15).toFixed(2),
        y: top.toFixed(2),
        width: Math.max(step * 0.7, 0.5).toFixed(2),
        height: Math.max(PAD.top + innerH - top, p.value > 0 ? 1 : 0).toFixed(2),
      }));
    });
  } else if (points.length) {
    const coords = points.map((p, i) => `${(PAD.left + i * step + step / 2).toFixed(2)},${y(p.value).toFixed(2)}`);
    body.push(svg("polyline", { class: "line", points: coords.join(" ") }));
  }
  body.push(svg("text", { class: "tick", x: PAD.left, y: 10 }, `max ${format(max)}`));
  if (points.length) {
    body.push(svg("text", { class: "tick", x: PAD.left, y: H - 4 }, points[0].label));
    body.push(svg("text", { class: "tick", x: W - PAD.right, y: H - 4, "text-anchor": "end" }, points.at(-1).label));
  }
  const picture = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary, class: `chart chart-${kind}` }, ...body);
  const table = h(
    "table",
    { class: "numbers" },
    h("caption", { class: "visually-hidden" }, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Day"), h("th", { scope: "col" }, title))),
    h("tbody", {}, points.map((p) => h("tr", {}, h("th", { scope: "row" }, p.label), h("td", {}, format(p.value))))),
  );
  return h(
    "figure",
    { class: "chart-figure" },
    h("figcaption", {}, title, h("span", { class: "chart-total" }, ` · ${format(total)}`)),
    picture,
    h("details", {}, h("summary", {}, "Show the numbers"), table),
  );
}

/** The last `days` UTC days, oldest first, as YYYY-MM-DD. */
export function lastDays(days, today = new Date()) {
  const out = [];
  const base = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  for (let i = days - 1; i >= 0; i -= 1) out.push(new Date(base - i * 86400000).toISOString().slice(0, 10));
  return out;
}
