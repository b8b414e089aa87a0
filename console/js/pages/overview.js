// Overview: every active campaign with KPI progress and spend against budget, per-day charts
// (clicks, orders, revenue, commissions) for one of them from its report's `daily` series, and
// what needs the team now. Refreshed while the tab is visible (document.visibilityState), so a
// webhook order or an alert shows without a reload.
//
// What a refresh costs (requests to /v1), whatever the number of campaigns:
// - every 5 s: the chosen campaign's report (its card and charts), open alerts, failed and
//   processing webhook deliveries: 4 requests;
// - every 30 s (and at once on coming back to the tab): also the active campaigns, the reports
//   of the cards shown (12 at a time, "Show more campaigns" adds 12) and, per active campaign,
//   its collaborations in the content stage (content awaiting the brand's approval).
// Each part is drawn when its own request answers; a card, the charts or the attention list is
// redrawn only when its figures changed and never while it holds the keyboard focus, so nobody
// loses their place to a refresh. `make bench` times the first render by two performance marks:
// "overview-charts" (the charts drawn: the overview is usable) and "overview-ready" (every part).

import * as api from "../api.js";
import { REFRESH_MS, whileVisible } from "../live.js";
import { chart } from "../chart.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { count, day, METRICS, money, percent, time } from "../format.js";

export const SLOW_EVERY = 6; // every 6th refresh (30 s): the campaign list, other cards, approvals
const DAYS = 30;
const CARDS_PAGE = 12;

