// Campaigns: the list, a new campaign, and one campaign's settings. The form sends what the API
// takes and shows the API's own validation next to each field (no second set of rules here).

import * as api from "../api.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { clearErrors, field, input, select, showError } from "../form.js";
import { count, day, METRICS, money, toMajor, toMinor } from "../format.js";
import { campaignHead } from "../tabs.js";

const OBJECTIVES = [["awareness", "Awareness"], ["trial", "Trial"], ["conversions", "Conversions"]];
const STATUSES = [["draft", "Draft"], ["active", "Active"], ["paused", "Paused"], ["completed", "Completed"], ["cancelled", "Cancelled"]];
const NOTICE = "roster.notice";

function notice(message) {
  sessionStorage.setItem(NOTICE, message);
}

function takeNotice() {
  const message = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return message ? alertBox(message, "info") : null;
}

// ---- the list

function row(c) {
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, h("a", { href: `#/campaigns/${c.id}` }, c.name)),
    h("td", {}, c.status),
    h("td", {}, c.objective),
    h("td", {}, `${day(c.start_date)} → ${day(c.end_date)}`),
    h("td", {}, c.budget ? money(c.budget.amount, c.budget.currency) : "—"),
  );
}

export async function renderList(main, _params, { setTitle }) {
  setTitle("Campaigns");
  const filter = select([["", "All"], ...STATUSES], "", { id: "campaign-status-filter" });
  const body = h("tbody", {});
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more");
  const problems = h("div", { class: "alert-slot" }, takeNotice());
  let cursor = null;
  async function load(reset) {
    try {
      const q = api.query({ status: filter.value, limit: 50, cursor: reset ? null : cursor });
      const data = await api.get(`/v1/campaigns${q}`);
      if (reset) fill(body);
      for (const c of data.items) body.append(row(c));
      if (!body.childElementCount) body.append(h("tr", {}, h("td", { colspan: "5" }, "No campaign yet.")));
      cursor = data.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }
  filter.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  fill(
    main,
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Campaigns"), h("a", { class: "button", href: "#/campaigns/new" }, "New campaign")),
    problems,
    h("div", { class: "field field-inline" }, h("label", { for: filter.id }, "Status"), filter),
    h("div", { class: "table-wrap" },
      h("table", {},
        h("caption", { class: "visually-hidden" }, "Campaigns"),
        h("thead", {}, h("tr", {}, ["Name", "Status", "Objective", "Dates", "Budget"].map((t) => h("th", { scope: "col" }, t)))),
        body)),
    more,
  );
  await load(true);
}

// ---- the form

function kpiRow(kpi, index, currency) {
  const metric = select(Object.entries(METRICS), kpi.metric || "conversions");
  const revenue = (kpi.metric || "") === "revenue";
  const target = input({ inputmode: "numeric", value: kpi.target === undefined ? "" : revenue ? toMajor(kpi.target, currency) : String(kpi.target) });
  const by = input({ type: "date", value: kpi.by || "" });
  const remove = h("button", { type: "button", class: "button-quiet", "aria-label": `Remove KPI ${index + 1}` }, "Remove");
  const legendId = uid("kpi");
  const el = h(
    "fieldset",
    { class: "kpi-row", "aria-labelledby": legendId },
    h("legend", { id: legendId }, `KPI ${index + 1}`),
    field("Metric", metric, { field: `kpis.${index}.metric` }),
    field("Target", target, { field: `kpis.${index}.target`, hint: "A count; for revenue, an amount in the budget's currency" }),
    field("By", by, { field: `kpis.${index}.by` }),
    remove,
  );
  return { el, remove, read: (cur) => {
    const raw = target.value.trim();
    let value = /^\d+$/.test(raw) ? Number(raw) : raw;
    if (metric.value === "revenue" && raw !== "") {
      const minor = toMinor(raw, cur);
      value = Number.isNaN(minor) ? raw : minor;
    }
    return { metric: metric.value, target: value, by: by.value };
  } };
}

/** The campaign form; `onSave(body)` sends it and returns the saved campaign or throws. */
function campaignForm(campaign, { submitLabel, onSave, isNew }) {
  const c = campaign || {};
  const currency0 = c.budget ? c.budget.currency : "USD";
  const name = input({ name: "name", value: c.name || "", required: true, maxlength: "200" });
  const objective = select(OBJECTIVES, c.objective || "conversions", { name: "objective" });
  const status = select(isNew ? STATUSES.slice(0, 2) : STATUSES, c.status || "draft", { name: "status" });
  const start = input({ type: "date", name: "start_date", value: c.start_date || "" });
  const end = input({ type: "date", name: "end_date", value: c.end_date || "" });
  const amount = input({ name: "budget_amount", inputmode: "decimal", value: c.budget ? toMajor(c.budget.amount, currency0) : "" });
  const currency = input({ name: "budget_currency", value: currency0, maxlength: "3", autocapitalize: "characters", size: "4" });
  const domains = h("textarea", { name: "allowed_domains", rows: "3" }, (c.allowed_domains || []).join("\n"));
  const plan = (c.commission && c.commission.plan) || {};
  const rate = input({ name: "percent", inputmode: "decimal", value: plan.percent_bps !== undefined ? String(plan.percent_bps / 100) : "" });
  const kpiBox = h("div", { class: "kpi-rows" });
  let kpis = [];
  function drawKpis(values) {
    kpis = values.map((k, i) => kpiRow(k, i, currency.value.trim().toUpperCase() || "USD"));
    fill(kpiBox, kpis.map((k) => k.el));
    kpis.forEach((k, i) => k.remove.addEventListener("click", () => {
      const cur = currency.value.trim().toUpperCase();
      const left = kpis.map((x) => x.read(cur)).filter((_, j) => j !== i);
      drawKpis(left);
      addKpi.focus();
    }));
  }
  const addKpi = h("button", { type: "button", class: "button-quiet" }, "Add a KPI");
  addKpi.addEventListener("click", () => {
    const cur = currency.value.trim().toUpperCase();
    drawKpis([...kpis.map((k) => k.read(cur)), { metric: "conversions", by: end.value }]);
    kpiBox.querySelector("fieldset:last-child select").focus();
  });
  drawKpis(c.kpis || []);

  const alertSlot = h("div", { class: "alert-slot" });
  const saved = h("p", { class: "saved", role: "status" });
  const submit = h("button", { type: "submit" }, submitLabel);
  const form = h(
    "form",
    { class: "stack campaign-form", novalidate: true },
    alertSlot,
    field("Name", name, { field: "name" }),
    h("div", { class: "row" }, field("Objective", objective, { field: "objective" }), field("Status", status, { field: "status" })),
    h("div", { class: "row" }, field("Start date", start, { field: "start_date" }), field("End date", end, { field: "end_date" })),
    h("div", { class: "row" },
      field("Budget", amount, { field: "budget.amount", hint: "In the currency's units, e.g. 1500.00; empty for none" }),
      field("Currency", currency, { field: "budget.currency", hint: "ISO 4217, e.g. USD" })),
    field("Allowed domains", domains, { field: "allowed_domains", hint: "Hosts tracking links may point to, one a line; *.example.com covers subdomains" }),
    field("Base commission rate (%)", rate, { field: "commission.plan.percent_bps", hint: "On the net item subtotal, e.g. 10 for 10 %" }),
    h("fieldset", { class: "kpis-set" }, h("legend", {}, "KPIs"), kpiBox, addKpi),
    h("div", { class: "actions" }, submit, saved),
  );

  function body() {
    const cur = currency.value.trim().toUpperCase();
    const amountRaw = amount.value.trim();
    const minor = toMinor(amountRaw, cur || "USD");
    const rateRaw = rate.value.trim().replace(",", ".");
    const bps = /^\d+(\.\d+)?$/.test(rateRaw) ? Math.round(Number(rateRaw) * 100) : rateRaw;
    const commission = structuredClone(c.commission || {});
    commission.plan = { ...(commission.plan || {}), percent_bps: rateRaw === "" ? 0 : bps };
    const out = {
      name: name.value.trim(),
      objective: objective.value,
      status: status.value,
      start_date: start.value,
      end_date: end.value,
      allowed_domains: domains.value.split(/[\n,]+/).map((d) => d.trim()).filter(Boolean),
      kpis: kpis.map((k) => k.read(cur)),
      commission,
    };
    if (amountRaw !== "" || cur !== currency0 || !isNew) {
      out.budget = amountRaw === "" ? null : { amount: Number.isNaN(minor) ? amountRaw : minor, currency: cur };
    }
    if (isNew && out.budget === null) delete out.budget;
    return out;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    saved.textContent = "";
    submit.disabled = true;
    try {
      await onSave(body(), { saved });
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, alertSlot, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderNew(main, _params, { setTitle }) {
  setTitle("New campaign");
  const form = campaignForm(null, {
    isNew: true,
    submitLabel: "Create campaign",
    onSave: async (body) => {
      const created = await api.call("POST", "/v1/campaigns", body);
      notice(`Campaign “${created.name}” created.`);
      location.hash = "#/campaigns";
    },
  });
  fill(main, h("h1", { tabindex: "-1" }, "New campaign"), h("p", { class: "muted" }, h("a", { href: "#/campaigns" }, "← All campaigns")), form);
}

function summary(report, campaign) {
  if (!report) return null;
  const cur = campaign.budget ? campaign.budget.currency : Object.keys(report.currencies || {})[0];
  const figures = cur ? (report.currencies || {})[cur] : null;
  return h("dl", { class: "figures" },
    h("div", {}, h("dt", {}, "Clicks"), h("dd", {}, count(report.clicks))),
    h("div", {}, h("dt", {}, "Orders"), h("dd", {}, count(report.orders))),
    figures ? h("div", {}, h("dt", {}, "Revenue"), h("dd", {}, money(figures.revenue, cur))) : null,
    figures ? h("div", {}, h("dt", {}, "Commissions"), h("dd", {}, money(figures.commissions.pending + figures.commissions.approved + figures.commissions.paid, cur))) : null,
    figures ? h("div", {}, h("dt", {}, "Spend"), h("dd", {}, money(figures.spend.total, cur))) : null);
}

export async function renderOne(main, [id], { setTitle }) {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let campaign;
  try {
    campaign = await api.get(path);
  } catch (error) {
    if (error.status === 404) {
      setTitle("Campaign not found");
      fill(main, h("h1", { tabindex: "-1" }, "Campaign not found"), h("p", {}, h("a", { href: "#/campaigns" }, "All campaigns")));
      return;
    }
    throw error;
  }
  const report = await api.get(`${path}/report`).catch((e) => {
    if (e instanceof api.SessionEnded) throw e;
    return null;
  });
  setTitle(campaign.name);
  const heading = h("h1", { tabindex: "-1" }, campaign.name);
  const mount = h("div", {});
  const draw = (current) => fill(mount, campaignForm(current, {
    isNew: false,
    submitLabel: "Save changes",
    onSave: async (body) => {
      const updated = await api.call("PATCH", path, body);
      heading.textContent = updated.name;
      setTitle(updated.name);
      draw(updated);
      mount.querySelector(".saved").textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
    },
  }));
  draw(campaign);
  fill(
    main,
    campaignHead(campaign, "settings", { heading }),
    h("section", { "aria-labelledby": "so-far" }, h("h2", { id: "so-far" }, "So far"), summary(report, campaign) || h("p", { class: "muted" }, "No report yet.")),
    h("section", { "aria-labelledby": "settings" }, h("h2", { id: "settings" }, "Settings"), mount),
  );
}
