// Alerts: the inbox of problems Roster found (GET /v1/alerts) with the filters the route takes,
// kept in the hash (#/alerts?status=open&kind=disclosure&campaign_id=…&creator_id=…), and a
// Resolve action per open alert with an optional note (POST /v1/alerts/{id}/resolve). A resolved
// alert is redrawn in place from the API's answer; the list is not reloaded.

import * as api from "../api.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { clearErrors, field, select, showError } from "../form.js";
import { whileVisible } from "../live.js";

const KINDS = [
  ["disclosure", "Disclosure"],
  ["brand_rules", "Brand rules"],
  ["missing_post", "Missing post"],
  ["deadline", "Deadline"],
  ["stalled", "Stalled"],
  ["underperforming", "Underperforming"],
  ["budget_80", "Budget 80 %"],
  ["budget_100", "Budget 100 %"],
  ["post_unreadable", "Post unreadable"],
];
const KIND_LABEL = Object.fromEntries(KINDS);
const STATUSES = [["open", "Open"], ["resolved", "Resolved"]];
const FILTERS = ["status", "kind", "campaign_id", "creator_id", "collaboration_id"];

/** The filters of a hash's query ("status=open&kind=…"), only the ones the route takes. */
function readFilters(search) {
  const out = {};
  for (const key of FILTERS) {
    const value = search.get(key);
    if (value) out[key] = value;
  }
  return out;
}

