// Creators: the roster (search, sort, the API's filters, bulk actions), a new creator, the CSV
// import with its per-row results, and a creator's profile (platforms, audience quality and
// screening against a campaign (discovery.js), results and earnings, collaborations across
// campaigns with ratings, notes) with its edit form.
//
// The list reads every creator that matches the API's filters (status, tier, tag, country, owner)
// through api.all; the search and the sort run here over what was read. Filters, search and sort
// are kept in the hash (#/creators?tier=micro&q=maya&sort=followers&dir=desc).

import * as api from "../api.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { clearErrors, field, input, onSubmit, select, showError } from "../form.js";
import { count, day, money } from "../format.js";
import { READ_PLATFORMS, qualityPanel, screeningPanel } from "./discovery.js";

const STATUSES = [["prospect", "Prospect"], ["active", "Active"], ["archived", "Archived"]];
const TIERS = [["nano", "Nano"], ["micro", "Micro"], ["mid", "Mid"], ["macro", "Macro"]];
const PLATFORMS = [
  "instagram", "tiktok", "youtube", "x", "facebook", "threads", "twitch", "pinterest",
  "snapchat", "linkedin", "bluesky", "mastodon", "blog", "podcast",
];
const PLATFORM_LABEL = {
  instagram: "Instagram", tiktok: "TikTok", youtube: "YouTube", x: "X", facebook: "Facebook",
  threads: "Threads", twitch: "Twitch", pinterest: "Pinterest", snapchat: "Snapchat",
  linkedin: "LinkedIn", bluesky: "Bluesky", mastodon: "Mastodon", blog: "Blog", podcast: "Podcast",
};
const STAGE_LABEL = {
  invite: "Invited", negotiate: "Negotiating", contract: "Contract", onboard: "Onboarding",
  seeding: "Seeding", content: "Content", live: "Live", measure: "Measuring", close: "Closing", closed: "Closed",
};
const FILTERS = ["status", "tier", "tag", "country", "owner_id"];
const NOTICE = "roster.creators.notice";
const BATCH = 500; // creator_ids per POST …/collaborations (the API's maximum)

function notice(message) {
  sessionStorage.setItem(NOTICE, message);
}

function takeNotice() {
  const message = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return message ? alertBox(message, "info") : null;
}

function label(pairs, value) {
  const found = pairs.find(([v]) => v === value);
  return found ? found[1] : value || "—";
}

/** The team, for owner names and choices. Listing members is admin-only (GET /v1/members); a
 * member without admin rights knows only themself, so they can take a creator or clear it. */
async function loadTeam(me) {
  try {
    const data = await api.get("/v1/members");
    return { members: data.items.map((m) => ({ id: m.id, name: m.name || m.email })), all: true };
  } catch (error) {
    if (error instanceof api.SessionEnded) throw error;
    const self = me && me.member_id ? [{ id: me.member_id, name: me.name }] : [];
    return { members: self, all: false };
  }
}

function ownerName(team, id) {
  if (!id) return "—";
  const found = team.members.find((m) => m.id === id);
  if (found) return found.name;
  return team.all ? "A former member" : "Another member";
}

function ownerChoices(team, current) {
  const options = [["", "No owner"], ...team.members.map((m) => [m.id, m.name])];
  if (current && !options.some(([v]) => v === current)) options.push([current, ownerName(team, current)]);
  return options;
}

function engagement(c) {
  const rate = c.engagement && c.engagement.engagement_rate;
  return rate === null || rate === undefined ? "—" : `${rate} %`;
}

function handles(c) {
  const entries = Object.entries(c.platforms || {});
  if (!entries.length) return "—";
  return h("ul", { class: "plain-list" }, entries.map(([p, s]) =>
    h("li", {}, `${PLATFORM_LABEL[p] || p}: @${s.handle}`, s.followers !== null && s.followers !== undefined ? h("span", { class: "muted" }, ` (${count(s.followers)})`) : null)));
}

/** A table that may scroll sideways on a phone: a labelled region the keyboard can reach. */
function wrap(table) {
  const caption = table.querySelector("caption");
  const name = `${caption ? caption.textContent : "Table"} (scrolls sideways)`;
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": name }, table);
}

function errorText(error) {
  const details = (error.details || []).map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
  return details.length ? `${error.message} (${details.join("; ")})` : error.message;
}

// ---- the roster

const COLUMNS = [
  // key, heading, value for sorting
  ["name", "Name", (c) => c.name.toLowerCase()],
  ["platforms", "Platforms", (c) => Object.values(c.platforms || {}).map((s) => s.handle.toLowerCase()).join(" ")],
  ["followers", "Followers", (c) => c.followers ?? -1],
  ["engagement", "Engagement", (c) => (c.engagement && c.engagement.engagement_rate) ?? -1],
  ["tier", "Tier", (c) => TIERS.findIndex(([t]) => t === c.tier)],
  ["status", "Status", (c) => c.status],
  ["tags", "Tags", (c) => (c.tags || []).join(" ")],
  ["country", "Country", (c) => c.country || ""],
  ["owner", "Owner", null], // sorted by the owner's name, filled in per page
];

function matches(c, text) {
  if (!text) return true;
  const needle = text.toLowerCase().replace(/^@/, "");
  const hay = [c.name, c.email, ...Object.values(c.platforms || {}).map((s) => s.handle)].join("\n").toLowerCase();
  return hay.includes(needle);
}

