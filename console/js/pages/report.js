// A campaign's report (#/campaigns/{id}/report): the report's figures (GET …/report), its KPIs
// with their progress, charts per day (the report's `daily` series; clicks also from …/stats),
// a per-creator table (from the campaign's attributed orders), the campaign workflow (GET
// …/workflow: periodic reports, wrap-up, open items), and CSV downloads built here from the same
// JSON. Refreshed every few seconds while the tab is visible; a section is drawn again only when
// its data changed, so an open "Show the numbers" or the focus stays put.

import * as api from "../api.js";
import { REFRESH_MS, whileVisible } from "../live.js";
import { chart, lastDays } from "../chart.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { count, day, METRICS, money, percent, time, toMajor } from "../format.js";
import { campaignHead, loadCampaign } from "../tabs.js";

const RANGES = [["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"], ["365", "Last 365 days"]];
const STAGES = {
  invite: "Invitation", negotiate: "Negotiation", contract: "Contract", onboard: "Onboarding", seeding: "Seeding",
  content: "Content", live: "Live", measure: "Measuring", close: "Closing", closed: "Closed",
};

// ---- CSV (built in the browser from the report's JSON)

/** One CSV cell: quoted when needed; text a spreadsheet would run as a formula gets a leading '. */
function cell(value) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows) {
  return `${rows.map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** Amounts in CSVs are in the currency's units with its digits ("80.00"), not minor units. */
const decimal = (minor, currency) => toMajor(minor || 0, currency);

/** Day rows: date, clicks, unique_clicks, orders, then revenue_XXX and commissions_XXX per currency. */
export function dailyCsv(series, currencies) {
  const head = ["date", "clicks", "unique_clicks", "orders", ...currencies.flatMap((c) => [`revenue_${c}`, `commissions_${c}`])];
  return toCsv([head, ...series.map((d) => [
    d.date, d.clicks, d.unique_clicks, d.orders,
    ...currencies.flatMap((c) => [decimal(d.revenue[c], c), decimal(d.commissions[c], c)]),
  ])]);
}

/** Creator rows: creator_id, creator, orders, revenue_as_ordered, currency, not_commissionable. */
export function creatorsCsv(rows) {
  const head = ["creator_id", "creator", "orders", "revenue_as_ordered", "currency", "not_commissionable"];
  return toCsv([head, ...rows.map((r) => [r.creator_id, r.name, r.orders, decimal(r.revenue, r.currency), r.currency, r.not_commissionable])]);
}

function save(text, filename) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

// ---- the data

/** The days of the range with clicks, unique clicks, orders, revenue and commissions per currency:
 * the report's `daily` series, unique clicks from …/stats. Without `daily` (an older API), orders
 * and revenue as ordered come from the campaign's orders and commissions are left at 0. */
function series(report, stats, orders, days) {
  const unique = new Map((stats ? stats.days : []).map((d) => [d.day, d]));
  if (Array.isArray(report.daily) && report.daily.length) {
    return report.daily.map((d) => ({
      date: String(d.date),
      clicks: d.clicks,
      unique_clicks: (unique.get(String(d.date)) || {}).unique_clicks || 0,
      orders: d.orders,
      revenue: d.revenue || {},
      commissions: d.commissions || {},
    }));
  }
  const byDay = new Map(lastDays(days).map((d) => [d, { date: d, clicks: 0, unique_clicks: 0, orders: 0, revenue: {}, commissions: {} }]));
  for (const [d, c] of unique) if (byDay.has(d)) Object.assign(byDay.get(d), { clicks: c.clicks, unique_clicks: c.unique_clicks });
  for (const o of orders) {
    const row = byDay.get(day(o.occurred_at));
    if (!row || o.self_purchase) continue;
    row.orders += 1;
    row.revenue[o.currency] = (row.revenue[o.currency] || 0) + o.subtotal;
  }
  return [...byDay.values()];
}

/** Per creator and currency: attributed orders (self-purchases left out) and their subtotal as
 * ordered, and how many of them earn nothing. */
function perCreator(orders) {
  const rows = new Map();
  for (const o of orders) {
    if (!o.creator_id || o.self_purchase) continue;
    const key = `${o.creator_id} ${o.currency}`;
    const row = rows.get(key) || { creator_id: o.creator_id, currency: o.currency, orders: 0, revenue: 0, not_commissionable: 0 };
    row.orders += 1;
    row.revenue += o.subtotal;
    if (o.not_commissionable) row.not_commissionable += 1;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.revenue - a.revenue || b.orders - a.orders);
}

// ---- the sections

function figure(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

function figures(report) {
  const general = h("dl", { class: "report-figures report-general" },
    figure("Clicks", count(report.clicks)),
    figure("Unique clicks", count(report.unique_clicks)),
    figure("Orders", count(report.orders)),
    figure("Conversion rate", percent(report.conversion_rate, 1)),
    figure("New customers", percent(report.new_customer_share, 0)),
    figure("Cancelled orders", count(report.returns.cancelled)),
    figure("Refunded in full", count(report.returns.fully_refunded)),
    figure("Refunded in part", count(report.returns.partially_refunded)),
    figure("Self-purchases (left out)", count(report.self_purchases.orders)));
  const blocks = Object.entries(report.currencies || {}).map(([cur, f]) => {
    const m = (v) => money(v, cur);
    const c = f.commissions;
    const s = f.spend;
    return [
      h("h3", {}, `In ${cur}`),
      h("dl", { class: "report-figures", "data-currency": cur },
        figure("Revenue", m(f.revenue)),
        figure("Gross revenue", m(f.gross_revenue)),
        figure("Refunded", m(f.refunded)),
        figure("Cancelled", m(f.cancelled)),
        figure("Average order value", m(f.average_order_value)),
        figure("Commissions pending", m(c.pending)),
        figure("Commissions approved", m(c.approved)),
        figure("Commissions paid", m(c.paid)),
        figure("Fixed fees", m(s.fixed_fees)),
        figure("Spend", m(s.total)),
        s.budget !== null ? figure("Budget left", `${m(s.remaining)} of ${m(s.budget)}${s.percent_used !== null ? ` (${s.percent_used} % used)` : ""}`) : null,
        figure("Earnings per click (EPC)", f.earnings_per_click === null ? "—" : m(f.earnings_per_click)),
        figure("Cost per acquisition (CPA)", f.cost_per_acquisition === null ? "—" : m(f.cost_per_acquisition))),
    ];
  });
  const apart = Object.entries(report.not_commissionable || {});
  return [
    general,
    blocks,
    apart.length
      ? h("p", { class: "muted" }, "Conversions that earn no commission (counted above): ",
          apart.map(([reason, x]) => `${reason.replace(/_/g, " ")}: ${count(x.orders)}`).join("; "), ".")
      : null,
  ];
}

function kpiList(report, currency, campaignId) {
  if (!report.kpis || !report.kpis.length) {
    return h("p", { class: "muted" }, "No KPIs set. Add them on the ", h("a", { href: `#/campaigns/${encodeURIComponent(campaignId)}` }, "Settings"), " tab.");
  }
  return h("ul", { class: "kpis report-kpis", "aria-label": "KPI progress" }, report.kpis.map((k) => {
    const id = uid("kpi");
    const show = (v) => (k.metric === "revenue" && currency ? money(v, currency) : count(v));
    return h("li", { class: "kpi" },
      h("span", { id }, `${METRICS[k.metric] || k.metric}: ${show(k.target)} by ${day(k.by)}`),
      k.progress === null || k.progress === undefined
        ? h("span", {}, "not measured yet")
        : [
            h("meter", { min: "0", max: "1", low: "0.5", optimum: "1", value: String(Math.min(k.progress, 1)), "aria-labelledby": id }),
            h("span", {}, `${show(k.actual)} of ${show(k.target)} (${percent(k.progress)})`),
          ]);
  }));
}

