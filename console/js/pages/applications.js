// Applications (#/applications?status=pending|approved|declined): what creators sent through the
// brand's public application page, once they confirmed their email (GET /v1/applications). Each is
// a card: name, email, handles with followers, country, note, when they applied and for which
// campaign. A pending one has Approve (with an optional campaign: a collaboration starts there,
// POST /v1/applications/{id}/approve) and Decline (with an optional email template, else a kind
// default note; POST /v1/applications/{id}/decline). The list refreshes every 5 s while visible.
// Also the Settings tab "Application page" (GET/PUT /v1/application-page): slug, intro, enabled,
// the campaigns one may apply to, and the public URL to share.

import * as api from "../api.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { REFRESH_MS, whileVisible } from "../live.js";
import { clearErrors, field, input, select, showError } from "../form.js";
import { count } from "../format.js";

const STATUSES = [
  ["pending", "Pending"],
  ["approved", "Approved"],
  ["declined", "Declined"],
];
const OPEN = new Set(["draft", "active"]);

function handles(app) {
  if (!app.handles.length) return "—";
  return h("ul", { class: "application-handles" },
    app.handles.map((x) => h("li", {}, `${x.platform}: @${x.handle}`, x.followers === null || x.followers === undefined ? "" : ` · ${count(x.followers)} followers`)));
}

function decisionForms(app, { campaigns, templates, announce, refresh }) {
  const headingId = `app-${app.id}`;
  const formAlert = h("div", { class: "alert-slot" });
  const open = campaigns.filter((c) => OPEN.has(c.status));
  const campaign = select(
    [["", "No collaboration now"], ...open.map((c) => [c.id, c.name])],
    open.some((c) => c.id === app.campaign_id) ? app.campaign_id : "",
    { name: "campaign_id", id: uid("approve-campaign") },
  );
  const template = select([["", "Default note"], ...templates.map((t) => [t.id, t.name])], "", { name: "template_id", id: uid("decline-template") });
  const approveButton = h("button", { type: "submit" }, "Approve");
  const declineButton = h("button", { type: "submit", class: "button-danger" }, "Decline");
  const approve = h("form", { class: "stack application-decide", "aria-label": `Approve ${app.name}` },
    field("Start a collaboration in", campaign, { field: "campaign_id", hint: "Optional: the creator is invited to this campaign" }),
    h("div", { class: "actions" }, approveButton));
  const decline = h("form", { class: "stack application-decide", "aria-label": `Decline ${app.name}` },
    field("Decline email", template, { field: "template_id", hint: "The brand's template, or a short kind note" }),
    h("div", { class: "actions" }, declineButton));
  const send = (form, button, action, body, done) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, formAlert);
      approveButton.disabled = true;
      declineButton.disabled = true;
      try {
        await api.call("POST", `/v1/applications/${encodeURIComponent(app.id)}/${action}`, body());
        announce(done());
        await refresh();
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
      } finally {
        approveButton.disabled = false;
        declineButton.disabled = false;
      }
    });
  };
  send(approve, approveButton, "approve", () => (campaign.value ? { campaign_id: campaign.value } : {}), () =>
    campaign.value
      ? `${app.name} is approved; a collaboration started in ${campaign.selectedOptions[0].textContent}.`
      : `${app.name} is approved.`);
  send(decline, declineButton, "decline", () => (template.value ? { template_id: template.value } : {}), () => `${app.name} is declined and emailed.`);
  return h("div", { class: "application-actions", "aria-labelledby": headingId }, formAlert, approve, decline);
}

function card(app, ctx) {
  const headingId = `app-${app.id}`;
  const campaignName = app.campaign_id ? ctx.campaignName(app.campaign_id) : "—";
  return h("li", { class: "card application-card" },
    h("h2", { class: "application-name", id: headingId }, app.name),
    h("dl", { class: "figures application-figures" },
      item("Email", h("a", { href: `mailto:${app.email}` }, app.email)),
      item("Handles", handles(app)),
      item("Country", app.country || "—"),
      item("Applied", when(app.applied_at)),
      item("Campaign", campaignName),
      app.status !== "pending" ? item(app.status === "approved" ? "Approved" : "Declined", when(app.decided_at)) : null,
      app.collaboration_id ? item("Collaboration", h("a", { href: `#/collaborations/${encodeURIComponent(app.collaboration_id)}` }, "Open")) : null,
      app.creator_id ? item("Creator", h("a", { href: `#/creators/${encodeURIComponent(app.creator_id)}` }, "Profile")) : null),
    app.note ? h("blockquote", { class: "application-note" }, app.note) : null,
    app.status === "pending" ? decisionForms(app, ctx) : null);
}