export async function renderList(main, _params, { setTitle, query, me }) {
  setTitle("Creators");
  const problems = h("div", { class: "alert-slot" }, takeNotice());
  const announce = h("p", { class: "visually-hidden", role: "status" });
  const [team, campaigns] = await Promise.all([loadTeam(me), api.all("/v1/campaigns", { pages: 5 })]);
  const open = campaigns.items.filter((c) => c.status === "draft" || c.status === "active");

  const filterStatus = select([["", "All"], ...STATUSES], query.get("status") || "", { id: uid("cr-status") });
  const filterTier = select([["", "All"], ...TIERS], query.get("tier") || "", { id: uid("cr-tier") });
  const filterTag = input({ id: uid("cr-tag"), value: query.get("tag") || "", maxlength: "50", size: "12" });
  const filterCountry = input({ id: uid("cr-country"), value: query.get("country") || "", maxlength: "2", size: "4", autocapitalize: "characters" });
  const filterOwner = select([["", "Anyone"], ...team.members.map((m) => [m.id, m.name])], query.get("owner_id") || "", { id: uid("cr-owner") });
  if (query.get("owner_id") && filterOwner.value !== query.get("owner_id")) {
    filterOwner.append(h("option", { value: query.get("owner_id"), selected: true }, ownerName(team, query.get("owner_id"))));
  }
  const search = input({ type: "search", id: uid("cr-search"), value: query.get("q") || "", placeholder: "Name, email or handle" });
  let sortKey = COLUMNS.some(([k]) => k === query.get("sort")) ? query.get("sort") : "name";
  let sortDir = query.get("dir") === "desc" ? "desc" : "asc";

  let creators = [];
  let truncated = false;
  const selected = new Set();

  const selectAll = h("input", { type: "checkbox", id: uid("cr-all") });
  const headRow = h("tr", {});
  const body = h("tbody", {});
  const counter = h("p", { class: "muted roster-count" });
  const table = h("table", { class: "roster-table" },
    h("caption", { class: "visually-hidden" }, "Creators (sortable by column)"),
    h("thead", {}, headRow), body);

  function filters() {
    return {
      status: filterStatus.value,
      tier: filterTier.value,
      tag: filterTag.value.trim().toLowerCase(),
      country: filterCountry.value.trim().toUpperCase(),
      owner_id: filterOwner.value,
    };
  }

  function keepInHash() {
    const state = { ...filters(), q: search.value.trim(), sort: sortKey === "name" ? "" : sortKey, dir: sortDir === "asc" ? "" : sortDir };
    history.replaceState(null, "", `#/creators${api.query(state)}`);
  }

  function sortValue(key) {
    if (key === "owner") return (c) => (c.owner_id ? ownerName(team, c.owner_id).toLowerCase() : "\uffff");
    return COLUMNS.find(([k]) => k === key)[2];
  }

  function visible() {
    const text = search.value.trim();
    const value = sortValue(sortKey);
    const rows = creators.filter((c) => matches(c, text));
    rows.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name);
      return sortDir === "asc" ? order : -order;
    });
    return rows;
  }

  function drawHead() {
    fill(headRow,
      h("th", { scope: "col", class: "select-col" }, h("label", { for: selectAll.id, class: "visually-hidden" }, "Select all shown creators"), selectAll),
      COLUMNS.map(([key, heading]) => {
        const active = key === sortKey;
        const button = h("button", { type: "button", class: "sort-button" }, heading,
          h("span", { "aria-hidden": "true" }, active ? (sortDir === "asc" ? " ▲" : " ▼") : ""));
        button.addEventListener("click", () => {
          if (sortKey === key) sortDir = sortDir === "asc" ? "desc" : "asc";
          else {
            sortKey = key;
            sortDir = key === "followers" || key === "engagement" ? "desc" : "asc";
          }
          keepInHash();
          drawHead();
          drawBody();
          headRow.querySelectorAll(".sort-button")[COLUMNS.findIndex(([k]) => k === key)].focus();
        });
        return h("th", { scope: "col", "aria-sort": active ? (sortDir === "asc" ? "ascending" : "descending") : undefined }, button);
      }));
  }

  function row(c) {
    const box = h("input", { type: "checkbox", id: uid("cr-pick"), checked: selected.has(c.id) ? true : undefined });
    box.addEventListener("change", () => {
      if (box.checked) selected.add(c.id);
      else selected.delete(c.id);
      syncSelection();
    });
    return h("tr", { "data-creator-id": c.id },
      h("td", { class: "select-col" }, h("label", { for: box.id, class: "visually-hidden" }, `Select ${c.name}`), box),
      h("th", { scope: "row" }, h("a", { href: `#/creators/${c.id}` }, c.name), h("div", { class: "muted small" }, c.email)),
      h("td", {}, handles(c)),
      h("td", { class: "num" }, count(c.followers)),
      h("td", { class: "num" }, engagement(c)),
      h("td", {}, c.tier ? label(TIERS, c.tier) : "—"),
      h("td", {}, label(STATUSES, c.status)),
      h("td", {}, (c.tags || []).length ? h("ul", { class: "tag-list" }, c.tags.map((t) => h("li", { class: "tag" }, t))) : "—"),
      h("td", {}, c.country || "—"),
      h("td", {}, ownerName(team, c.owner_id)));
  }

  function drawBody() {
    const rows = visible();
    fill(body, rows.map(row));
    if (!rows.length) {
      const filtered = Object.values(filters()).some(Boolean) || search.value.trim();
      body.append(h("tr", {}, h("td", { colspan: String(COLUMNS.length + 1) }, filtered
        ? "No creator matches; change the search or the filters."
        : ["No creator yet: ", h("a", { href: "#/creators/new" }, "add one"), " or ", h("a", { href: "#/creators/import" }, "import a CSV file"), "."])));
    }
    counter.textContent = `${rows.length} of ${creators.length} creator${creators.length === 1 ? "" : "s"} shown` +
      (truncated ? " (the first 1,000 that match; narrow the filters to see the others)" : "");
    syncSelection();
  }

  function shownIds() {
    return visible().map((c) => c.id);
  }

  function syncSelection() {
    const ids = shownIds();
    const picked = ids.filter((id) => selected.has(id)).length;
    selectAll.checked = ids.length > 0 && picked === ids.length;
    selectAll.indeterminate = picked > 0 && picked < ids.length;
    bulk.update();
  }

  selectAll.addEventListener("change", () => {
    for (const id of shownIds()) {
      if (selectAll.checked) selected.add(id);
      else selected.delete(id);
    }
    drawBody();
  });

  async function load() {
    try {
      const found = await api.all(`/v1/creators${api.query(filters())}`);
      creators = found.items;
      truncated = found.more;
      const known = new Set(creators.map((c) => c.id));
      for (const id of [...selected]) if (!known.has(id)) selected.delete(id);
      fill(problems);
      drawBody();
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(errorText(error)));
    }
  }

  const bulk = bulkActions({
    team, open,
    chosen: () => creators.filter((c) => selected.has(c.id)),
    replace: (updated) => {
      creators = creators.map((c) => (c.id === updated.id ? updated : c));
    },
    redraw: () => drawBody(),
  });

  for (const control of [filterStatus, filterTier, filterOwner]) control.addEventListener("change", () => { keepInHash(); load(); });
  for (const control of [filterTag, filterCountry]) control.addEventListener("change", () => { keepInHash(); load(); });
  search.addEventListener("input", () => {
    keepInHash();
    drawBody();
    announce.textContent = counter.textContent;
  });

  drawHead();
  fill(
    main,
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Creators"),
      h("div", { class: "actions" }, h("a", { class: "button", href: "#/creators/new" }, "New creator"), h("a", { class: "button button-quiet", href: "#/creators/import" }, "Import CSV"))),
    problems,
    announce,
    h("form", { class: "filters", role: "search", "aria-label": "Search and filter creators", onsubmit: (e) => { e.preventDefault(); keepInHash(); load(); } },
      h("div", { class: "field field-inline" }, h("label", { for: search.id }, "Search"), search),
      h("div", { class: "field field-inline" }, h("label", { for: filterStatus.id }, "Status"), filterStatus),
      h("div", { class: "field field-inline" }, h("label", { for: filterTier.id }, "Tier"), filterTier),
      h("div", { class: "field field-inline" }, h("label", { for: filterTag.id }, "Tag"), filterTag),
      h("div", { class: "field field-inline" }, h("label", { for: filterCountry.id }, "Country"), filterCountry),
      h("div", { class: "field field-inline" }, h("label", { for: filterOwner.id }, "Owner"), filterOwner),
      h("button", { type: "submit", class: "button-quiet" }, "Apply filters")),
    counter,
    bulk.el,
    wrap(table),
  );
  await load();
}

