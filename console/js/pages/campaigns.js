// Campaigns: the list, a new campaign, and one campaign's settings. The form sends what the API
// takes and shows the API's own validation next to each field (no second set of rules here).

import * as api from "../api.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { field, input, onSubmit, select } from "../form.js";
import { count, day, METRICS, money, toMajor, toMinor } from "../format.js";
import { campaignHead, loadCampaign } from "../tabs.js";

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
// Every field the API takes, grouped in fieldsets. Each control carries the API's dotted name
// (data-field) so a 422 lands next to it. Rates are shown in % and sent in basis points; amounts
// are typed in the budget currency's units and sent in minor units; timers are typed with a unit
// and sent in seconds. A value that does not parse is sent as typed: the API's 422 says why.

const PLATFORMS = [["instagram", "Instagram"], ["tiktok", "TikTok"], ["youtube", "YouTube"]];
const UNITS = [["86400", "days"], ["3600", "hours"], ["60", "minutes"], ["1", "seconds"]];
// WorkflowSettings' timers: [API name, label, hint].
const TIMERS = [
  ["answer_seconds", "Invitation: wait for an answer", "Then the invitation lapses (no answer)"],
  ["negotiate_seconds", "Negotiation: quiet this long", "Then the team is alerted"],
  ["sign_due_seconds", "Contract: signature due within", "After the contract is issued"],
  ["shipment_seconds", "Seeding: ship within", "After onboarding, when product ships first"],
  ["delivery_seconds", "Seeding: delivery within", "After the shipment is recorded"],
  ["content_due_seconds", "Content: proposal due within", "After onboarding"],
  ["review_seconds", "Review: the team answers within", "Before a reminder to review the proposal"],
  ["post_due_seconds", "Post: due within", "After the content is approved"],
  ["reminder_seconds", "Reminder ahead of a due date", "Sent this long before each due date"],
  ["grace_seconds", "Grace after a due date", "Before a deadline counts as missed"],
  ["decision_seconds", "Missed deadline: alert again after", "While the team has not extended or cancelled"],
  ["performance_seconds", "Measurement window", "After the post"],
  ["rating_seconds", "Rating: due within", "After the measurement window"],
  ["report_seconds", "Campaign report every", "The periodic report of the campaign workflow"],
];
const DAY_SECONDS = 86400;
const RATE_HINT = "0 to 100; the API counts basis points (100 % = 10000)";
const DEFAULT_TIMERS = {
  answer_seconds: 14, negotiate_seconds: 7, sign_due_seconds: 7, shipment_seconds: 7, delivery_seconds: 14,
  content_due_seconds: 14, review_seconds: 3, post_due_seconds: 7, reminder_seconds: 2, grace_seconds: 2,
  decision_seconds: 3, performance_seconds: 7, rating_seconds: 14, report_seconds: 7,
};