export async function render(main, _params, { setTitle, query }) {
  setTitle("Alerts");
  const filters = readFilters(query);
  const problems = h("div", { class: "alert-slot" });
  const announce = h("p", { class: "visually-hidden", role: "status" });

  // Names for the campaign and creator ids the alerts carry, and the choices of the filters.
  const [campaigns, creators] = await Promise.all([
    api.all("/v1/campaigns", { pages: 5 }),
    api.all("/v1/creators", { pages: 5 }),
  ]);
  const campaignName = Object.fromEntries(campaigns.items.map((c) => [c.id, c.name]));
  const creatorName = Object.fromEntries(creators.items.map((c) => [c.id, c.name]));

  const status = select([["", "All"], ...STATUSES], filters.status || "", { id: uid("alert-status") });
  const kind = select([["", "All kinds"], ...KINDS], filters.kind || "", { id: uid("alert-kind") });
  const campaign = select([["", "All campaigns"], ...campaigns.items.map((c) => [c.id, c.name])], filters.campaign_id || "", { id: uid("alert-campaign") });
  const creator = select([["", "All creators"], ...creators.items.map((c) => [c.id, c.name])], filters.creator_id || "", { id: uid("alert-creator") });
  // A filter from the hash that is not among the choices (a campaign past the first pages) stays.
  for (const [control, key] of [[campaign, "campaign_id"], [creator, "creator_id"]]) {
    if (filters[key] && control.value !== filters[key]) {
      control.append(h("option", { value: filters[key], selected: true }, filters[key]));
    }
  }
  const collaboration = filters.collaboration_id
    ? h("p", { class: "muted" }, `One collaboration's alerts (${filters.collaboration_id}). `,
        h("button", { type: "button", class: "button-quiet", onclick: () => {
          delete filters.collaboration_id;
          collaboration.remove();
          apply();
        } }, "Show every collaboration"))
    : null;

  const list = h("ul", { class: "alert-list", "aria-label": "Alerts" });
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more");
  let cursor = null;
  let shown = 0;
  let pages = 0;
  let seen = "";

  function current() {
    return {
      status: status.value,
      kind: kind.value,
      campaign_id: campaign.value,
      creator_id: creator.value,
      collaboration_id: filters.collaboration_id,
    };
  }

  function card(alert) {
    const headingId = uid("alert");
    const resolution = alert.resolution;
    const by = resolution ? (resolution.actor ? resolution.actor.name : resolution.by === "roster" ? "Roster" : resolution.by) : null;
    const el = h(
      "li",
      { class: `alert-card alert-card-${alert.status}`, "data-alert-id": alert.id },
      h("article", { "aria-labelledby": headingId },
        h("h2", { id: headingId, class: "alert-title" },
          h("span", { class: "alert-kind" }, KIND_LABEL[alert.kind] || alert.kind), " · ",
          h("span", { class: `alert-status alert-status-${alert.status}` }, alert.status === "open" ? "Open" : "Resolved")),
        h("p", { class: "alert-message" }, alert.message),
        h("dl", { class: "figures" },
          item("Campaign", h("a", { href: `#/campaigns/${alert.campaign_id}` }, campaignName[alert.campaign_id] || alert.campaign_id)),
          item("Creator", creatorName[alert.creator_id] || alert.creator_id),
          item("Opened", when(alert.created_at)),
          alert.reopened_at ? item("Opened again", when(alert.reopened_at)) : null,
          resolution ? item("Resolved", [when(resolution.at), by ? ` by ${by}` : null]) : null),
        resolution && resolution.reason ? h("p", { class: "alert-note" }, h("span", { class: "muted" }, "Note: "), resolution.reason) : null,
        alert.status === "open" ? resolveAction(alert) : null),
    );
    return el;
  }

  function resolveAction(alert) {
    const formId = uid("resolve");
    const toggle = h("button", { type: "button", class: "button-quiet", "aria-expanded": "false", "aria-controls": formId }, "Resolve");
    const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const formAlert = h("div", { class: "alert-slot" });
    const submit = h("button", { type: "submit" }, "Resolve alert");
    const cancel = h("button", { type: "button", class: "button-quiet" }, "Cancel");
    const form = h(
      "form",
      { id: formId, class: "stack resolve-form", hidden: true, novalidate: true, "aria-label": `Resolve the ${KIND_LABEL[alert.kind] || alert.kind} alert` },
      formAlert,
      field("Note (optional)", note, { field: "note", hint: "Why it is resolved; kept on the alert" }),
      h("div", { class: "actions" }, submit, cancel),
    );
    function open(yes) {
      form.hidden = !yes;
      toggle.hidden = yes;
      toggle.setAttribute("aria-expanded", String(yes));
      if (yes) note.focus();
      else toggle.focus();
    }
    toggle.addEventListener("click", () => open(true));
    cancel.addEventListener("click", () => open(false));
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") open(false);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, formAlert);
      submit.disabled = true;
      try {
        const text = note.value.trim();
        const resolved = await api.call("POST", `/v1/alerts/${encodeURIComponent(alert.id)}/resolve`, text ? { note: text } : {});
        const old = form.closest("li");
        const fresh = card(resolved);
        old.replaceWith(fresh);
        announce.textContent = `${KIND_LABEL[resolved.kind] || resolved.kind} alert resolved.`;
        fresh.querySelector(".alert-title").setAttribute("tabindex", "-1");
        fresh.querySelector(".alert-title").focus();
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
      } finally {
        submit.disabled = false;
      }
    });
    return h("div", { class: "alert-actions" }, toggle, form);
  }

  const signature = (items) => items.map((a) => `${a.id}:${a.status}:${a.reopened_at || ""}:${a.message}`).join(",");

  async function load(reset, prefetched) {
    try {
      const q = api.query({ ...current(), limit: 50, cursor: reset ? null : cursor });
      const data = prefetched || (await api.get(`/v1/alerts${q}`));
      if (reset) {
        fill(list);
        shown = 0;
        pages = 0;
        seen = signature(data.items);
      }
      pages += 1;
      fill(problems);
      for (const a of data.items) list.append(card(a));
      shown += data.items.length;
      if (!shown) {
        const filtered = Object.values(current()).some(Boolean);
        list.append(h("li", { class: "empty" }, filtered ? "No alert matches these filters." : "No alert yet: Roster has found no problem."));
      }
      cursor = data.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }

  function apply() {
    // Kept in the hash (a reload or a shared link shows the same list), without a new route.
    history.replaceState(null, "", `#/alerts${api.query(current())}`);
    return load(true);
  }

  for (const control of [status, kind, campaign, creator]) control.addEventListener("change", apply);
  more.addEventListener("click", () => load(false));
  const refresh = h("button", { type: "button", class: "button-quiet", onclick: () => load(true) }, "Refresh");
  fill(
    main,
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Alerts"), refresh),
    problems,
    announce,
    h("form", { class: "filters", role: "search", "aria-label": "Filter alerts", onsubmit: (e) => e.preventDefault() },
      h("div", { class: "field field-inline" }, h("label", { for: status.id }, "Status"), status),
      h("div", { class: "field field-inline" }, h("label", { for: kind.id }, "Kind"), kind),
      h("div", { class: "field field-inline" }, h("label", { for: campaign.id }, "Campaign"), campaign),
      h("div", { class: "field field-inline" }, h("label", { for: creator.id }, "Creator"), creator)),
    collaboration,
    list,
    more,
  );
  await load(true);

  // Near real time: a new or reopened alert (a monitoring run, a webhook) shows within seconds.
  // Only the first page is reloaded, and only while nobody is working in the list (a resolve form
  // open, focus on an alert, more pages shown): redrawing then would take their place away.
  async function poll() {
    if (document.visibilityState !== "visible" || pages > 1) return;
    if (list.querySelector(".resolve-form:not([hidden])") || list.contains(document.activeElement)) return;
    try {
      const data = await api.get(`/v1/alerts${api.query({ ...current(), limit: 50 })}`);
      if (signature(data.items) === seen) return;
      if (list.querySelector(".resolve-form:not([hidden])") || list.contains(document.activeElement)) return;
      await load(true, data);
      announce.textContent = "The alerts have changed.";
    } catch {
      // A failed poll changes nothing on the page; the next one tries again.
    }
  }
  return whileVisible(poll);
}