function charts(days, currency) {
  const points = (key, pick = (d) => d[key]) => days.map((d) => ({ label: d.date, value: pick(d) || 0 }));
  const m = (v) => money(v, currency);
  return h("div", { class: "charts" },
    chart({ title: "Clicks", points: points("clicks"), format: count }),
    chart({ title: "Orders", points: points("orders"), format: count }),
    chart({ title: `Revenue (${currency})`, points: points("revenue", (d) => d.revenue[currency]), kind: "line", format: m }),
    chart({ title: `Commissions (${currency})`, points: points("commissions", (d) => d.commissions[currency]), kind: "line", format: m }));
}

function creatorTable(rows, names) {
  if (!rows.length) return h("p", { class: "muted" }, "No attributed order yet. Orders appear here when a store webhook brings one with a creator's code or click.");
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("caption", { class: "visually-hidden" }, "Orders per creator"),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Creator"),
        h("th", { scope: "col", class: "num" }, "Orders"),
        h("th", { scope: "col", class: "num" }, "Revenue as ordered"),
        h("th", { scope: "col", class: "num" }, "Earning nothing"))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/creators/${encodeURIComponent(r.creator_id)}` }, names.get(r.creator_id) || r.creator_id)),
        h("td", { class: "num" }, count(r.orders)),
        h("td", { class: "num" }, money(r.revenue, r.currency)),
        h("td", { class: "num" }, count(r.not_commissionable)))))));
}

function seconds(s) {
  if (s % 86400 === 0) return `${s / 86400} day${s === 86400 ? "" : "s"}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? "" : "s"}`;
  if (s % 60 === 0) return `${s / 60} minute${s === 60 ? "" : "s"}`;
  return `${s} seconds`;
}

function workflowBox(flow, campaign, names) {
  if (!flow) {
    return h("div", { class: "workflow-box" }, h("p", {}, "Not started yet: the campaign workflow starts with the first collaboration. ",
      h("a", { href: `#/campaigns/${encodeURIComponent(campaign.id)}/board` }, "Start collaborations"), " on the Collaborations tab."));
  }
  const every = seconds((campaign.workflow || {}).report_seconds || 7 * 86400);
  const reports = flow.reports || [];
  const last = reports.at(-1);
  const waits = flow.closed_at
    ? `Nothing: wrapped up ${day(flow.closed_at)}.`
    : `The campaign's end (${day(campaign.end_date)}), then the wrap-up: the final report and the collaborations still open. Meanwhile a report every ${every}.`;
  const final = flow.final_report;
  const open = flow.open_items || [];
  return h("div", { class: "workflow-box" },
    h("dl", {},
      h("dt", {}, "State"), h("dd", {}, flow.status),
      h("dt", {}, "Started"), h("dd", {}, day(flow.started_at)),
      h("dt", {}, "Waits for"), h("dd", {}, waits),
      h("dt", {}, "Periodic reports"), h("dd", {}, reports.length ? `${reports.length}, the last on ${day(last.at)}` : "none yet"),
      final ? [h("dt", {}, "Final report"), h("dd", {}, `${count(final.clicks)} clicks, ${count(final.orders)} orders, `,
        Object.entries(final.currencies || {}).map(([c, f]) => money(f.revenue, c)).join(", ") || "no revenue")] : null),
    flow.closed_at
      ? [h("h3", {}, "Open at wrap-up"),
          open.length
            ? h("ul", {}, open.map((item) => h("li", {},
                h("a", { href: `#/collaborations/${encodeURIComponent(item.collaboration_id)}` }, names.get(item.creator_id) || item.creator_id),
                ` — ${STAGES[item.stage] || item.stage || "?"}`,
                item.waiting_for && item.waiting_for.length ? `, waiting for ${item.waiting_for.join(", ")}` : "")))
            : h("p", { class: "muted" }, "Every collaboration was closed.")]
      : null);
}