/** "12" → 12, "1.5" → 1.5; "" → undefined (the API's default); anything else as typed (→ 422). */
function num(text) {
  const raw = String(text).trim().replace(",", ".");
  if (raw === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

/** "12.5" (%) → 1250 (bps). */
function bps(text) {
  const v = num(text);
  return typeof v === "number" ? Math.round(v * 100) : v;
}

const pct = (b) => (b === undefined || b === null ? "" : String(b / 100));

/** Major units typed → minor units, in `currency`. */
function minor(text, currency) {
  const raw = String(text).trim();
  if (raw === "") return undefined;
  const m = toMinor(raw, currency || "USD");
  return Number.isNaN(m) ? raw : m;
}

const major = (m, currency) => (m === undefined || m === null ? "" : toMajor(m, currency));

const lines = (list) => (list || []).join("\n");
const split = (text) => String(text).split(/\n+/).map((x) => x.trim()).filter(Boolean);

/** Drops undefined values, so the API's defaults apply to what was left empty. */
function compact(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** A checkbox with its label after it and an error slot (form.js markInvalid finds it by id). */
function check(label, checked, { field: name, hint } = {}) {
  const box = h("input", { type: "checkbox", id: uid("f"), checked: checked ? true : undefined });
  if (name) box.dataset.field = name;
  const hintEl = hint ? h("p", { class: "hint", id: `${box.id}-hint` }, hint) : null;
  if (hintEl) box.setAttribute("aria-describedby", hintEl.id);
  const error = h("p", { class: "field-error", id: `${box.id}-error`, hidden: true });
  return { box, el: h("div", { class: "field field-check" }, h("div", { class: "check" }, box, h("label", { for: box.id }, label)), hintEl, error) };
}

function textarea(value, attrs = {}) {
  return h("textarea", { rows: "3", ...attrs }, value || "");
}

/** A timer: a number and its unit, sent as seconds. */
function timer(name, label, hint, seconds) {
  const value = seconds ?? DEFAULT_TIMERS[name] * DAY_SECONDS;
  const [unit] = UNITS.find(([u]) => value % Number(u) === 0) || UNITS.at(-1);
  const amount = input({ inputmode: "numeric", value: String(value / Number(unit)), size: "6" });
  const units = select(UNITS, unit, { "aria-label": `${label} (unit)` });
  const el = h("div", { class: "timer" }, field(label, amount, { field: `workflow.${name}`, hint }), units);
  return {
    el,
    read: () => {
      const v = num(amount.value);
      return typeof v === "number" ? Math.round(v * Number(units.value)) : v;
    },
  };
}

/**
 * Rows that can be added and removed (tiers, SKU rates, KPIs…). `make(value, index)` returns
 * {el, read, remove?}; rows are drawn again after each change so the API's indexes
 * ("commission.plan.tiers.1.percent_bps") stay right.
 */
function repeater({ values, make, addLabel, blank, className = "rows" }) {
  const box = h("div", { class: className });
  const add = h("button", { type: "button", class: "button-quiet" }, addLabel);
  let rows = [];
  function draw(list) {
    rows = list.map((v, i) => make(v, i));
    fill(box, rows.map((r) => r.el));
    rows.forEach((r, i) => r.remove && r.remove.addEventListener("click", () => {
      draw(rows.map((x) => x.value()).filter((_, j) => j !== i));
      add.focus();
    }));
  }
  add.addEventListener("click", () => {
    draw([...rows.map((x) => x.value()), typeof blank === "function" ? blank() : { ...blank }]);
    const last = box.lastElementChild;
    const first = last && last.querySelector("input, select, textarea");
    if (first) first.focus();
  });
  draw(values || []);
  return { box, add, read: () => rows.map((r) => r.read()), rows: () => rows };
}

function group(legendText, index, ...children) {
  const legendId = uid("row");
  return h("fieldset", { class: "kpi-row", "aria-labelledby": legendId }, h("legend", { id: legendId }, `${legendText} ${index + 1}`), ...children);
}

function removeButton(what, index) {
  return h("button", { type: "button", class: "button-quiet", "aria-label": `Remove ${what} ${index + 1}` }, "Remove");
}

function kpiRow(kpi, index, currencyOf) {
  const metric = select(Object.entries(METRICS), kpi.metric || "conversions");
  const revenue = (kpi.metric || "") === "revenue";
  const shown = kpi.shown !== undefined ? kpi.shown : kpi.target === undefined ? "" : revenue ? toMajor(kpi.target, currencyOf()) : String(kpi.target);
  const target = input({ inputmode: "numeric", value: shown });
  const by = input({ type: "date", value: kpi.by || "" });
  const remove = removeButton("KPI", index);
  const el = group("KPI", index,
    field("Metric", metric, { field: `kpis.${index}.metric` }),
    field("Target", target, { field: `kpis.${index}.target`, hint: "A count; for revenue, an amount in the budget's currency" }),
    field("By", by, { field: `kpis.${index}.by` }),
    remove);
  const read = () => {
    const raw = target.value.trim();
    let value = /^\d+$/.test(raw) ? Number(raw) : raw;
    if (metric.value === "revenue" && raw !== "") {
      const m = toMinor(raw, currencyOf());
      value = Number.isNaN(m) ? raw : m;
    }
    return { metric: metric.value, target: value, by: by.value };
  };
  return { el, remove, read, value: () => ({ metric: metric.value, shown: target.value, by: by.value }) };
}

function tierRow(tier, index, currencyOf) {
  const orders = input({ inputmode: "numeric", value: tier.min_orders ?? "" });
  const revenue = input({ inputmode: "decimal", value: tier.shownRevenue ?? major(tier.min_revenue, currencyOf()) });
  const rate = input({ inputmode: "decimal", value: tier.shownRate ?? pct(tier.percent_bps) });
  const remove = removeButton("tier", index);
  const p = `commission.plan.tiers.${index}`;
  const el = group("Tier", index,
    field("From orders", orders, { field: `${p}.min_orders`, hint: "Earlier orders in the campaign" }),
    field("From revenue", revenue, { field: `${p}.min_revenue`, hint: "Earlier net revenue, in the budget's currency" }),
    field("Rate (%)", rate, { field: `${p}.percent_bps`, hint: RATE_HINT }),
    remove);
  return {
    el, remove,
    read: () => compact({ min_orders: num(orders.value), min_revenue: minor(revenue.value, currencyOf()), percent_bps: bps(rate.value) ?? "" }),
    value: () => ({ min_orders: orders.value, shownRevenue: revenue.value, shownRate: rate.value }),
  };
}

/** A key → rate row (SKU or category rates): the rate's data-field follows the key typed. */
function rateRow(what, mapName, entry, index) {
  const key = input({ value: entry.key || "", maxlength: "128" });
  const rate = input({ inputmode: "decimal", value: entry.shownRate ?? pct(entry.bps) });
  const remove = removeButton(what.toLowerCase() === "sku" ? "SKU rate" : `${what.toLowerCase()} rate`, index);
  const el = group(`${what} rate`, index,
    field(what, key, { field: `commission.plan.${mapName}` }),
    field("Rate (%)", rate, { field: `commission.plan.${mapName}.${entry.key || ""}`, hint: RATE_HINT }),
    remove);
  return {
    el, remove,
    read: () => {
      rate.dataset.field = `commission.plan.${mapName}.${key.value.trim()}`;
      return [key.value.trim(), bps(rate.value) ?? ""];
    },
    value: () => ({ key: key.value, shownRate: rate.value }),
  };
}

function stepRow(step, index, templates) {
  const options = templates.map((t) => [t.id, t.name]);
  if (step.template_id && !options.some(([id]) => id === step.template_id)) options.push([step.template_id, step.template_id]);
  const template = select(options.length ? options : [["", "No template yet"]], step.template_id || (options[0] || [""])[0]);
  const delay = input({ inputmode: "decimal", value: step.delay_days ?? (index === 0 ? "0" : "3") });
  const remove = removeButton("invitation step", index);
  const p = `workflow.invite_steps.${index}`;
  const el = group("Invitation step", index,
    field("Email template", template, { field: `${p}.template_id` }),
    field("Delay (days)", delay, { field: `${p}.delay_days`, hint: "After the previous step; 0 for the first" }),
    remove);
  return {
    el, remove,
    read: () => compact({ template_id: template.value, delay_days: num(delay.value) }),
    value: () => ({ template_id: template.value, delay_days: delay.value }),
  };
}

function deliverableRow(d, index) {
  const platform = select(PLATFORMS, d.platform || "instagram");
  const format = input({ value: d.format || "", maxlength: "50" });
  const n = input({ inputmode: "numeric", value: d.count ?? "1" });
  const remove = removeButton("deliverable", index);
  const p = `default_terms.deliverables.${index}`;
  const el = group("Deliverable", index,
    field("Platform", platform, { field: `${p}.platform` }),
    field("Format", format, { field: `${p}.format`, hint: "e.g. reel, story, video, post" }),
    field("Count", n, { field: `${p}.count` }),
    remove);
  return {
    el, remove,
    read: () => ({ platform: platform.value, format: format.value.trim(), count: num(n.value) ?? "" }),
    value: () => ({ platform: platform.value, format: format.value, count: n.value }),
  };
}

function section(legend, ...children) {
  return h("fieldset", { class: "form-group" }, h("legend", {}, legend), h("div", { class: "stack" }, ...children));
}

/** The campaign form; `onSave(body)` sends it and returns the saved campaign or throws. */
function campaignForm(campaign, { submitLabel, onSave, isNew, templates = [] }) {
  const c = campaign || {};
  const currency0 = c.budget ? c.budget.currency : "USD";
  // Basics
  const name = input({ name: "name", value: c.name || "", required: true, maxlength: "200" });
  const objective = select(OBJECTIVES, c.objective || "conversions", { name: "objective" });
  const status = select(isNew ? STATUSES.slice(0, 2) : STATUSES, c.status || "draft", { name: "status" });
  const start = input({ type: "date", name: "start_date", value: c.start_date || "" });
  const end = input({ type: "date", name: "end_date", value: c.end_date || "" });
  const domains = h("textarea", { name: "allowed_domains", rows: "3" }, (c.allowed_domains || []).join("\n"));
  const landing = input({ type: "url", value: c.landing_url || "", maxlength: "2000" });
  const brief = textarea(c.brief, { rows: "5", maxlength: "20000" });
  const slug = input({ value: c.slug || "", maxlength: "60", autocapitalize: "none" });
  const clickParam = input({ value: c.click_id_param || "rid", maxlength: "32", autocapitalize: "none" });
  const allowHttp = check("Allow http:// link destinations", c.allow_http, { field: "allow_http", hint: "https is always allowed" });
  const window_ = input({ inputmode: "numeric", value: String(c.attribution_window_days ?? 30) });
  const priority = select([["promo_code", "Promo code"], ["click", "Click"]], c.attribution_priority || "promo_code");
  // Budget & KPIs
  const amount = input({ name: "budget_amount", inputmode: "decimal", value: c.budget ? toMajor(c.budget.amount, currency0) : "" });
  const currency = input({ name: "budget_currency", value: currency0, maxlength: "3", autocapitalize: "characters", size: "4" });
  const cur = () => currency.value.trim().toUpperCase() || "USD";
  const kpis = repeater({
    values: c.kpis || [], addLabel: "Add a KPI", className: "kpi-rows",
    blank: () => ({ metric: "conversions", by: end.value }),
    make: (k, i) => kpiRow(k, i, cur),
  });
  // Commission plan
  const settings = c.commission || {};
  const plan = settings.plan || {};
  const rate = input({ name: "percent", inputmode: "decimal", value: plan.percent_bps !== undefined ? String(plan.percent_bps / 100) : "" });
  const cpa = input({ inputmode: "decimal", value: plan.cpa ? major(plan.cpa, currency0) : "" });
  const bonus = input({ inputmode: "decimal", value: plan.new_customer_bonus ? major(plan.new_customer_bonus, currency0) : "" });
  const holdDays = input({ inputmode: "numeric", value: String(plan.hold_days ?? 30) });
  const minPayout = input({ inputmode: "decimal", value: plan.min_payout ? major(plan.min_payout, currency0) : "" });
  const cap = input({ inputmode: "decimal", value: plan.cap_per_creator !== undefined && plan.cap_per_creator !== null ? major(plan.cap_per_creator, currency0) : "" });
  const selfPay = check("Pay commission on a creator's own orders", plan.pay_self_purchases, { field: "commission.plan.pay_self_purchases" });
  const afterEnd = input({ inputmode: "numeric", value: String(settings.accept_orders_days_after_end ?? 0) });
  const tiers = repeater({ values: plan.tiers || [], addLabel: "Add a tier", blank: {}, make: (t, i) => tierRow(t, i, cur) });
  const skuRates = repeater({
    values: Object.entries(plan.sku_rates_bps || {}).map(([key, b]) => ({ key, bps: b })),
    addLabel: "Add a SKU rate", blank: {}, make: (e, i) => rateRow("SKU", "sku_rates_bps", e, i),
  });
  const categoryRates = repeater({
    values: Object.entries(plan.category_rates_bps || {}).map(([key, b]) => ({ key, bps: b })),
    addLabel: "Add a category rate", blank: {}, make: (e, i) => rateRow("Category", "category_rates_bps", e, i),
  });
  const overrides = Object.keys(settings.creator_overrides || {}).length;
  // Workflow
  const wf = c.workflow || {};
  const timers = TIMERS.map(([key, label, hint]) => [key, timer(key, label, hint, wf[key])]);
  const seeding = check("Ship product before content (seeding)", wf.seeding, { field: "workflow.seeding" });
  const rounds = input({ inputmode: "numeric", value: String(wf.content_rounds ?? 3) });
  const under = input({ inputmode: "decimal", value: String(Math.round((wf.underperform_ratio ?? 0.5) * 1000) / 10) });
  const steps = repeater({ values: wf.invite_steps || [], addLabel: "Add an invitation step", blank: {}, make: (s, i) => stepRow(s, i, templates) });
  // Content rules
  const rules = c.content || {};
  const hashtags = textarea(lines(rules.hashtags));
  const mentions = textarea(lines(rules.mentions));
  const keywords = textarea(lines(rules.keywords));
  const mandatory = textarea(lines(rules.mandatory_mentions));
  const banned = textarea(lines(rules.banned_terms));
  // Monitoring
  const mon = c.monitoring || {};
  const monitorOn = check("Check creators' feeds on a schedule while active", mon.enabled ?? true, { field: "monitoring.enabled" });
  const every = input({ inputmode: "numeric", value: String(mon.every_hours ?? 24) });
  const postsDue = input({ type: "date", value: mon.posts_due || "" });
  // Opening offer (default_terms)
  const t = c.default_terms || {};
  const offerOn = check("Open each collaboration with this offer", Boolean(c.default_terms), { field: "default_terms" });
  const deliverables = repeater({ values: t.deliverables || [{}], addLabel: "Add a deliverable", blank: {}, make: deliverableRow });
  const windowStart = input({ type: "date", value: t.posting_window_start || "" });
  const windowEnd = input({ type: "date", value: t.posting_window_end || "" });
  const contentDue = input({ type: "date", value: t.content_due || "" });
  const fee = input({ inputmode: "decimal", value: t.fee_per_deliverable ? toMajor(t.fee_per_deliverable.amount, t.fee_per_deliverable.currency) : "" });
  const productSeeding = input({ value: t.product_seeding || "", maxlength: "500" });
  const termsCommission = check("The campaign's commission plan applies", t.commission ?? true, { field: "default_terms.commission" });
  const usage = textarea(t.usage_rights ?? "organic reposting on the brand's own channels", { maxlength: "1000", rows: "2" });
  const usageDays = input({ inputmode: "numeric", value: String(t.usage_rights_days ?? 90) });
  const disclosure = check("Disclosure (#ad) required in every post", t.disclosure_required ?? true, { field: "default_terms.disclosure_required" });
  const clause = textarea(t.cancellation_clause ?? "Either side may cancel before content is approved; approved, posted deliverables are paid.", { maxlength: "2000", rows: "2" });
  const offerBox = h("div", { class: "stack", hidden: c.default_terms ? undefined : true },
    h("fieldset", {}, h("legend", {}, "Deliverables"), deliverables.box, deliverables.add),
    h("div", { class: "row" },
      field("Posting window start", windowStart, { field: "default_terms.posting_window_start" }),
      field("Posting window end", windowEnd, { field: "default_terms.posting_window_end" }),
      field("Content due", contentDue, { field: "default_terms.content_due", hint: "Optional" })),
    field("Fee per deliverable", fee, { field: "default_terms.fee_per_deliverable.amount", hint: "Each unit of each count, in the budget's currency; empty for none" }),
    field("Product seeding", productSeeding, { field: "default_terms.product_seeding", hint: "What product is sent, if any" }),
    termsCommission.el,
    field("Usage rights", usage, { field: "default_terms.usage_rights" }),
    field("Usage rights (days)", usageDays, { field: "default_terms.usage_rights_days" }),
    disclosure.el,
    field("Cancellation clause", clause, { field: "default_terms.cancellation_clause" }));
  offerOn.box.addEventListener("change", () => {
    offerBox.hidden = !offerOn.box.checked;
  });

  const alertSlot = h("div", { class: "alert-slot" });
  const saved = h("p", { class: "saved", role: "status" });
  const submit = h("button", { type: "submit" }, submitLabel);
  const hours = "hours";
  const form = h(
    "form",
    { class: "stack campaign-form", novalidate: true },
    alertSlot,
    section("Basics",
      field("Name", name, { field: "name" }),
      h("div", { class: "row" }, field("Objective", objective, { field: "objective" }), field("Status", status, { field: "status" })),
      h("div", { class: "row" }, field("Start date", start, { field: "start_date" }), field("End date", end, { field: "end_date" })),
      field("Allowed domains", domains, { field: "allowed_domains", hint: "Hosts tracking links may point to, one a line; *.example.com covers subdomains" }),
      field("Landing page", landing, { field: "landing_url", hint: "Where onboarding's tracking links point (on an allowed domain); optional" }),
      field("Brief", brief, { field: "brief", hint: "Emailed at onboarding: voice, do's and don'ts, examples" })),
    section("Links and attribution",
      h("div", { class: "row" },
        field("Slug (utm_campaign)", slug, { field: "slug", hint: "Lowercase words joined by -; derived from the campaign's name if empty" }),
        field("Click id parameter", clickParam, { field: "click_id_param", hint: "Query parameter carrying the click id to the store" })),
      allowHttp.el,
      h("div", { class: "row" },
        field("Attribution window (days)", window_, { field: "attribution_window_days", hint: "How long after a click an order still counts" }),
        field("When an order has a code and a click", priority, { field: "attribution_priority" }))),
    section("Budget & KPIs",
      h("div", { class: "row" },
        field("Budget", amount, { field: "budget.amount", hint: "In the currency's units, e.g. 1500.00; empty for none" }),
        field("Currency", currency, { field: "budget.currency", hint: "ISO 4217, e.g. USD" })),
      h("fieldset", { class: "kpis-set" }, h("legend", {}, "KPIs"), kpis.box, kpis.add)),
    section("Commission plan",
      h("p", { class: "hint" }, "Amounts are in the budget's currency; rates are on the net item subtotal (excluding tax, shipping and discounts)."),
      h("div", { class: "row" },
        field("Base commission rate (%)", rate, { field: "commission.plan.percent_bps", hint: "On the net item subtotal, e.g. 10 for 10 %" }),
        field("Flat amount per order (CPA)", cpa, { field: "commission.plan.cpa", hint: "Empty for none" }),
        field("New-customer bonus", bonus, { field: "commission.plan.new_customer_bonus", hint: "Extra per first-time customer" })),
      h("fieldset", {}, h("legend", {}, "Tiers"),
        h("p", { class: "hint" }, "The highest tier a creator's earlier orders reach replaces the base rate."), tiers.box, tiers.add),
      h("fieldset", {}, h("legend", {}, "SKU rates"),
        h("p", { class: "hint" }, "A rate for one SKU replaces the base rate on that line."), skuRates.box, skuRates.add),
      h("fieldset", {}, h("legend", {}, "Category rates"),
        h("p", { class: "hint" }, "For a line without a SKU rate."), categoryRates.box, categoryRates.add),
      h("div", { class: "row" },
        field("Hold (days)", holdDays, { field: "commission.plan.hold_days", hint: "Pending until the order is this old, then approved" }),
        field("Minimum payout", minPayout, { field: "commission.plan.min_payout", hint: "Smallest approved balance a payout includes" }),
        field("Cap per creator", cap, { field: "commission.plan.cap_per_creator", hint: "Most a creator can earn; empty for no cap" }),
        field("Orders still earn for (days after the campaign ends)", afterEnd, { field: "commission.accept_orders_days_after_end" })),
      selfPay.el,
      overrides ? h("p", { class: "hint" }, `${overrides} creator${overrides === 1 ? " has" : "s have"} a plan of their own (creator_overrides, set through the API); saving keeps them.`) : null),
    section("Workflow timers",
      h("p", { class: "hint" }, "Each timer is a number and its unit (days, hours, minutes or seconds)."),
      h("div", { class: "timers" }, timers.map(([, tm]) => tm.el)),
      h("div", { class: "row" },
        field("Content rounds", rounds, { field: "workflow.content_rounds", hint: "Proposals a creator may submit (1–10)" }),
        field("Underperforming below (% of the median clicks)", under, { field: "workflow.underperform_ratio" })),
      seeding.el,
      h("fieldset", {}, h("legend", {}, "Invitation emails"),
        h("p", { class: "hint" }, templates.length ? "Sent to each creator when a collaboration starts; empty: share the creator's page yourself." : "No email template yet: create one under Outreach first."),
        steps.box, steps.add)),
    section("Opening offer", offerOn.el, offerBox),
    section("Content rules",
      h("p", { class: "hint" }, "One a line."),
      h("div", { class: "row" },
        field("Hashtags", hashtags, { field: "content.hashtags", hint: "Identify the campaign's posts" }),
        field("Mentions", mentions, { field: "content.mentions", hint: "Handles that identify its posts" }),
        field("Keywords", keywords, { field: "content.keywords" })),
      h("div", { class: "row" },
        field("Mandatory mentions", mandatory, { field: "content.mandatory_mentions", hint: "Must appear in every post" }),
        field("Banned terms", banned, { field: "content.banned_terms", hint: "Must never appear" }))),
    section("Monitoring",
      monitorOn.el,
      h("div", { class: "row" },
        field(`Check every (${hours})`, every, { field: "monitoring.every_hours", hint: "1 to 168; 24 is daily" }),
        field("Posts due", postsDue, { field: "monitoring.posts_due", hint: "After this day a creator without a post raises an alert" }))),
    h("div", { class: "actions" }, submit, saved),
  );

  function body() {
    const currencyNow = cur();
    const amountRaw = amount.value.trim();
    const rateRaw = rate.value.trim();
    const commission = {
      ...structuredClone(settings),
      plan: compact({
        ...compact({ ...plan, tiers: undefined, sku_rates_bps: undefined, category_rates_bps: undefined }),
        percent_bps: rateRaw === "" ? 0 : bps(rateRaw),
        cpa: minor(cpa.value, currencyNow) ?? 0,
        new_customer_bonus: minor(bonus.value, currencyNow) ?? 0,
        hold_days: num(holdDays.value),
        min_payout: minor(minPayout.value, currencyNow) ?? 0,
        cap_per_creator: minor(cap.value, currencyNow) ?? null,
        pay_self_purchases: selfPay.box.checked,
        tiers: tiers.read(),
        sku_rates_bps: Object.fromEntries(skuRates.read().filter(([k, v]) => k !== "" || v !== "")),
        category_rates_bps: Object.fromEntries(categoryRates.read().filter(([k, v]) => k !== "" || v !== "")),
      }),
      accept_orders_days_after_end: num(afterEnd.value) ?? 0,
    };
    const under_ = num(under.value);
    const workflow = compact({
      ...Object.fromEntries(timers.map(([key, tm]) => [key, tm.read()])),
      seeding: seeding.box.checked,
      content_rounds: num(rounds.value),
      underperform_ratio: typeof under_ === "number" ? under_ / 100 : under_,
      invite_steps: steps.read(),
    });
    const out = {
      name: name.value.trim(),
      objective: objective.value,
      status: status.value,
      start_date: start.value,
      end_date: end.value,
      allowed_domains: domains.value.split(/[\n,]+/).map((d) => d.trim()).filter(Boolean),
      landing_url: landing.value.trim() || null,
      brief: brief.value.trim() || null,
      click_id_param: clickParam.value.trim(),
      allow_http: allowHttp.box.checked,
      attribution_window_days: num(window_.value),
      attribution_priority: priority.value,
      kpis: kpis.read(),
      commission,
      workflow,
      content: {
        hashtags: split(hashtags.value),
        mentions: split(mentions.value),
        keywords: split(keywords.value),
        mandatory_mentions: split(mandatory.value),
        banned_terms: split(banned.value),
      },
      monitoring: compact({ enabled: monitorOn.box.checked, every_hours: num(every.value), posts_due: postsDue.value || null }),
      default_terms: offerOn.box.checked
        ? compact({
            deliverables: deliverables.read(),
            posting_window_start: windowStart.value,
            posting_window_end: windowEnd.value,
            content_due: contentDue.value || null,
            fee_per_deliverable: fee.value.trim() === "" ? null : { amount: minor(fee.value, currencyNow), currency: currencyNow },
            product_seeding: productSeeding.value.trim() || null,
            commission: termsCommission.box.checked,
            usage_rights: usage.value.trim(),
            usage_rights_days: num(usageDays.value),
            disclosure_required: disclosure.box.checked,
            cancellation_clause: clause.value.trim(),
          })
        : null,
    };
    if (slug.value.trim()) out.slug = slug.value.trim();
    if (amountRaw !== "" || currencyNow !== currency0 || !isNew) {
      out.budget = amountRaw === "" ? null : { amount: minor(amountRaw, currencyNow), currency: currencyNow };
    }
    if (isNew) for (const key of ["budget", "landing_url", "brief", "default_terms"]) if (out[key] === null) delete out[key];
    return compact(out);
  }

  onSubmit(form, alertSlot, submit, () => {
    saved.textContent = "";
    return onSave(body(), { saved });
  });
  return form;
}

/** The brand's email templates, for the invitation steps (none when the call fails). */
async function templateList() {
  try {
    return (await api.all("/v1/email-templates", { pages: 3 })).items;
  } catch (error) {
    if (error instanceof api.SessionEnded) throw error;
    return [];
  }
}

export async function renderNew(main, _params, { setTitle }) {
  setTitle("New campaign");
  const templates = await templateList();
  const form = campaignForm(null, {
    isNew: true,
    templates,
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
  let campaign = await loadCampaign(main, id, setTitle);
  if (!campaign) return undefined;
  const report = await api.get(`${path}/report`).catch((e) => {
    if (e instanceof api.SessionEnded) throw e;
    return null;
  });
  const templates = await templateList();
  setTitle(campaign.name);
  const heading = h("h1", { tabindex: "-1" }, campaign.name);
  const mount = h("div", {});
  const draw = (current) => fill(mount, campaignForm(current, {
    isNew: false,
    templates,
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
    h("section", { "aria-labelledby": "so-far" }, h("h2", { id: "so-far" }, "So far"), summary(report, campaign) || h("p", { class: "muted" }, "No report yet."),
      h("p", {}, h("a", { href: `#/campaigns/${encodeURIComponent(campaign.id)}/report` }, "The full report, charts and CSV"))),
    h("section", { "aria-labelledby": "settings" }, h("h2", { id: "settings" }, "Settings"), mount),
  );
}
