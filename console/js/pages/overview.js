// Overview: every active campaign with KPI progress and spend against budget, a per-day chart
// for one of them, and what needs the team now. Refreshed every few seconds while the tab is
// visible (document.visibilityState), so a webhook order or an alert shows without a reload.

import * as api from "../api.js";
import { chart, lastDays } from "../chart.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { count, day, METRICS, money, percent, time } from "../format.js";

export const REFRESH_MS = 5000;
const DAYS = 30;

function kpiRow(kpi, figures) {
  const id = uid("kpi");
  const isMoney = kpi.metric === "revenue";
  const currency = figures ? Object.keys(figures)[0] : null;
  const show = (v) => (isMoney && currency ? money(v, currency) : count(v));
  const progress = kpi.progress === null || kpi.progress === undefined ? null : kpi.progress;
  return h(
    "li",
    { class: "kpi" },
    h("span", { id, class: "kpi-name" }, `${METRICS[kpi.metric] || kpi.metric} by ${day(kpi.by)}`),
    progress === null
      ? h("span", { class: "kpi-figure" }, "not measured yet")
      : [
          h("meter", { min: "0", max: "1", low: "0.5", optimum: "1", value: String(Math.min(progress, 1)), "aria-labelledby": id }),
          h("span", { class: "kpi-figure" }, `${show(kpi.actual)} of ${show(kpi.target)} (${percent(progress)})`),
        ],
  );
}

function spendRow(campaign, report) {
  const budget = campaign.budget;
  if (!budget) return h("p", { class: "spend" }, "No budget set.");
  const figures = (report.currencies || {})[budget.currency];
  const spend = figures ? figures.spend : null;
  const total = spend ? spend.total : 0;
  const id = uid("spend");
  const used = budget.amount > 0 ? total / budget.amount : 0;
  return h(
    "div",
    { class: "spend" },
    h("span", { id }, "Spend against budget"),
    h("meter", { min: "0", max: "1", high: "0.8", optimum: "0", value: String(Math.min(used, 1)), "aria-labelledby": id }),
    h("span", {}, `${money(total, budget.currency)} of ${money(budget.amount, budget.currency)}` +
      (spend && spend.percent_used !== null ? ` (${spend.percent_used} %)` : "")),
  );
}

function card(campaign, report) {
  const headingId = uid("c");
  const currencies = report ? report.currencies : null;
  return h(
    "article",
    { class: "card", "aria-labelledby": headingId },
    h("h3", { id: headingId }, h("a", { href: `#/campaigns/${campaign.id}` }, campaign.name)),
    h("p", { class: "muted" }, `${day(campaign.start_date)} → ${day(campaign.end_date)} · ${campaign.objective}`),
    report
      ? [
          h("dl", { class: "figures" },
            h("div", {}, h("dt", {}, "Clicks"), h("dd", {}, count(report.clicks))),
            h("div", {}, h("dt", {}, "Orders"), h("dd", {}, count(report.orders))),
            h("div", {}, h("dt", {}, "Revenue"), h("dd", {}, Object.entries(currencies || {}).map(([c, f]) => money(f.revenue, c)).join(", ") || "—"))),
          report.kpis && report.kpis.length
            ? h("ul", { class: "kpis", "aria-label": `KPIs of ${campaign.name}` }, report.kpis.map((k) => kpiRow(k, currencies)))
            : h("p", { class: "muted" }, "No KPIs set."),
          spendRow(campaign, report),
        ]
      : h("p", { class: "muted" }, "Report not available."),
  );
}

function perDay(stats, orders, currency) {
  const days = lastDays(DAYS);
  const clicks = new Map((stats ? stats.days : []).map((d) => [d.day, d.clicks]));
  const orderCount = new Map();
  const revenue = new Map();
  for (const order of orders) {
    if (order.self_purchase || order.currency !== currency) continue;
    const d = day(order.occurred_at);
    orderCount.set(d, (orderCount.get(d) || 0) + 1);
    revenue.set(d, (revenue.get(d) || 0) + order.subtotal);
  }
  return {
    clicks: days.map((d) => ({ label: d, value: clicks.get(d) || 0 })),
    orders: days.map((d) => ({ label: d, value: orderCount.get(d) || 0 })),
    revenue: days.map((d) => ({ label: d, value: revenue.get(d) || 0 })),
  };
}