function kpiRow(kpi, currency) {
  const id = uid("kpi");
  const isMoney = kpi.metric === "revenue";
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

/** The currency a campaign's figures are shown in: its budget's, else the report's first. */
function mainCurrency(campaign, report) {
  if (campaign.budget) return campaign.budget.currency;
  const listed = Object.keys((report && report.currencies) || {});
  return listed[0] || null;
}

function card(campaign, report) {
  const headingId = uid("c");
  const currencies = report ? report.currencies : null;
  return h(
    "article",
    { class: "card", "aria-labelledby": headingId, "data-campaign": campaign.id },
    h("h3", { id: headingId }, h("a", { href: `#/campaigns/${campaign.id}` }, campaign.name)),
    h("p", { class: "muted" }, `${day(campaign.start_date)} → ${day(campaign.end_date)} · ${campaign.objective}`),
    report
      ? [
          h("dl", { class: "figures" },
            h("div", {}, h("dt", {}, "Clicks"), h("dd", {}, count(report.clicks))),
            h("div", {}, h("dt", {}, "Orders"), h("dd", {}, count(report.orders))),
            h("div", {}, h("dt", {}, "Revenue"), h("dd", {}, Object.entries(currencies || {}).map(([c, f]) => money(f.revenue, c)).join(", ") || "—"))),
          report.kpis && report.kpis.length
            ? h("ul", { class: "kpis", "aria-label": `KPIs of ${campaign.name}` }, report.kpis.map((k) => kpiRow(k, mainCurrency(campaign, report))))
            : h("p", { class: "muted" }, "No KPIs set."),
          spendRow(campaign, report),
        ]
      : h("p", { class: "muted" }, report === null ? "Its figures could not be read; they are tried again shortly." : "Loading its figures…"),
  );
}

/** The four per-day charts of a report's `daily` series, money in `currency`. */
function perDay(report, currency) {
  const daily = report.daily || [];
  const series = (pick) => daily.map((d) => ({ label: d.date, value: pick(d) }));
  const inCurrency = (field) => (d) => (currency ? d[field][currency] || 0 : 0);
  const show = (v) => (currency ? money(v, currency) : count(v));
  const suffix = currency ? ` (${currency})` : "";
  return [
    chart({ title: "Clicks", points: series((d) => d.clicks), format: count }),
    chart({ title: "Orders", points: series((d) => d.orders), format: count }),
    chart({ title: `Revenue${suffix}`, points: series(inCurrency("revenue")), kind: "line", format: show }),
    chart({ title: `Commissions${suffix}`, points: series(inCurrency("commissions")), format: show }),
  ];
}

/** Content awaiting the brand's decision, per active campaign: the collaborations in the content
 * stage whose workflow waits for approve-content. One request per campaign (every 30 s). */
async function awaitingApproval(campaigns) {
  const counts = await Promise.all(campaigns.map(async (c) => {
    try {
      const page = await api.get(`/v1/campaigns/${encodeURIComponent(c.id)}/collaborations?stage=content&limit=100`);
      const n = page.items.filter((x) => x.waiting_for && x.waiting_for.actions.includes("approve-content")).length;
      return { campaign: c, n, more: Boolean(page.next_cursor) };
    } catch (error) {
      if (error instanceof api.SessionEnded) throw error;
      return { campaign: c, n: 0, more: false, failed: true };
    }
  }));
  return counts.filter((x) => x.n > 0 || x.failed);
}

async function attentionFigures() {
  const [alerts, failed, processing] = await Promise.all([
    api.all("/v1/alerts?status=open", { pages: 1 }),
    api.all("/v1/webhook-events?status=failed", { pages: 1 }),
    api.all("/v1/webhook-events?status=processing", { pages: 1 }),
  ]);
  return { alerts, failed, processing };
}

function attentionItems({ alerts, failed, processing }, approvals) {
  const byKind = {};
  for (const a of alerts.items) byKind[a.kind] = (byKind[a.kind] || 0) + 1;
  const plus = (list, n) => `${n}${list.more ? "+" : ""}`;
  const item = (n, label, link, note, extra) =>
    h("li", {}, h("span", { class: "attention-count" }, n), " ",
      link ? h("a", { class: "attention-label", href: link }, label) : h("span", { class: "attention-label" }, label),
      note ? h("span", { class: "muted" }, ` — ${note}`) : null, extra || null);
  const waiting = approvals ? approvals.reduce((sum, a) => sum + a.n, 0) : null;
  return [
    item(
      approvals === null ? "…" : `${waiting}${approvals.some((a) => a.more) ? "+" : ""}`,
      "Content awaiting approval",
      null,
      approvals === null ? "checking" : waiting ? "approve or request changes on the board" : "nothing to review",
      approvals && approvals.length
        ? h("ul", { class: "attention-campaigns" }, approvals.map((a) => h("li", {},
            h("a", { href: `#/campaigns/${a.campaign.id}/board` }, `${a.campaign.name}: ${a.failed ? "could not check" : `${a.n}${a.more ? "+" : ""}`}`))))
        : null,
    ),
    item(plus(alerts, byKind.deadline || 0), "Deadlines needing a decision", "#/alerts?status=open&kind=deadline", "extend or cancel on the board"),
    item(plus(alerts, alerts.items.length), "Open alerts", "#/alerts?status=open",
      Object.entries(byKind).map(([k, n]) => `${k.replace(/_/g, " ")}: ${n}`).join(", ")),
    item(plus(failed, failed.items.length), "Failed webhooks", "#/settings", "replay them once fixed"),
    item(String(processing.items.filter((e) => e.stale).length), "Stalled webhooks", "#/settings", "processing runs that died"),
  ];
}

export async function render(main, _params, { setTitle, query }) {
  setTitle("Overview");
  const status = h("p", { class: "muted updated", id: "overview-updated" }, "Loading…");
  const problems = h("div", { class: "alert-slot" });
  const attentionList = h("ul", { class: "attention", "aria-label": "Needs attention" });
  const cards = h("div", { class: "cards" });
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more campaigns");
  const chartPick = h("select", { id: "chart-campaign" });
  const charts = h("div", { class: "charts" });
  fill(
    main,
    h("h1", { tabindex: "-1" }, "Overview"),
    status,
    problems,
    h("section", { "aria-labelledby": "attention-h" }, h("h2", { id: "attention-h" }, "Needs attention"), attentionList),
    h("section", { "aria-labelledby": "chart-h" },
      h("h2", { id: "chart-h" }, `Per day, last ${DAYS} days`),
      h("div", { class: "field field-inline" }, h("label", { for: "chart-campaign" }, "Campaign"), chartPick),
      charts),
    h("section", { "aria-labelledby": "active-h" }, h("h2", { id: "active-h" }, "Active campaigns"), cards,
      h("p", {}, more)),
  );

  let campaigns = [];
  let shown = CARDS_PAGE;
  let chosenId = query.get("campaign") || "";
  const reports = new Map(); // campaign id → its last report
  let approvals = null;
  let attention = null;
  const drawn = { cards: new Map(), charts: "", attention: "" };
  let ticks = 0;
  let running = false;
  let stopped = false;
  const marked = new Set();

  const chosen = () => campaigns.find((c) => c.id === chosenId) || campaigns[0] || null;
  const busy = (el) => el.contains(document.activeElement);

  async function report(c) {
    try {
      reports.set(c.id, await api.get(`/v1/campaigns/${encodeURIComponent(c.id)}/report`));
    } catch (error) {
      if (error instanceof api.SessionEnded) throw error;
      if (!reports.has(c.id)) reports.set(c.id, null);
    }
  }

  function drawCards() {
    const visible = campaigns.slice(0, shown);
    if (!visible.length) {
      drawn.cards.clear();
      fill(cards, h("p", {}, "No active campaign. ", h("a", { href: "#/campaigns/new" }, "Create a campaign"), " and set it active."));
    } else {
      const wanted = new Set(visible.map((c) => c.id));
      for (const id of [...drawn.cards.keys()]) if (!wanted.has(id)) drawn.cards.delete(id);
      cards.querySelectorAll(":scope > p").forEach((p) => p.remove());
      for (const [i, c] of visible.entries()) {
        const r = reports.get(c.id);
        const key = JSON.stringify([c, r ? { ...r, daily: undefined } : r]);
        const old = drawn.cards.get(c.id);
        if (old && cards.children[i] === old.el && (old.key === key || busy(old.el))) continue;
        const el = card(c, r);
        if (old) old.el.remove(); // it sits at i or later: the cards before i are in place
        cards.insertBefore(el, cards.children[i] || null);
        drawn.cards.set(c.id, { key, el });
      }
      for (const el of [...cards.children]) if (!wanted.has(el.dataset.campaign)) el.remove();
    }
    const left = campaigns.length - visible.length;
    more.hidden = left <= 0;
    more.textContent = `Show more campaigns (${left} more)`;
  }

  function drawCharts() {
    const c = chosen();
    if (!busy(chartPick)) {
      fill(chartPick, campaigns.map((x) => h("option", { value: x.id, selected: c && x.id === c.id ? true : undefined }, x.name)));
    }
    chartPick.disabled = !campaigns.length;
    const r = c ? reports.get(c.id) : null;
    const key = JSON.stringify([c && c.id, r && r.daily, c && mainCurrency(c, r)]);
    if (key === drawn.charts || busy(charts)) return;
    drawn.charts = key;
    if (!c) fill(charts, h("p", { class: "muted" }, "Charts appear when a campaign is active."));
    else if (!reports.has(c.id)) fill(charts, h("p", { class: "muted" }, "Loading the charts…"));
    else if (!r) fill(charts, h("p", { class: "muted" }, "This campaign's figures could not be read; they are tried again shortly."));
    else fill(charts, perDay(r, mainCurrency(c, r)));
  }

  function drawAttention() {
    if (!attention) return;
    const key = JSON.stringify([attention, approvals && approvals.map((a) => [a.campaign.id, a.campaign.name, a.n, a.more, a.failed])]);
    if (key === drawn.attention || busy(attentionList)) return;
    drawn.attention = key;
    fill(attentionList, attentionItems(attention, approvals));
  }

  let usable;
  const isUsable = new Promise((resolve) => { usable = resolve; });
  function mark(name) {
    if (marked.has(name)) return;
    marked.add(name);
    performance.mark(name); // make bench: navigation start → these, on the first render
    if (name === "overview-charts") usable();
  }

  // Each part is drawn as soon as its own request answers: the charts (the chosen campaign's
  // report, asked first) do not wait for the cards or the approvals, which are asked after it.
  async function refresh({ slow = false } = {}) {
    if (running || stopped) return;
    running = true;
    try {
      const full = slow || ticks % SLOW_EVERY === 0;
      ticks += 1;
      const jobs = [];
      const then = (promise, draw) => {
        const job = promise.then(() => stopped || draw());
        job.catch(() => {}); // seen by allSettled below; not an unhandled rejection meanwhile
        jobs.push(job);
      };
      if (full) {
        ({ items: campaigns } = await api.all("/v1/campaigns?status=active", { pages: 5 }));
        if (stopped) return;
        drawCards();
        drawCharts();
      }
      const c = chosen();
      then(attentionFigures().then((a) => { attention = a; }), drawAttention);
      if (c) {
        await report(c);
        if (stopped) return;
        drawCharts();
        drawCards();
      }
      mark("overview-charts");
      if (full) {
        // After the charts, not beside them: a local stack (one Python process) serves requests
        // one at a time in effect, and the chosen campaign's report is what makes the page usable.
        for (const x of campaigns.slice(0, shown)) if (x !== c) then(report(x), drawCards);
        then(awaitingApproval(campaigns).then((a) => { approvals = a; }), drawAttention);
      }
      const failed = (await Promise.allSettled(jobs)).find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      if (stopped) return;
      fill(problems);
      status.textContent = `Updated ${time()}; refreshes every ${REFRESH_MS / 1000} s while this tab is visible.`;
      main.dataset.loaded = "true";
      mark("overview-ready");
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

  chartPick.addEventListener("change", async () => {
    chosenId = chartPick.value;
    history.replaceState(null, "", `#/overview${api.query({ campaign: chosenId })}`);
    const c = chosen();
    drawCharts();
    if (c && !reports.get(c.id)) await report(c);
    if (!stopped) drawCharts();
  });
  more.addEventListener("click", async () => {
    shown += CARDS_PAGE;
    drawCards();
    await Promise.all(campaigns.slice(shown - CARDS_PAGE, shown).filter((c) => !reports.get(c.id)).map(report));
    if (!stopped) drawCards();
  });

  // The router focuses the h1 (and clears aria-busy) once the charts are drawn; the cards and
  // the approvals go on filling in.
  await Promise.race([isUsable, refresh({ slow: true })]);
  const stopPolling = whileVisible(refresh, { onShown: () => refresh({ slow: true }) });
  return () => {
    stopped = true;
    stopPolling();
  };
}