// ---- the page

export async function render(main, [id], { setTitle, query }) {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let campaign = await loadCampaign(main, id, setTitle);
  if (!campaign) return undefined;
  setTitle(`Report · ${campaign.name}`);
  let days = RANGES.some(([v]) => v === query.get("days")) ? query.get("days") : "30";
  const range = h("select", { id: uid("range") }, RANGES.map(([v, label]) => h("option", { value: v, selected: v === days ? true : undefined }, label)));
  const status = h("p", { class: "muted updated" }, "Loading…");
  const problems = h("div", { class: "alert-slot" });
  const done = h("p", { class: "saved", role: "status" });
  const figuresBox = h("div", {});
  const kpiBox = h("div", {});
  const chartBox = h("div", {});
  const creatorBox = h("div", {});
  const flowBox = h("div", {});
  const downloadDays = h("button", { type: "button" }, "Download CSV");
  const downloadCreators = h("button", { type: "button", class: "button-quiet" }, "Download creators CSV");
  const section = (key, title, ...body) => h("section", { "aria-labelledby": `report-${key}` }, h("h2", { id: `report-${key}` }, title), ...body);
  fill(
    main,
    campaignHead(campaign, "report"),
    status,
    problems,
    h("div", { class: "actions" },
      h("div", { class: "field field-inline" }, h("label", { for: range.id }, "Period"), range),
      downloadDays, downloadCreators, done),
    section("figures", "Figures (all time)", figuresBox),
    section("kpis", "KPIs", kpiBox),
    section("per-day", "Per day", chartBox),
    section("creators", "Per creator", creatorBox),
    section("workflow", "Campaign workflow", flowBox),
  );

  const names = new Map();
  const drawn = new Map();
  let latest = null;
  function draw(box, key, data, build) {
    const text = JSON.stringify(data);
    if (drawn.get(key) === text) return;
    drawn.set(key, text);
    fill(box, build());
  }

  async function learnNames(ids) {
    const unknown = [...new Set(ids)].filter((x) => x && !names.has(x)).slice(0, 50);
    await Promise.all(unknown.map((cid) => api.get(`/v1/creators/${encodeURIComponent(cid)}`)
      .then((c) => names.set(cid, c.name))
      .catch((e) => {
        if (e instanceof api.SessionEnded) throw e;
        names.set(cid, cid);
      })));
  }

  let running = false;
  let again = false;
  let stopped = false;
  async function refresh() {
    if (stopped) return;
    if (running) {
      again = true; // asked while a refresh runs (a new period): run once more after it
      return;
    }
    running = true;
    try {
      const last = new Date().toISOString().slice(0, 10);
      const first = lastDays(Number(days)).at(0);
      const q = api.query({ from: first, to: last });
      const [current, report, stats, orders, flow] = await Promise.all([
        api.get(path),
        api.get(`${path}/report${q}`),
        api.get(`${path}/stats${q}`),
        api.all(`/v1/orders?campaign_id=${encodeURIComponent(id)}`, { pages: 10 }),
        api.get(`${path}/workflow`).catch((e) => {
          if (e.status === 404) return null;
          throw e;
        }),
      ]);
      if (stopped) return;
      campaign = current;
      const currencies = Object.keys(report.currencies || {});
      const currency = campaign.budget ? campaign.budget.currency : currencies[0] || "USD";
      if (!currencies.includes(currency)) currencies.unshift(currency);
      const perDay = series(report, stats, orders.items, Number(days));
      const creators = perCreator(orders.items);
      await learnNames([...creators.map((r) => r.creator_id), ...((flow && flow.open_items) || []).map((i) => i.creator_id)]);
      if (stopped) return;
      latest = { perDay, creators, currencies, first: perDay.length ? perDay[0].date : first, last: perDay.length ? perDay.at(-1).date : last };
      draw(figuresBox, "figures", report, () => figures({ ...report, daily: undefined }));
      draw(kpiBox, "kpis", [report.kpis, currency], () => kpiList(report, currency, campaign.id));
      draw(chartBox, "charts", [perDay, currency], () => charts(perDay, currency));
      draw(creatorBox, "creators", [creators, [...names]], () => [
        creatorTable(creators, names),
        orders.more ? h("p", { class: "muted" }, "Counted from the latest 1,000 orders.") : null,
      ]);
      draw(flowBox, "flow", [flow, campaign.end_date, campaign.workflow], () => workflowBox(flow, campaign, names));
      fill(problems);
      status.textContent = `Updated ${time()}; refreshes every ${REFRESH_MS / 1000} s while this tab is visible.`;
      main.dataset.loaded = "true";
    } catch (error) {
      if (error instanceof api.SessionEnded) {
        stopped = true;
        return;
      }
      fill(problems, alertBox(`Could not refresh: ${error.message}`));
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        refresh();
      }
    }
  }

  const file = (what) => `${campaign.slug || "campaign"}-${what}-${latest.first}-to-${latest.last}.csv`;
  downloadDays.addEventListener("click", () => {
    if (!latest) return;
    save(dailyCsv(latest.perDay, latest.currencies), file("daily"));
    done.textContent = `Downloaded ${latest.perDay.length} days as CSV.`;
  });
  downloadCreators.addEventListener("click", () => {
    if (!latest) return;
    save(creatorsCsv(latest.creators.map((r) => ({ ...r, name: names.get(r.creator_id) || "" }))), file("creators"));
    done.textContent = `Downloaded ${latest.creators.length} creator row${latest.creators.length === 1 ? "" : "s"} as CSV.`;
  });
  range.addEventListener("change", () => {
    days = range.value;
    const params = new URLSearchParams(query);
    params.set("days", days);
    history.replaceState(null, "", `#/campaigns/${encodeURIComponent(id)}/report?${params}`);
    refresh();
  });

  await refresh();
  const stopPolling = whileVisible(refresh);
  return () => {
    stopped = true;
    stopPolling();
  };
}