async function attention() {
  const [alerts, failed, processing] = await Promise.all([
    api.all("/v1/alerts?status=open", { pages: 1 }),
    api.all("/v1/webhook-events?status=failed", { pages: 1 }),
    api.all("/v1/webhook-events?status=processing", { pages: 1 }),
  ]);
  const byKind = {};
  for (const a of alerts.items) byKind[a.kind] = (byKind[a.kind] || 0) + 1;
  const plus = (list, n) => `${n}${list.more ? "+" : ""}`;
  return [
    ["Open alerts", plus(alerts, alerts.items.length), Object.entries(byKind).map(([k, n]) => `${k.replace(/_/g, " ")}: ${n}`).join(", ")],
    ["Deadlines needing a decision", plus(alerts, byKind.deadline || 0), "deadline alerts: extend or cancel"],
    ["Failed webhooks", plus(failed, failed.items.length), "replay them once fixed"],
    ["Stalled webhooks", String(processing.items.filter((e) => e.stale).length), "processing runs that died"],
  ];
}

export async function render(main, _params, { setTitle }) {
  setTitle("Overview");
  const status = h("p", { class: "muted updated", id: "overview-updated" }, "Loading…");
  const problems = h("div", { class: "alert-slot" });
  const attentionList = h("ul", { class: "attention", "aria-label": "Needs attention" });
  const cards = h("div", { class: "cards" });
  const chartPick = h("select", { id: "chart-campaign" });
  const charts = h("div", { class: "charts" });
  fill(
    main,
    h("h1", { tabindex: "-1" }, "Overview"),
    status,
    problems,
    h("section", { "aria-labelledby": "attention-h" }, h("h2", { id: "attention-h" }, "Needs attention"), attentionList),
    h("section", { "aria-labelledby": "active-h" }, h("h2", { id: "active-h" }, "Active campaigns"), cards),
    h("section", { "aria-labelledby": "chart-h" },
      h("h2", { id: "chart-h" }, `Per day, last ${DAYS} days`),
      h("div", { class: "field field-inline" }, h("label", { for: "chart-campaign" }, "Campaign"), chartPick),
      charts),
  );
  chartPick.addEventListener("change", () => refresh());

  let running = false;
  let stopped = false;
  async function refresh() {
    if (running || stopped) return;
    running = true;
    try {
      const { items: campaigns } = await api.all("/v1/campaigns?status=active", { pages: 5 });
      const reports = await Promise.all(
        campaigns.map((c) => api.get(`/v1/campaigns/${encodeURIComponent(c.id)}/report`).catch((e) => {
          if (e instanceof api.SessionEnded) throw e;
          return null;
        })),
      );
      if (stopped) return;
      fill(cards, campaigns.length
        ? campaigns.map((c, i) => card(c, reports[i]))
        : h("p", {}, "No active campaign. ", h("a", { href: "#/campaigns/new" }, "Create a campaign"), " and set it active."));
      const wanted = chartPick.value;
      fill(chartPick, campaigns.map((c) => h("option", { value: c.id, selected: c.id === wanted ? true : undefined }, c.name)));
      chartPick.disabled = !campaigns.length;
      const chosen = campaigns.find((c) => c.id === chartPick.value) || campaigns[0];
      if (chosen) {
        const id = encodeURIComponent(chosen.id);
        const [stats, orders] = await Promise.all([
          api.get(`/v1/campaigns/${id}/stats`),
          api.all(`/v1/orders?campaign_id=${id}`, { pages: 3 }),
        ]);
        const currency = chosen.budget ? chosen.budget.currency : (orders.items[0] || {}).currency || "USD";
        const series = perDay(stats, orders.items, currency);
        if (stopped) return;
        fill(charts,
          chart({ title: "Clicks", points: series.clicks, format: count }),
          chart({ title: "Orders", points: series.orders, format: count }),
          chart({ title: `Revenue (${currency}, as ordered)`, points: series.revenue, kind: "line", format: (v) => money(v, currency) }),
          h("p", { class: "muted" }, "Commissions per day: not offered by the API yet; the campaign's totals are on its page."));
      } else fill(charts, h("p", { class: "muted" }, "Charts appear when a campaign is active."));
      const rows = await attention();
      if (stopped) return;
      fill(attentionList, rows.map(([label, n, note]) =>
        h("li", {}, h("span", { class: "attention-count" }, n), " ", h("span", { class: "attention-label" }, label),
          note ? h("span", { class: "muted" }, ` — ${note}`) : null)));
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
    }
  }

  await refresh();
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, REFRESH_MS);
  const onVisible = () => {
    if (document.visibilityState === "visible") refresh();
  };
  document.addEventListener("visibilitychange", onVisible);
  return () => {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisible);
  };
}