// ---- bulk actions over the selected creators

const ACTIONS = [
  ["add-tag", "Add a tag"],
  ["remove-tag", "Remove a tag"],
  ["owner", "Set the owner"],
  ["campaign", "Add to a campaign"],
  ["outreach", "Start outreach"],
];

function bulkActions({ team, open, chosen, replace, redraw }) {
  const action = select(ACTIONS, "add-tag", { id: uid("bulk-action") });
  const tag = input({ id: uid("bulk-tag"), maxlength: "50" });
  const owner = select(ownerChoices(team, null), "", { id: uid("bulk-owner") });
  const campaign = select([["", "Choose a campaign"], ...open.map((c) => [c.id, c.name])], "", { id: uid("bulk-campaign") });
  const template = select([["", "Loading templates…"]], "", { id: uid("bulk-template") });
  const offer = h("textarea", { id: uid("bulk-offer"), rows: "2", maxlength: "2000" });
  const tagField = field("Tag", tag, { field: "tag", hint: "Up to 50 letters, digits, spaces, - or _" });
  const ownerField = field("Owner", owner, { field: "owner_id", hint: team.all ? null : "Only an admin sees the whole team; you can take these creators or clear their owner" });
  const campaignField = field("Campaign", campaign, { field: "campaign_id", hint: open.length ? "Draft and active campaigns" : "No draft or active campaign: create one first" });
  const templateField = field("Email template", template, { field: "steps.0.template_id", hint: "The first email; follow-ups are set on the campaign's outreach page" });
  const offerField = field("Offer (optional)", offer, { field: "offer", hint: "The text of {{ offer }} in the template" });
  const summary = h("p", { class: "bulk-summary" });
  const submit = h("button", { type: "submit" }, "Apply");
  const formAlert = h("div", { class: "alert-slot" });
  const results = h("div", { class: "bulk-results" });
  const form = h("form", { class: "bulk stack", "aria-labelledby": "bulk-heading", novalidate: true },
    h("h2", { id: "bulk-heading" }, "Bulk actions"),
    summary,
    formAlert,
    h("div", { class: "row" }, field("Action", action, { field: "action" }), tagField, ownerField, campaignField, templateField),
    offerField,
    h("div", { class: "actions" }, submit),
    results);
  let templatesLoaded = false;

  async function loadTemplates() {
    if (templatesLoaded) return;
    templatesLoaded = true;
    try {
      const found = await api.all("/v1/email-templates", { pages: 5 });
      fill(template, h("option", { value: "" }, found.items.length ? "Choose a template" : "No template yet"),
        found.items.map((t) => h("option", { value: t.id }, t.name)));
    } catch (error) {
      if (error instanceof api.SessionEnded) throw error;
      fill(template, h("option", { value: "" }, "Templates could not be read"));
    }
  }

  function show() {
    const a = action.value;
    tagField.hidden = a !== "add-tag" && a !== "remove-tag";
    ownerField.hidden = a !== "owner";
    campaignField.hidden = a !== "campaign" && a !== "outreach";
    templateField.hidden = a !== "outreach";
    offerField.hidden = a !== "outreach";
    if (a === "outreach") loadTemplates();
  }
  action.addEventListener("change", show);
  show();

  function update() {
    const n = chosen().length;
    summary.textContent = n ? `${n} creator${n === 1 ? "" : "s"} selected.` : "Select creators in the table to act on several at once.";
    submit.disabled = n === 0;
    submit.textContent = n ? `Apply to ${n} creator${n === 1 ? "" : "s"}` : "Apply";
  }

  function drawResults(title, lines) {
    const done = lines.filter((l) => l.ok).length;
    const failed = lines.length - done;
    fill(results,
      h("p", { role: "status", class: failed ? "bulk-status" : "saved" }, `${title}: ${done} done${failed ? `, ${failed} failed` : ""}.`),
      wrap(h("table", {},
        h("caption", { class: "visually-hidden" }, `${title}: result per creator`),
        h("thead", {}, h("tr", {}, ["Creator", "Result", "Detail"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, lines.map((l) => h("tr", { class: l.ok ? "result-ok" : "result-failed" },
          h("th", { scope: "row" }, h("a", { href: `#/creators/${l.creator.id}` }, l.creator.name)),
          h("td", {}, l.ok ? "Done" : "Failed"),
          h("td", {}, l.detail || "")))))));
  }

  async function patchEach(list, change) {
    const lines = [];
    for (const c of list) {
      const body = change(c);
      if (body === null) {
        lines.push({ creator: c, ok: true, detail: "Unchanged" });
        continue;
      }
      try {
        const updated = await api.call("PATCH", `/v1/creators/${encodeURIComponent(c.id)}`, body);
        replace(updated);
        lines.push({ creator: c, ok: true, detail: "Saved" });
      } catch (error) {
        if (error instanceof api.SessionEnded) throw error;
        lines.push({ creator: c, ok: false, detail: errorText(error) });
      }
    }
    return lines;
  }

  async function addToCampaign(list, campaignId) {
    const lines = [];
    for (let i = 0; i < list.length; i += BATCH) {
      const part = list.slice(i, i + BATCH);
      try {
        const answer = await api.call("POST", `/v1/campaigns/${encodeURIComponent(campaignId)}/collaborations`, { creator_ids: part.map((c) => c.id) });
        const byCreator = new Map(answer.items.map((k) => [k.creator_id, k]));
        for (const c of part) {
          const k = byCreator.get(c.id);
          lines.push(k
            ? { creator: c, ok: true, detail: h("a", { href: `#/collaborations/${k.id}` }, `Collaboration: ${STAGE_LABEL[k.stage] || k.stage}`) }
            : { creator: c, ok: false, detail: "Already had a collaboration in this campaign, now closed" });
        }
      } catch (error) {
        if (error instanceof api.SessionEnded) throw error;
        for (const c of part) lines.push({ creator: c, ok: false, detail: errorText(error) });
      }
    }
    return lines;
  }

  async function startOutreach(list, campaignId) {
    const body = { steps: [{ template_id: template.value }], audience: { creator_ids: list.map((c) => c.id) } };
    if (offer.value.trim()) body.offer = offer.value.trim();
    const sequence = await api.call("POST", `/v1/campaigns/${encodeURIComponent(campaignId)}/outreach`, body);
    const skipped = new Map((sequence.skipped || []).map((s) => [s.creator_id, s.reason]));
    return list.map((c) => (skipped.has(c.id)
      ? { creator: c, ok: false, detail: `Not enrolled: ${skipped.get(c.id)}` }
      : { creator: c, ok: true, detail: "Enrolled: the first email is on its way" }));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    const list = chosen();
    if (!list.length) return;
    const a = action.value;
    const name = label(ACTIONS, a);
    submit.disabled = true;
    try {
      let lines;
      if (a === "add-tag" || a === "remove-tag") {
        const t = tag.value.trim().toLowerCase();
        if (!t) {
          showError(form, formAlert, { status: 422, message: "Give a tag", details: [{ field: "tag", message: "Give the tag to add or remove" }] });
          return;
        }
        lines = await patchEach(list, (c) => {
          const has = (c.tags || []).includes(t);
          if (a === "add-tag") return has ? null : { tags: [...(c.tags || []), t] };
          return has ? { tags: c.tags.filter((x) => x !== t) } : null;
        });
      } else if (a === "owner") {
        const value = owner.value || null;
        lines = await patchEach(list, (c) => ((c.owner_id || null) === value ? null : { owner_id: value }));
      } else {
        if (!campaign.value) {
          showError(form, formAlert, { status: 422, message: "Choose a campaign", details: [{ field: "campaign_id", message: "Choose the campaign" }] });
          return;
        }
        if (a === "campaign") lines = await addToCampaign(list, campaign.value);
        else {
          if (!template.value) {
            showError(form, formAlert, { status: 422, message: "Choose a template", details: [{ field: "steps.0.template_id", message: "Choose the first email's template" }] });
            return;
          }
          lines = await startOutreach(list, campaign.value);
        }
      }
      drawResults(name, lines);
      redraw();
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      update();
    }
  });

  update();
  return { el: form, update };
}

// ---- the form (new and edit)

function platformRow(platform, profile) {
  const choice = select(PLATFORMS.map((p) => [p, PLATFORM_LABEL[p]]), platform, {});
  const handle = input({ value: profile.handle || "", maxlength: "100", autocapitalize: "none" });
  const url = input({ type: "url", value: profile.profile_url || "", inputmode: "url" });
  const followers = input({ inputmode: "numeric", value: profile.followers === null || profile.followers === undefined ? "" : String(profile.followers) });
  const feed = input({ type: "url", value: profile.feed_url || "", inputmode: "url" });
  const remove = h("button", { type: "button", class: "button-quiet" }, "Remove");
  const legendId = uid("pl");
  const legend = h("legend", { id: legendId });
  const fields = [
    field("Platform", choice, {}),
    field("Handle", handle, {}),
    field("Profile URL", url, {}),
    field("Followers", followers, {}),
    field("Feed URL (optional)", feed, { hint: "RSS/Atom, for post monitoring" }),
  ];
  const el = h("fieldset", { class: "platform-row", "aria-labelledby": legendId }, legend, fields, remove);
  function name() {
    const p = choice.value;
    legend.textContent = PLATFORM_LABEL[p] || p;
    remove.setAttribute("aria-label", `Remove ${PLATFORM_LABEL[p] || p}`);
    handle.dataset.field = `platforms.${p}.handle`;
    url.dataset.field = `platforms.${p}.profile_url`;
    followers.dataset.field = `platforms.${p}.followers`;
    feed.dataset.field = `platforms.${p}.feed_url`;
    choice.dataset.field = `platforms.${p}`;
  }
  choice.addEventListener("change", name);
  name();
  return {
    el, remove,
    read: () => {
      const out = { handle: handle.value.trim() };
      if (url.value.trim()) out.profile_url = url.value.trim();
      if (feed.value.trim()) out.feed_url = feed.value.trim();
      const f = followers.value.trim().replace(/[\s,]/g, "");
      if (f) out.followers = /^\d+$/.test(f) ? Number(f) : f;
      return [choice.value, out];
    },
  };
}

function numberOrText(raw) {
  const cleaned = raw.trim().replace(/[\s,]/g, "");
  if (cleaned === "") return null;
  return /^\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : raw.trim();
}

/** The creator form; `onSave(body)` sends it and returns or throws the ApiError. */
function creatorForm(creator, { team, submitLabel, onSave }) {
  const c = creator || {};
  const isNew = !creator;
  const name = input({ value: c.name || "", maxlength: "200", autocomplete: "off" });
  const email = input({ type: "email", value: c.email || "", autocomplete: "off" });
  const status = select(STATUSES, c.status || "prospect");
  const derivedTier = c.tier_source === "derived" && c.tier ? ` (now ${label(TIERS, c.tier)})` : "";
  const tier = select([["", `From followers${derivedTier}`], ...TIERS], c.tier_source === "manual" ? c.tier : "");
  const manualFollowers = c.followers_source === "manual" || (c.followers_source == null && c.followers != null);
  const followers = input({ inputmode: "numeric", value: manualFollowers ? String(c.followers) : "" });
  const country = input({ value: c.country || "", maxlength: "2", size: "4", autocapitalize: "characters" });
  const eng = c.engagement || {};
  const rate = input({ inputmode: "decimal", value: eng.engagement_rate ?? "" });
  const views = input({ inputmode: "numeric", value: eng.avg_views ?? "" });
  const likes = input({ inputmode: "numeric", value: eng.avg_likes ?? "" });
  const comments = input({ inputmode: "numeric", value: eng.avg_comments ?? "" });
  const tags = input({ value: (c.tags || []).join(", "), autocapitalize: "none" });
  const notes = h("textarea", { rows: "4", maxlength: "10000" }, c.notes || "");
  const owner = select(ownerChoices(team, c.owner_id), c.owner_id || "");

  const platformBox = h("div", { class: "platform-rows" });
  let rows = [];
  function drawPlatforms(entries) {
    rows = entries.map(([p, s]) => platformRow(p, s));
    fill(platformBox, rows.map((r) => r.el));
    if (!rows.length) platformBox.append(h("p", { class: "muted" }, "No platform yet."));
    rows.forEach((r, i) => r.remove.addEventListener("click", () => {
      drawPlatforms(rows.map((x) => x.read()).filter((_, j) => j !== i));
      addPlatform.focus();
    }));
  }
  const addPlatform = h("button", { type: "button", class: "button-quiet" }, "Add a platform");
  addPlatform.addEventListener("click", () => {
    const taken = new Set(rows.map((r) => r.read()[0]));
    const next = PLATFORMS.find((p) => !taken.has(p)) || "instagram";
    drawPlatforms([...rows.map((r) => r.read()), [next, {}]]);
    platformBox.querySelector("fieldset:last-child select").focus();
  });
  drawPlatforms(Object.entries(c.platforms || {}));

  const derivedFollowers = c.followers_source === "derived" && c.followers != null ? ` Now ${count(c.followers)} from the platforms.` : "";
  const alertSlot = h("div", { class: "alert-slot" });
  const saved = h("p", { class: "saved", role: "status" });
  const submit = h("button", { type: "submit" }, submitLabel);
  const form = h("form", { class: "stack creator-form", novalidate: true },
    alertSlot,
    h("div", { class: "row" }, field("Name", name, { field: "name" }), field("Email", email, { field: "email" })),
    h("div", { class: "row" },
      field("Status", status, { field: "status" }),
      field("Owner", owner, { field: "owner_id", hint: team.all ? "The teammate who looks after this creator" : "Only an admin sees the whole team" }),
      field("Country", country, { field: "country", hint: "ISO code, e.g. US" })),
    h("fieldset", {}, h("legend", {}, "Platforms"), platformBox, addPlatform),
    h("div", { class: "row" },
      field("Followers (total)", followers, { field: "followers", hint: `Empty: the sum of the platforms' followers.${derivedFollowers}` }),
      field("Tier", tier, { field: "tier", hint: "Nano < 10k, micro < 100k, mid < 500k, macro above" })),
    h("fieldset", {}, h("legend", {}, "Engagement"),
      h("div", { class: "row" },
        field("Engagement rate (%)", rate, { field: "engagement.engagement_rate", hint: "e.g. 3.2" }),
        field("Average views", views, { field: "engagement.avg_views" }),
        field("Average likes", likes, { field: "engagement.avg_likes" }),
        field("Average comments", comments, { field: "engagement.avg_comments" }))),
    field("Tags", tags, { field: "tags", hint: "Separated by commas, e.g. trail, yoga" }),
    field("Notes", notes, { field: "notes" }),
    h("div", { class: "actions" }, submit, saved));

  function body() {
    const engagement = {};
    for (const [key, control] of [["engagement_rate", rate], ["avg_views", views], ["avg_likes", likes], ["avg_comments", comments]]) {
      const value = numberOrText(String(control.value).replace(",", key === "engagement_rate" ? "." : ","));
      if (value !== null) engagement[key] = value;
    }
    const out = {
      name: name.value.trim(),
      email: email.value.trim(),
      status: status.value,
      platforms: Object.fromEntries(rows.map((r) => r.read())),
      country: country.value.trim() || null,
      tier: tier.value || null,
      followers: numberOrText(followers.value),
      engagement: Object.keys(engagement).length ? engagement : null,
      tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
      notes: notes.value.trim() || null,
      owner_id: owner.value || null,
    };
    if (isNew) for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
    return out;
  }

  onSubmit(form, alertSlot, submit, () => {
    saved.textContent = "";
    return onSave(body(), { saved });
  });
  return form;
}

export async function renderNew(main, _params, { setTitle, me }) {
  setTitle("New creator");
  const team = await loadTeam(me);
  const form = creatorForm(null, {
    team,
    submitLabel: "Add creator",
    onSave: async (body) => {
      const created = await api.call("POST", "/v1/creators", body);
      notice(`${created.name} added to the roster.`);
      location.hash = `#/creators/${created.id}`;
    },
  });
  fill(main, h("h1", { tabindex: "-1" }, "New creator"), h("p", { class: "muted" }, h("a", { href: "#/creators" }, "← All creators")), form);
}

// ---- CSV import

const COLUMN_HELP = [
  ["name, email", "Required. A row whose email is already on the roster updates that creator."],
  ["country, tier, followers, status, notes", "Optional; tier is nano, micro, mid or macro (empty: from followers)."],
  ["tags", "Separated by ; or |, e.g. trail;yoga"],
  ["engagement_rate, avg_views, avg_likes, avg_comments", "Engagement figures."],
  ["instagram, instagram_url, instagram_feed, instagram_followers", "Per platform (tiktok, youtube, x, …): the handle, profile URL, feed and followers."],
];

const RESULT_LABEL = { created: "Created", updated: "Updated", error: "Error" };

export async function renderImport(main, _params, { setTitle }) {
  setTitle("Import creators");
  const file = h("input", { type: "file", accept: ".csv,.tsv,.txt,text/csv" });
  const paste = h("textarea", { rows: "6", spellcheck: "false", placeholder: "name,email,instagram,instagram_followers\nMaya Runs,maya@example.com,maya.runs,42000" });
  const alertSlot = h("div", { class: "alert-slot" });
  const submit = h("button", { type: "submit" }, "Import");
  const results = h("section", { "aria-labelledby": "import-results", class: "import-results", hidden: true });
  const form = h("form", { class: "stack creator-form", novalidate: true },
    alertSlot,
    field("CSV file", file, { hint: "UTF-8; cells separated by , ; or a tab; the first line names the columns" }),
    field("Or paste the CSV here", paste, {}),
    h("div", { class: "actions" }, submit));

  function drawResults(result) {
    const s = result.summary;
    const errors = result.rows.filter((r) => r.status === "error");
    fill(results,
      h("h2", { id: "import-results", tabindex: "-1" }, "Import results"),
      h("p", { role: "status", class: s.errors ? "bulk-status" : "saved" },
        `${s.created} created, ${s.updated} updated, ${s.errors} with errors` + (s.errors ? " (fix those rows and import the file again: rows already in are updated, not doubled)." : ".")),
      wrap(h("table", {},
        h("caption", { class: "visually-hidden" }, "Result per row of the file"),
        h("thead", {}, h("tr", {}, ["Line", "Email", "Result", "Details"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, result.rows.map((r) => h("tr", { class: r.status === "error" ? "result-failed" : "result-ok" },
          h("th", { scope: "row" }, String(r.row)),
          h("td", {}, r.email || "—"),
          h("td", {}, RESULT_LABEL[r.status] || r.status),
          h("td", {}, r.status === "error"
            ? h("ul", { class: "plain-list" }, r.errors.map((e) => h("li", {}, e)))
            : r.creator_id ? h("a", { href: `#/creators/${r.creator_id}` }, "Open the profile") : "")))))),
      errors.length ? null : h("p", {}, h("a", { href: "#/creators" }, "See the roster")));
    results.hidden = false;
    results.querySelector("h2").focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    const chosen = file.files && file.files[0];
    // Header problems come back on the field "header": shown under the source that was used.
    delete file.dataset.field;
    delete paste.dataset.field;
    (chosen ? file : paste).dataset.field = "header";
    let text;
    try {
      text = chosen ? await chosen.text() : paste.value;
    } catch {
      fill(alertSlot, alertBox("The file could not be read; choose it again."));
      return;
    }
    if (!text.trim()) {
      fill(alertSlot, alertBox("Choose a CSV file or paste its lines first."));
      (chosen ? file : paste).focus();
      return;
    }
    submit.disabled = true;
    try {
      const result = await api.call("POST", "/v1/creators:import", text, "text/csv");
      drawResults(result);
    } catch (error) {
      if (error instanceof api.SessionEnded) return;
      results.hidden = true;
      showError(form, alertSlot, error);
      if (error.status === 422 && error.details.some((d) => d.field === "header")) {
        fill(alertSlot, alertBox("Nothing was imported: the file's first line (the column names) is not usable; see below."));
      }
    } finally {
      submit.disabled = false;
    }
  });

  fill(main,
    h("h1", { tabindex: "-1" }, "Import creators"),
    h("p", { class: "muted" }, h("a", { href: "#/creators" }, "← All creators")),
    h("section", { "aria-labelledby": "import-columns" },
      h("h2", { id: "import-columns" }, "Columns"),
      h("p", {}, "A header line first, any order, upper or lower case. Empty cells leave a field as it is; importing the same file again is safe."),
      h("dl", { class: "columns-help" }, COLUMN_HELP.map(([cols, text]) => h("div", {}, h("dt", {}, h("code", {}, cols)), h("dd", {}, text))))),
    form,
    results);
}

// ---- the profile

function item(name, value) {
  return h("div", {}, h("dt", {}, name), h("dd", {}, value));
}

function earnings(report) {
  if (!report) return h("p", { class: "muted" }, "No results yet.");
  const currencies = Object.entries(report.currencies || {});
  return [
    h("dl", { class: "figures" },
      item("Clicks", count(report.clicks)),
      item("Orders", count(report.orders)),
      item("Conversion", report.conversion_rate === null || report.conversion_rate === undefined ? "—" : `${(report.conversion_rate * 100).toFixed(1)} %`)),
    currencies.length
      ? wrap(h("table", {},
        h("caption", { class: "visually-hidden" }, "Revenue and earnings per currency"),
        h("thead", {}, h("tr", {}, ["Currency", "Revenue", "Earnings", "Commissions pending", "Approved", "Paid", "Fixed fees"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, currencies.map(([cur, f]) => h("tr", {},
          h("th", { scope: "row" }, cur),
          h("td", {}, money(f.revenue, cur)),
          h("td", {}, money(f.spend.total, cur)),
          h("td", {}, money(f.commissions.pending, cur)),
          h("td", {}, money(f.commissions.approved, cur)),
          h("td", {}, money(f.commissions.paid, cur)),
          h("td", {}, money(f.spend.fixed_fees, cur)))))))
      : h("p", { class: "muted" }, "No orders yet, so no earnings."),
  ];
}

function stageText(k) {
  if (k.status === "closed") return `Closed${k.outcome ? `: ${k.outcome.replace("_", " ")}` : ""}`;
  return STAGE_LABEL[k.stage] || k.stage;
}

function rating(k) {
  if (!k.rating) return "—";
  return [h("span", { class: "rating" }, `${k.rating.score} / 5`), k.rating.notes ? h("p", { class: "rating-note" }, k.rating.notes) : null];
}

export async function renderOne(main, [id], { setTitle, query, me }) {
  const path = `/v1/creators/${encodeURIComponent(id)}`;
  let creator;
  try {
    creator = await api.get(path);
  } catch (error) {
    if (error.status === 404) {
      setTitle("Creator not found");
      fill(main, h("h1", { tabindex: "-1" }, "Creator not found"), h("p", {}, h("a", { href: "#/creators" }, "All creators")));
      return;
    }
    throw error;
  }
  const keep = (e) => {
    if (e instanceof api.SessionEnded) throw e;
    return null;
  };
  const [team, report, campaigns, history] = await Promise.all([
    loadTeam(me),
    api.get(`${path}/report`).catch(keep),
    api.all("/v1/campaigns", { pages: 5 }).catch(keep),
    api.get(`${path}/collaborations?limit=50`).catch((e) => {
      if (e instanceof api.SessionEnded) throw e;
      return { items: [], next_cursor: null, error: e };
    }),
  ]);
  const campaignName = Object.fromEntries(((campaigns && campaigns.items) || []).map((c) => [c.id, c.name]));
  const heading = h("h1", { tabindex: "-1" });
  const head = h("p", { class: "muted" });
  const profile = h("div", {});
  const platforms = h("div", {});
  const notesBox = h("div", {});

  function draw(c) {
    setTitle(c.name);
    heading.textContent = c.name;
    fill(head, h("a", { href: "#/creators" }, "← All creators"), ` · ${label(STATUSES, c.status)}`, c.tier ? ` · ${label(TIERS, c.tier)}` : "");
    fill(profile, h("dl", { class: "figures" },
      item("Email", c.email),
      item("Country", c.country || "—"),
      item("Followers", [count(c.followers), c.followers_source === "derived" ? h("span", { class: "muted" }, " (sum of platforms)") : null]),
      item("Tier", c.tier ? `${label(TIERS, c.tier)}${c.tier_source === "manual" ? " (set by hand)" : ""}` : "—"),
      item("Engagement", engagement(c)),
      c.engagement && c.engagement.avg_views != null ? item("Average views", count(c.engagement.avg_views)) : null,
      c.engagement && c.engagement.avg_likes != null ? item("Average likes", count(c.engagement.avg_likes)) : null,
      c.engagement && c.engagement.avg_comments != null ? item("Average comments", count(c.engagement.avg_comments)) : null,
      item("Tags", (c.tags || []).length ? c.tags.join(", ") : "—"),
      item("Owner", ownerName(team, c.owner_id)),
      item("Added", day(c.created_at))));
    const entries = Object.entries(c.platforms || {});
    fill(platforms, entries.length
      ? wrap(h("table", {},
        h("caption", { class: "visually-hidden" }, "Platforms"),
        h("thead", {}, h("tr", {}, ["Platform", "Handle", "Followers", "Feed"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, entries.map(([p, s]) => h("tr", {},
          h("th", { scope: "row" }, PLATFORM_LABEL[p] || p),
          h("td", {}, s.profile_url ? h("a", { href: s.profile_url, rel: "noopener noreferrer", target: "_blank" }, `@${s.handle}`) : `@${s.handle}`),
          h("td", {}, count(s.followers)),
          h("td", {}, s.feed_url ? "Monitored" : "—"))))))
      : h("p", { class: "muted" }, "No platform yet: add one with Edit the profile."));
    fill(notesBox, c.notes ? h("p", { class: "notes" }, c.notes) : h("p", { class: "muted" }, "No notes yet."));
  }
  draw(creator);

  // Collaborations across campaigns, newest pages on "Show more".
  const historyBody = h("tbody", {});
  const historyAlert = h("div", { class: "alert-slot" }, history.error ? alertBox(errorText(history.error)) : null);
  const more = h("button", { type: "button", class: "button-quiet", hidden: !history.next_cursor }, "Show more");
  let cursor = history.next_cursor;
  function historyRows(items) {
    for (const k of items) {
      historyBody.append(h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/campaigns/${k.campaign_id}` }, campaignName[k.campaign_id] || k.campaign_id)),
        h("td", {}, stageText(k)),
        h("td", {}, rating(k)),
        h("td", {}, day(k.created_at)),
        h("td", {}, h("a", { href: `#/collaborations/${k.id}`, "aria-label": `Open the collaboration in ${campaignName[k.campaign_id] || k.campaign_id}` }, "Open"))));
    }
    if (!historyBody.childElementCount) {
      historyBody.append(h("tr", {}, h("td", { colspan: "5" }, "No collaboration yet: add the creator to a campaign from the roster's bulk actions.")));
    }
  }
  historyRows(history.items);
  more.addEventListener("click", async () => {
    try {
      const page = await api.get(`${path}/collaborations${api.query({ limit: 50, cursor })}`);
      historyRows(page.items);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(historyAlert, alertBox(errorText(error)));
    }
  });

  // Editing: a toggle opens the form; a save redraws the profile from the API's answer.
  const editId = uid("edit");
  const toggle = h("button", { type: "button", class: "button-quiet", "aria-expanded": "false", "aria-controls": editId }, "Edit the profile");
  const editBox = h("div", { id: editId, hidden: true });
  function drawForm(c) {
    fill(editBox, creatorForm(c, {
      team,
      submitLabel: "Save changes",
      onSave: async (body) => {
        const updated = await api.call("PATCH", path, body);
        creator = updated;
        draw(updated);
        drawForm(updated);
        editBox.querySelector(".saved").textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
      },
    }));
  }
  drawForm(creator);
  toggle.addEventListener("click", () => {
    const opening = editBox.hidden;
    editBox.hidden = !opening;
    toggle.setAttribute("aria-expanded", String(opening));
    toggle.textContent = opening ? "Close the form" : "Edit the profile";
    if (opening) editBox.querySelector("input").focus();
  });

  // Discovery: the audience quality of the platforms Roster reads, and the screening against the
  // campaign kept in the hash (#/creators/{id}?campaign_id=…), read again after a refresh.
  const quality = qualityPanel(path, {
    readable: () => Object.keys(creator.platforms || {}).filter((p) => READ_PLATFORMS.includes(p)),
    onRefreshed: () => screening.reload(),
  });
  const screening = screeningPanel(path, {
    campaigns: (campaigns && campaigns.items) || [],
    chosen: query ? query.get("campaign_id") || "" : "",
    // window.history: `history` here is the creator's collaborations.
    onChoose: (campaignId) => window.history.replaceState(null, "", `#/creators/${encodeURIComponent(id)}${api.query({ campaign_id: campaignId })}`),
  });

  fill(main,
    h("div", { class: "page-head" }, heading, toggle),
    head,
    takeNotice(),
    editBox,
    h("section", { "aria-labelledby": "cr-profile" }, h("h2", { id: "cr-profile" }, "Profile"), profile),
    h("section", { "aria-labelledby": "cr-platforms" }, h("h2", { id: "cr-platforms" }, "Platforms"), platforms),
    quality.el,
    screening.el,
    h("section", { "aria-labelledby": "cr-earnings" }, h("h2", { id: "cr-earnings" }, "Results and earnings"),
      h("p", { class: "muted" }, "Across every campaign. Earnings are commissions and fixed fees, every status."), earnings(report)),
    h("section", { "aria-labelledby": "cr-history" }, h("h2", { id: "cr-history" }, "Collaborations"),
      historyAlert,
      wrap(h("table", {},
        h("caption", { class: "visually-hidden" }, "Collaborations across campaigns"),
        h("thead", {}, h("tr", {}, ["Campaign", "Stage or outcome", "Rating and note", "Started", "Collaboration"].map((t) => h("th", { scope: "col" }, t)))),
        historyBody)),
      more),
    h("section", { "aria-labelledby": "cr-notes" }, h("h2", { id: "cr-notes" }, "Notes"), notesBox));
  try {
    await Promise.all([quality.load(), screening.load()]);
  } catch (error) {
    quality.stop();
    throw error;
  }
  return quality.stop;
}