export async function render(main, _params, { setTitle, query }) {
  setTitle("Applications");
  const status = STATUSES.some(([s]) => s === query.get("status")) ? query.get("status") : "pending";
  const problems = h("div", { class: "alert-slot" });
  const said = h("p", { class: "saved status-line", role: "status" });
  const list = h("ul", { class: "application-list", "aria-label": `${status} applications` });
  const more = h("p", { class: "muted" });
  fill(main,
    h("h1", { tabindex: "-1" }, "Applications"),
    h("p", { class: "muted" }, "Creators who applied on your application page and confirmed their email. ",
      h("a", { href: "#/settings?tab=apply" }, "Set up the application page")),
    h("nav", { class: "tabs", "aria-label": "Application status" },
      h("ul", {}, STATUSES.map(([key, text]) =>
        h("li", {}, h("a", { href: `#/applications?status=${key}`, "aria-current": key === status ? "page" : undefined }, text))))),
    problems, said, list, more);
  const [campaigns, templates] = await Promise.all([
    api.all("/v1/campaigns", { pages: 5 }),
    api.get("/v1/email-templates?limit=50"),
  ]);
  const names = Object.fromEntries(campaigns.items.map((c) => [c.id, c.name]));
  let busy = false;
  const ctx = {
    campaigns: campaigns.items,
    templates: templates.items,
    campaignName: (id) => names[id] || id,
    announce: (message) => {
      said.textContent = message;
    },
    refresh: async () => load(),
  };
  async function load() {
    if (busy) return;
    busy = true;
    try {
      const data = await api.all(`/v1/applications?status=${status}`, { pages: 5 });
      // A decision in progress keeps its form: only re-draw when nothing is being typed into.
      if (list.contains(document.activeElement) && status === "pending") {
        const shown = new Set([...list.querySelectorAll(".application-card h2")].map((x) => x.id));
        if (data.items.every((a) => shown.has(`app-${a.id}`)) && shown.size === data.items.length) return;
      }
      fill(list, data.items.length ? data.items.map((a) => card(a, ctx)) : h("li", { class: "card empty" }, `No ${status} applications.`));
      fill(more, data.more ? "More applications than shown; decide these first." : `Refreshes every ${REFRESH_MS / 1000} s while visible.`);
      fill(problems);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    } finally {
      busy = false;
    }
  }
  await load();
  return whileVisible(load);
}

// ---- Settings: the application page

export async function applicationPageTab(section, { me, announce }) {
  let current = null;
  try {
    current = await api.get("/v1/application-page");
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  const intro = h("p", { class: "muted" }, "A public page where creators apply to work with you; they confirm their email before the application shows in Applications.");
  const url = current ? h("p", { class: "application-url" }, "Share: ", h("a", { href: current.url, target: "_blank", rel: "noopener" }, current.url)) : null;
  if (me.role !== "admin") {
    fill(section, h("h2", {}, "Application page"), intro,
      current ? [url, h("dl", { class: "figures" }, item("Enabled", current.enabled ? "Yes" : "No"), item("Updated", when(current.updated_at)))]
        : h("p", {}, "No application page yet."),
      h("p", { class: "alert alert-info only-admin" }, "Only an admin can change the application page."));
    return;
  }
  const campaigns = (await api.all("/v1/campaigns", { pages: 5 })).items;
  const c = current || { slug: "", intro: "", enabled: true, campaign_ids: [] };
  const formAlert = h("div", { class: "alert-slot" });
  const slug = input({ name: "slug", autocomplete: "off", spellcheck: "false", maxlength: "60", value: c.slug });
  const text = h("textarea", { name: "intro", rows: "4", maxlength: "4000" }, c.intro || "");
  const enabled = h("input", { type: "checkbox", name: "enabled", id: uid("apply-enabled"), checked: c.enabled ? true : undefined });
  const boxes = campaigns.map((camp) => {
    const box = h("input", { type: "checkbox", value: camp.id, id: uid("apply-campaign"), checked: c.campaign_ids.includes(camp.id) ? true : undefined });
    return h("li", {}, box, " ", h("label", { for: box.id }, `${camp.name} `, h("span", { class: "muted" }, `(?campaign=${camp.slug})`)));
  });
  const campaignSet = h("fieldset", { class: "application-campaigns", "data-field": "campaign_ids" },
    h("legend", {}, "Campaigns one may apply to"),
    boxes.length ? h("ul", { class: "plain-list" }, boxes) : h("p", { class: "muted" }, "No campaigns yet."));
  const saved = h("p", { class: "muted" }, current ? ["Last saved ", when(current.updated_at)] : "Not set up yet.");
  const submit = h("button", { type: "submit" }, "Save application page");
  const form = h("form", { class: "stack panel application-page-form", novalidate: true, "aria-labelledby": "apply-h" },
    formAlert,
    field("Address (slug)", slug, { field: "slug", hint: "Lowercase letters, digits and dashes, 3–60: the page is at /apply/<slug>" }),
    field("Intro", text, { field: "intro", hint: "Shown above the form: who you look for, what you offer" }),
    h("div", { class: "field" }, h("label", { for: enabled.id, class: "check" }, enabled, " Page is open for applications")),
    campaignSet,
    h("div", { class: "actions" }, submit, saved));
  const shownUrl = h("div", {}, url);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    submit.disabled = true;
    try {
      const answer = await api.call("PUT", "/v1/application-page", {
        slug: slug.value.trim(),
        intro: text.value.trim(),
        enabled: enabled.checked,
        campaign_ids: campaigns.filter((_, i) => boxes[i].querySelector("input").checked).map((camp) => camp.id),
      });
      fill(saved, "Last saved ", when(answer.updated_at));
      fill(shownUrl, h("p", { class: "application-url" }, "Share: ", h("a", { href: answer.url, target: "_blank", rel: "noopener" }, answer.url)));
      announce("The application page is saved.");
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });
  fill(section, h("h2", { id: "apply-h", tabindex: "-1" }, "Application page"), intro, shownUrl, form);
}
