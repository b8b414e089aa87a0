// The collaboration board (#/campaigns/{id}/board) and one collaboration (#/collaborations/{id}).
//
// The board: the campaign's collaborations in columns by stage, in workflow order (closed ones
// behind a toggle kept in the hash, ?closed=1), each card with what the workflow waits for (whose
// move, which actions) and until when, the creator's owner, and a link to the collaboration; a
// form to start collaborations with chosen creators. It refreshes every 5 s while visible.
//
// A collaboration: everything the record holds (offers, contract, shipment, proposals with the
// drafts and the brand's comments, deliverables with their posts and disclosure verdicts, rating,
// timeline) and one form per brand action the waiting step takes now. After an action the page
// waits (up to ~10 s) for the workflow to move on before it redraws, so it never shows a stale
// stage; it also refreshes every 5 s while visible. Everything goes through the public /v1 API.

import * as api from "../api.js";
import { whileVisible } from "../live.js";
import { alertBox, fill, h, uid } from "../dom.js";
import { clearErrors, field, input, select, showError } from "../form.js";
import { money, toMajor, toMinor } from "../format.js";
import { campaignHead } from "../tabs.js";

const SETTLE_MS = 10000;

export const STAGES = [
  ["invite", "Invited"],
  ["negotiate", "Negotiating"],
  ["contract", "Contract"],
  ["onboard", "Onboarding"],
  ["seeding", "Seeding"],
  ["content", "Content"],
  ["live", "Live"],
  ["measure", "Measuring"],
  ["close", "Rating"],
  ["closed", "Closed"],
];
const STAGE_LABEL = Object.fromEntries(STAGES);

// The model's BRAND_ACTIONS and CREATOR_ACTIONS (roster/models/collaborations.py).
const BRAND = new Set(["accept-terms", "approve-content", "request-changes", "record-shipment", "cancel", "extend", "rate", "counter", "confirm-delivery", "grant-round"]);
const CREATOR = new Set(["accept", "decline", "counter", "accept-terms", "sign", "submit-content", "submit-post", "confirm-delivery"]);
const BRAND_ONLY = ["approve-content", "request-changes", "record-shipment", "extend", "rate", "grant-round"];
const ACTION_LABEL = {
  accept: "accept the invitation",
  decline: "decline",
  counter: "counter-offer",
  "accept-terms": "accept the terms",
  sign: "sign the contract",
  "submit-content": "submit content",
  "submit-post": "submit a post",
  "confirm-delivery": "confirm delivery",
  "approve-content": "approve the content",
  "request-changes": "request changes",
  "record-shipment": "record the shipment",
  cancel: "cancel",
  extend: "extend the deadline",
  rate: "rate",
  "grant-round": "grant another round",
};
const PLATFORMS = ["instagram", "tiktok", "youtube", "x", "facebook", "threads", "twitch", "pinterest", "snapchat", "linkedin"];
const OUTCOME = { completed: "completed", declined: "declined", no_answer: "no answer", cancelled: "cancelled", failed: "failed" };
const VERDICT = { compliant: "compliant", missing: "disclosure missing", insufficient: "disclosure insufficient", buried: "disclosure buried", unknown: "post unreadable" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const label = (action) => ACTION_LABEL[action] || action;
const listOf = (words) => (words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`);

// ---- time

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

function relative(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return RELATIVE.format(Math.round(seconds / size), unit);
  }
  return "";
}

function absolute(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "in 14 minutes (1 Dec 2026, 15:10)" in a <time>. */
function when(iso, { rel = true } = {}) {
  if (!iso) return "—";
  return h("time", { datetime: iso }, rel ? `${relative(iso)} (${absolute(iso)})` : absolute(iso));
}

// ---- whose move

/** Whose move the waiting step is, and what each side can do: {who, brand, creator}. */
export function turn(c) {
  const w = c.waiting_for;
  if (!w || c.status === "closed") return { who: null, brand: [], creator: [] };
  const latest = c.offers && c.offers.length ? c.offers[c.offers.length - 1] : null;
  const brand = w.actions.filter((a) => BRAND.has(a) && !(a === "accept-terms" && (!latest || latest.by === "brand")));
  const creator = w.actions.filter((a) => CREATOR.has(a) && !(a === "accept-terms" && (!latest || latest.by === "creator")));
  let who;
  if (w.actions.includes("extend")) who = "brand"; // a missed deadline: the brand decides
  else if (w.actions.includes("counter")) who = latest && latest.by === "brand" ? "creator" : "brand";
  else if (w.actions.includes("confirm-delivery")) who = "creator";
  else if (w.actions.some((a) => BRAND_ONLY.includes(a))) who = "brand";
  else who = creator.length ? "creator" : "brand";
  return { who, brand, creator };
}

/** One sentence: "Waits for the creator: accept the invitation or decline." */
function waitsFor(c, creatorName) {
  if (c.status === "closed") return `Closed: ${OUTCOME[c.outcome] || c.outcome || "done"}.`;
  const t = turn(c);
  if (!t.who) return "Roster is working on it (no one needs to act).";
  const deciding = t.brand.includes("extend") || t.brand.includes("grant-round") || t.brand.length === 1;
  const moves = t.who === "brand" ? t.brand.filter((a) => a !== "cancel" || deciding) : t.creator;
  const whom = t.who === "brand" ? "the brand (you)" : creatorName ? `the creator (${creatorName})` : "the creator";
  return `Waits for ${whom}: ${listOf(moves.map(label))}.`;
}

// ---- shared

function item(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

function notFound(main, setTitle, what, back) {
  setTitle(`${what} not found`);
  fill(main, h("h1", { tabindex: "-1" }, `${what} not found`), h("p", {}, back));
}


async function membersById(me) {
  if (!me || me.role !== "admin") return {};
  try {
    const data = await api.get("/v1/members");
    return Object.fromEntries(data.items.map((m) => [m.id, m.name]));
  } catch (error) {
    if (error instanceof api.SessionEnded) throw error;
    return {};
  }
}

function ownerName(creator, members) {
  return creator && creator.owner_id ? members[creator.owner_id] || null : null;
}

// ---- the board

function card(c, creator, members) {
  const name = creator ? creator.name : c.creator_id;
  const headingId = uid("collab");
  const w = c.waiting_for;
  const owner = ownerName(creator, members);
  return h(
    "li",
    { "data-collaboration-id": c.id },
    h("article", { class: `card board-card board-card-${turn(c).who || "none"}`, "aria-labelledby": headingId },
      h("h3", { id: headingId }, h("a", { href: `#/creators/${encodeURIComponent(c.creator_id)}` }, name)),
      h("p", { class: "board-waits" }, waitsFor(c)),
      h("dl", { class: "figures board-facts" },
        w && c.status === "open" ? item("Until", when(w.until)) : null,
        w && w.due && absolute(w.due) !== absolute(w.until) ? item("Due", when(w.due)) : null,
        owner ? item("Owner", owner) : null),
      h("a", { href: `#/collaborations/${encodeURIComponent(c.id)}` }, "Open collaboration", h("span", { class: "visually-hidden" }, ` with ${name}`))),
  );
}

function signature(items) {
  return JSON.stringify(items.map((c) => [c.id, c.stage, c.status, c.updated_at, c.waiting_for && c.waiting_for.since]));
}

export async function renderBoard(main, [id], { setTitle, query, me }) {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let campaign;
  try {
    campaign = await api.get(path);
  } catch (error) {
    if (error.status === 404) return notFound(main, setTitle, "Campaign", h("a", { href: "#/campaigns" }, "All campaigns"));
    throw error;
  }
  setTitle(`${campaign.name}: collaborations`);
  const [creators, collaborations, members] = await Promise.all([
    api.all("/v1/creators", { pages: 10 }),
    api.all(`${path}/collaborations`, { pages: 20 }),
    membersById(me),
  ]);
  const creatorById = Object.fromEntries(creators.items.map((c) => [c.id, c]));
  let items = collaborations.items;
  let seen = signature(items);

  const problems = h("div", { class: "alert-slot" });
  const updated = h("p", { class: "muted updated" });
  const showClosed = h("input", { type: "checkbox", id: uid("closed"), checked: query.get("closed") === "1" ? true : undefined });
  const closedLabel = h("label", { for: showClosed.id });
  const columns = h("div", { class: "board", role: "region", "aria-label": "Collaborations by stage", tabindex: "0" });

  function draw() {
    const byStage = {};
    for (const c of items) (byStage[c.stage] ||= []).push(c);
    const closedCount = (byStage.closed || []).length;
    closedLabel.textContent = `Show closed collaborations (${closedCount})`;
    const seeding = Boolean(campaign.workflow && campaign.workflow.seeding) || (byStage.seeding || []).length > 0;
    const stages = STAGES.filter(([key]) => (key !== "seeding" || seeding) && (key !== "closed" || showClosed.checked));
    const focused = document.activeElement && columns.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    fill(
      columns,
      stages.map(([key, title]) => {
        const list = byStage[key] || [];
        const headingId = uid("stage");
        return h("section", { class: "board-column", "aria-labelledby": headingId, "data-stage": key },
          h("h2", { id: headingId }, title, " ", h("span", { class: "board-count" }, `(${list.length})`)),
          list.length
            ? h("ul", { class: "board-cards", "aria-label": title }, list.map((c) => card(c, creatorById[c.creator_id], members)))
            : h("p", { class: "muted board-empty" }, "None"));
      }),
    );
    if (focused) {
      const again = [...columns.querySelectorAll("a")].find((a) => a.getAttribute("href") === focused);
      if (again) again.focus({ preventScroll: true });
    }
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every 5 seconds.`;
  }

  const empty = h("p", { class: "alert alert-info board-none" },
    "No collaboration yet: start collaborations with creators below. Each creator then gets an invitation to accept or decline.");
  function drawAll() {
    empty.hidden = items.length > 0;
    draw();
  }

  async function refresh() {
    try {
      const fresh = await api.all(`${path}/collaborations`, { pages: 20 });
      fill(problems);
      const now = signature(fresh.items);
      items = fresh.items;
      if (now !== seen) {
        seen = now;
        drawAll();
      } else updated.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every 5 seconds.`;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }

  showClosed.addEventListener("change", () => {
    const q = new URLSearchParams(query);
    if (showClosed.checked) q.set("closed", "1");
    else q.delete("closed");
    const text = q.toString();
    history.replaceState(null, "", `#/campaigns/${encodeURIComponent(id)}/board${text ? `?${text}` : ""}`);
    draw();
  });

  // Just started: the invitations' waiting steps follow within a second or two; look again soon.
  const soon = [];
  const start = startForm(campaign, creators.items, () => items, async () => {
    await refresh();
    soon.push(setTimeout(refresh, 1500), setTimeout(refresh, 3500));
  });
  fill(
    main,
    campaignHead(campaign, "board"),
    problems,
    h("div", { class: "page-head" }, h("h2", { class: "board-title" }, "Collaborations"), updated),
    empty,
    h("div", { class: "field-check board-toggle" }, showClosed, closedLabel),
    columns,
    start,
  );
  drawAll();
  const stop = whileVisible(refresh);
  return () => {
    stop();
    soon.forEach(clearTimeout);
  };
}

function startForm(campaign, creators, current, onStarted) {
  const choosable = creators.filter((c) => c.status !== "archived");
  const chosen = new Set();
  const search = input({ type: "search", id: uid("creator-search"), autocomplete: "off" });
  const list = h("ul", { class: "board-pick", "aria-label": "Creators to choose from" });
  const count = h("p", { class: "muted", "aria-live": "polite" });
  const formAlert = h("div", { class: "alert-slot" });
  const done = h("p", { class: "saved", role: "status" });
  const submit = h("button", { type: "submit" }, "Start collaborations");
  const SHOWN = 50;

  function handles(c) {
    return Object.values(c.platforms || {}).map((p) => p.handle || "").join(" ");
  }

  function drawList() {
    const text = search.value.trim().toLowerCase();
    const on = new Set(current().map((c) => c.creator_id));
    const matching = choosable.filter((c) => !text || `${c.name} ${c.email} ${handles(c)} ${(c.tags || []).join(" ")}`.toLowerCase().includes(text));
    fill(
      list,
      matching.slice(0, SHOWN).map((c) => {
        const box = h("input", { type: "checkbox", id: uid("pick"), value: c.id, checked: chosen.has(c.id) ? true : undefined });
        box.addEventListener("change", () => {
          if (box.checked) chosen.add(c.id);
          else chosen.delete(c.id);
          drawCount(matching.length);
        });
        return h("li", {}, box, h("label", { for: box.id }, c.name, on.has(c.id) ? h("span", { class: "muted" }, " (on the board)") : null));
      }),
      matching.length ? null : h("li", { class: "muted" }, choosable.length ? "No creator matches this search." : "No creator yet: add creators on the Creators page first."),
    );
    drawCount(matching.length);
  }

  function drawCount(matching) {
    const more = matching > SHOWN ? ` Showing ${SHOWN} of ${matching} matches: narrow the search.` : "";
    count.textContent = `${chosen.size} selected.${more}`;
  }

  search.addEventListener("input", drawList);
  const form = h(
    "form",
    { class: "stack board-start", novalidate: true, "aria-labelledby": "board-start-title" },
    h("h2", { id: "board-start-title" }, "Start collaborations"),
    h("p", { class: "muted" }, "Pick creators for this campaign: each one gets a collaboration that starts with an invitation",
      campaign.default_terms ? " and the campaign's default terms as the opening offer." : "."),
    formAlert,
    field("Search creators", search, { hint: "By name, email, handle or tag" }),
    h("fieldset", { "data-field": "creator_ids" }, h("legend", {}, "Creators"), list, count),
    h("div", { class: "actions" }, submit, done),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    done.textContent = "";
    if (!chosen.size) {
      fill(formAlert, alertBox("Choose at least one creator."));
      return;
    }
    submit.disabled = true;
    const ids = [...chosen];
    try {
      const started = await api.call("POST", `/v1/campaigns/${encodeURIComponent(campaign.id)}/collaborations`, { creator_ids: ids });
      const startedIds = new Set(started.items.map((c) => c.creator_id));
      const nameOf = (cid) => (choosable.find((c) => c.id === cid) || { name: cid }).name;
      const fresh = ids.filter((cid) => startedIds.has(cid)).map(nameOf);
      const already = ids.filter((cid) => !startedIds.has(cid)).map(nameOf);
      const parts = [];
      if (fresh.length) parts.push(`Started ${fresh.length} collaboration${fresh.length === 1 ? "" : "s"}: ${fresh.join(", ")}.`);
      if (already.length) parts.push(`Already on the board: ${already.join(", ")}.`);
      chosen.clear();
      await onStarted();
      drawList();
      done.textContent = parts.join(" ");
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });
  drawList();
  return form;
}

// ---- one collaboration: reading

function termsList(t) {
  if (!t) return null;
  const fee = t.fee_per_deliverable;
  return h("dl", { class: "terms" },
    item("Deliverables", t.deliverables.map((d) => `${d.count} × ${d.platform} ${d.format}`).join(", ")),
    item("Fee per deliverable", fee ? money(fee.amount, fee.currency) : "none"),
    item("Posting window", `${t.posting_window_start} → ${t.posting_window_end}`),
    t.content_due ? item("Content due", t.content_due) : null,
    item("Commission", t.commission ? "the campaign's plan applies" : "none"),
    t.product_seeding ? item("Product seeding", t.product_seeding) : null,
    item("Usage rights", `${t.usage_rights} (${t.usage_rights_days} days)`),
    item("Disclosure", t.disclosure_required ? "required" : "not required"),
    item("Cancellation", t.cancellation_clause));
}

function offersSection(c, creatorName) {
  if (!c.offers.length) return h("p", { class: "muted" }, "No offer yet.");
  return h("ol", { class: "offers" }, c.offers.map((o, i) => h("li", { class: "card" },
    h("h3", {}, `Offer ${i + 1} · by ${o.by === "brand" ? "the brand" : creatorName}`, " · ", when(o.at, { rel: false })),
    termsList(o.terms),
    o.note ? h("p", { class: "offer-note" }, h("span", { class: "muted" }, "Note: "), o.note) : null,
    o.accepted_by ? h("p", { class: "saved" }, `Accepted by ${o.accepted_by === "brand" ? "the brand" : creatorName} `, when(o.accepted_at, { rel: false })) : null)));
}

function contractSection(c) {
  const k = c.contract;
  if (!k) return h("p", { class: "muted" }, "No contract yet: it is issued when one side accepts the other's offer.");
  return h("div", { class: "card" },
    h("dl", { class: "figures" },
      item("Freezes", k.offer ? `offer ${k.offer}` : "the agreed terms"),
      item("Issued", when(k.issued_at, { rel: false })),
      item("Signed", k.signature ? [`by ${k.signature.name} `, when(k.signature.at, { rel: false })] : "not yet"),
      item("Document", h("code", { class: "hash" }, k.document_hash.slice(0, 16) + "…"))),
    termsList(k.terms));
}

function shipmentSection(c) {
  const s = c.shipment;
  if (!s) return null;
  return h("dl", { class: "figures" },
    item("Carrier", s.carrier),
    item("Tracking number", s.tracking_number),
    item("Shipped", when(s.shipped_at, { rel: false })),
    item("Delivered", s.delivered_at ? [when(s.delivered_at, { rel: false }), s.confirmed_by ? ` (confirmed by the ${s.confirmed_by})` : null] : "not confirmed yet"));
}

// The files the creator uploaded with a proposal, through the API's signed URLs (valid 15
// minutes; each redraw gets fresh ones); a video plays inline.
function draftFiles(p) {
  const files = p.media || [];
  if (!files.length) return null;
  const size = (n) => n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
  return h("ul", { class: "draft-files", "aria-label": `Files of round ${p.round}` }, files.map((m) => h("li", {},
    m.url
      ? (m.content_type.startsWith("video/")
          ? h("video", { controls: true, preload: "metadata", src: m.url, "aria-label": `Draft file ${m.name}` })
          : h("a", { href: m.url, rel: "noopener noreferrer", target: "_blank" }, h("img", { src: m.url, alt: `Draft file ${m.name}`, loading: "lazy" })))
      : null,
    h("span", { class: "muted" }, `${m.name} · ${size(m.size)}`))));
}

function proposalsSection(c) {
  if (!c.proposals.length) return h("p", { class: "muted" }, "No content proposal yet.");
  return h("ol", { class: "proposals" }, [...c.proposals].reverse().map((p) => h("li", { class: "card" },
    h("h3", {}, `Round ${p.round} · submitted `, when(p.submitted_at, { rel: false })),
    h("blockquote", { class: "draft" }, p.text),
    p.note ? h("p", { class: "comments" }, h("span", { class: "muted" }, "Creator's note: "), p.note) : null,
    draftFiles(p),
    p.media_urls.length
      ? h("ul", { class: "media", "aria-label": `Media of round ${p.round}` }, p.media_urls.map((u, i) =>
          h("li", {}, h("a", { href: u, rel: "noopener noreferrer", target: "_blank" }, `Media ${i + 1}: ${u}`))))
      : null,
    h("p", { class: `decision decision-${p.decision || "pending"}` },
      p.decision === "approved" ? "Approved" : p.decision === "changes_requested" ? "Changes requested" : "Awaiting your decision",
      p.decided_at ? [" ", when(p.decided_at, { rel: false })] : null),
    p.comments ? h("p", { class: "comments" }, h("span", { class: "muted" }, "Brand's comments: "), p.comments) : null)));
}

function unitName(u) {
  return `${u.platform} ${u.format} ${u.unit + 1}`;
}

function deliverablesSection(c) {
  if (!c.deliverables.length) return h("p", { class: "muted" }, "No deliverables yet: they come with the contract.");
  // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
  return h("div", { class: "table-wrap", role: "region", "aria-label": "Deliverables table", tabindex: "0" },
    h("table", {},
      h("caption", { class: "visually-hidden" }, "Deliverables"),
      h("thead", {}, h("tr", {}, ["Deliverable", "State", "Fee", "Post", "Disclosure", "Verified"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, c.deliverables.map((u) => h("tr", {},
        h("th", { scope: "row" }, unitName(u)),
        h("td", {}, u.state),
        h("td", {}, u.fee ? money(u.fee.amount, u.fee.currency) : "—"),
        h("td", {}, u.post_url ? h("a", { href: u.post_url, rel: "noopener noreferrer", target: "_blank" }, "View post") : "—"),
        h("td", {}, u.disclosure ? VERDICT[u.disclosure] || u.disclosure : "—"),
        h("td", {}, u.verified_at
          ? [when(u.verified_at, { rel: false }), u.verified_by === "brand" ? ` (accepted by ${u.acceptance && u.acceptance.actor ? u.acceptance.actor.name : "the brand"}${u.acceptance && u.acceptance.note ? `: ${u.acceptance.note}` : ""})` : u.verified_by === "contract" ? " (no disclosure required)" : ""]
          : "—"))))));
}

function detailText(detail) {
  const parts = [];
  for (const [key, value] of Object.entries(detail || {})) {
    if (value === null || value === undefined || typeof value === "object") continue;
    const shown = typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value) ? absolute(value) : value;
    parts.push(`${key.replace(/_/g, " ")}: ${shown}`);
  }
  return parts.join(" · ");
}

function timelineSection(c, creatorName) {
  return h("ol", { class: "timeline", reversed: true }, [...c.timeline].reverse().map((e) => {
    const who = e.by === "brand" ? (e.actor ? e.actor.name : "the brand") : e.by === "creator" ? creatorName : "Roster";
    const detail = detailText(e.detail);
    return h("li", {}, when(e.at, { rel: false }), " · ", h("strong", {}, e.type), ` · ${who}`, detail ? h("span", { class: "muted" }, ` — ${detail}`) : null);
  }));
}

// ---- one collaboration: acting

/** Terms fields, filled from `t` (the latest offer): {el, read}. */
function termsFields(t0) {
  const t = t0 || { deliverables: [{ platform: "instagram", format: "post", count: 1 }], commission: true, disclosure_required: true, usage_rights_days: 90 };
  const fee = t.fee_per_deliverable;
  const cur0 = fee ? fee.currency : "USD";
  const rowsBox = h("div", { class: "deliverable-rows" });
  let rows = [];
  function row(d, i) {
    const platform = select(PLATFORMS.map((p) => [p, p]), d.platform || "instagram");
    const format = input({ value: d.format || "", maxlength: "50" });
    const n = input({ inputmode: "numeric", value: d.count === undefined ? "1" : String(d.count), size: "4" });
    const remove = h("button", { type: "button", class: "button-quiet", "aria-label": `Remove deliverable ${i + 1}` }, "Remove");
    const legendId = uid("deliv");
    const el = h("fieldset", { class: "kpi-row", "aria-labelledby": legendId },
      h("legend", { id: legendId }, `Deliverable ${i + 1}`),
      field("Platform", platform, { field: `terms.deliverables.${i}.platform` }),
      field("Format", format, { field: `terms.deliverables.${i}.format`, hint: "e.g. reel, story, video" }),
      field("Count", n, { field: `terms.deliverables.${i}.count` }),
      remove);
    const read = () => {
      const raw = n.value.trim();
      return { platform: platform.value, format: format.value.trim(), count: /^\d+$/.test(raw) ? Number(raw) : raw };
    };
    return { el, remove, read };
  }
  function draw(values) {
    rows = values.map(row);
    fill(rowsBox, rows.map((r) => r.el));
    rows.forEach((r, i) => r.remove.addEventListener("click", () => {
      draw(rows.map((x) => x.read()).filter((_, j) => j !== i));
      add.focus();
    }));
  }
  const add = h("button", { type: "button", class: "button-quiet" }, "Add a deliverable");
  add.addEventListener("click", () => {
    draw([...rows.map((r) => r.read()), { platform: "instagram", format: "", count: 1 }]);
    rowsBox.querySelector("fieldset:last-child select").focus();
  });
  draw(t.deliverables || []);
  const start = input({ type: "date", value: t.posting_window_start || "" });
  const end = input({ type: "date", value: t.posting_window_end || "" });
  const due = input({ type: "date", value: t.content_due || "" });
  const amount = input({ inputmode: "decimal", value: fee ? toMajor(fee.amount, cur0) : "" });
  const currency = input({ value: cur0, maxlength: "3", size: "4", autocapitalize: "characters" });
  const seeding = input({ value: t.product_seeding || "", maxlength: "500" });
  const commission = h("input", { type: "checkbox", id: uid("commission"), checked: t.commission !== false ? true : undefined });
  const rights = h("textarea", { rows: "2", maxlength: "1000" }, t.usage_rights || "");
  const rightsDays = input({ inputmode: "numeric", value: String(t.usage_rights_days ?? 90), size: "5" });
  const disclosure = h("input", { type: "checkbox", id: uid("disclosure"), checked: t.disclosure_required !== false ? true : undefined });
  const clause = h("textarea", { rows: "2", maxlength: "2000" }, t.cancellation_clause || "");
  commission.dataset.field = "terms.commission";
  disclosure.dataset.field = "terms.disclosure_required";
  const el = h("div", { class: "stack" },
    h("fieldset", {}, h("legend", {}, "Deliverables"), rowsBox, add),
    h("div", { class: "row" },
      field("Posting window start", start, { field: "terms.posting_window_start" }),
      field("Posting window end", end, { field: "terms.posting_window_end" }),
      field("Content due (optional)", due, { field: "terms.content_due" })),
    h("div", { class: "row" },
      field("Fee per deliverable", amount, { field: "terms.fee_per_deliverable.amount", hint: "In the currency's units, e.g. 250.00; empty for none" }),
      field("Fee currency", currency, { field: "terms.fee_per_deliverable.currency", hint: "ISO 4217, e.g. USD" })),
    field("Product seeding (optional)", seeding, { field: "terms.product_seeding", hint: "What product the creator gets" }),
    h("div", { class: "field-check" }, commission, h("label", { for: commission.id }, "The campaign's commission plan applies")),
    h("div", { class: "row" },
      field("Usage rights", rights, { field: "terms.usage_rights" }),
      field("Usage rights (days)", rightsDays, { field: "terms.usage_rights_days" })),
    h("div", { class: "field-check" }, disclosure, h("label", { for: disclosure.id }, "FTC disclosure required")),
    field("Cancellation clause", clause, { field: "terms.cancellation_clause" }));
  function read() {
    const out = {
      deliverables: rows.map((r) => r.read()),
      posting_window_start: start.value || null,
      posting_window_end: end.value || null,
      commission: commission.checked,
      disclosure_required: disclosure.checked,
    };
    if (due.value) out.content_due = due.value;
    const raw = amount.value.trim();
    const cur = currency.value.trim().toUpperCase() || "USD";
    if (raw !== "") {
      const minor = toMinor(raw, cur);
      out.fee_per_deliverable = { amount: Number.isNaN(minor) ? raw : minor, currency: cur };
    }
    if (seeding.value.trim()) out.product_seeding = seeding.value.trim();
    if (rights.value.trim()) out.usage_rights = rights.value.trim();
    const days = rightsDays.value.trim();
    if (days !== "") out.usage_rights_days = /^\d+$/.test(days) ? Number(days) : days;
    if (clause.value.trim()) out.cancellation_clause = clause.value.trim();
    return out;
  }
  return { el, read };
}

/** A terms-level 422 ("terms: posting_window_end must be on or after …") names its field in the
 * message only: point it at that field so it shows under it. */
function sharpen(error) {
  if (error.status !== 422) return error;
  for (const d of error.details) {
    const m = /^terms(\.|$)/.test(String(d.field || "")) && String(d.message || "").match(/\b(posting_window_end|posting_window_start|content_due)\b/);
    if (m && (d.field === "terms" || !d.field)) d.field = `terms.${m[1]}`;
  }
  return error;
}

function textArea(attrs) {
  return h("textarea", { rows: "3", ...attrs });
}

/** The form of one brand action: {title, intro, fields, body(), submit}. */
function actionSpec(action, c, creatorName) {
  const latest = c.offers.length ? c.offers[c.offers.length - 1] : null;
  switch (action) {
    case "counter": {
      const terms = termsFields(latest && latest.terms);
      const note = textArea({ maxlength: "2000" });
      return {
        title: latest ? "Counter-offer" : "Make an offer",
        intro: latest ? `Filled in with offer ${c.offers.length} (${latest.by === "brand" ? "yours" : creatorName + "'s"}); change what you propose.` : "The terms you propose.",
        fields: [terms.el, field("Note to the creator (optional)", note, { field: "note" })],
        body: () => ({ terms: terms.read(), ...(note.value.trim() ? { note: note.value.trim() } : {}) }),
        submit: "Send the counter-offer",
      };
    }
    case "accept-terms":
      return {
        title: "Accept the terms",
        intro: `Accept offer ${c.offers.length}, ${creatorName}'s, as it stands: the contract freezes it and goes to the creator to sign.`,
        fields: [termsList(latest && latest.terms)],
        body: () => ({}),
        submit: `Accept offer ${c.offers.length}`,
      };
    case "record-shipment": {
      const carrier = input({ maxlength: "100", autocomplete: "off" });
      const tracking = input({ maxlength: "100", autocomplete: "off" });
      return {
        title: "Record the shipment",
        intro: "The product is on its way: the creator then confirms delivery.",
        fields: [h("div", { class: "row" }, field("Carrier", carrier, { field: "carrier" }), field("Tracking number", tracking, { field: "tracking_number" }))],
        body: () => ({ carrier: carrier.value.trim() || null, tracking_number: tracking.value.trim() || null }),
        submit: "Record the shipment",
      };
    }
    case "confirm-delivery":
      return { title: "Confirm delivery", intro: "The creator has the product (they can confirm it too).", fields: [], body: () => ({}), submit: "Confirm delivery" };
    case "approve-content": {
      const comments = textArea({ maxlength: "5000" });
      return {
        title: "Approve the content",
        intro: "The creator may then post it.",
        fields: [field("Comments (optional)", comments, { field: "comments" })],
        body: () => (comments.value.trim() ? { comments: comments.value.trim() } : {}),
        submit: "Approve the content",
      };
    }
    case "request-changes": {
      const comments = textArea({ maxlength: "5000" });
      return {
        title: "Request changes",
        intro: "Tell the creator what to change: they submit a new draft in the next round.",
        fields: [field("What to change", comments, { field: "comments" })],
        body: () => ({ comments: comments.value.trim() || null }),
        submit: "Request changes",
      };
    }
    case "grant-round":
      return { title: "Grant another round", intro: "No revision rounds are left: give the creator one more.", fields: [], body: () => ({}), submit: "Grant another round" };
    case "extend": {
      const amount = input({ inputmode: "numeric", value: "3", size: "4" });
      const unit = select([["86400", "days"], ["3600", "hours"]], "86400");
      return {
        title: "Extend the deadline",
        intro: "The deadline was missed: give the creator more time from now.",
        fields: [h("div", { class: "row" }, field("More time", amount, { field: "seconds" }), field("Unit", unit))],
        body: () => {
          const raw = amount.value.trim();
          return { seconds: /^\d+$/.test(raw) ? Number(raw) * Number(unit.value) : raw };
        },
        submit: "Extend the deadline",
      };
    }
    case "rate": {
      const score = select([["", "Choose…"], ["5", "5 (excellent)"], ["4", "4"], ["3", "3"], ["2", "2"], ["1", "1 (poor)"]], "");
      const notes = textArea({ maxlength: "5000" });
      return {
        title: "Rate and close",
        intro: "Kept in the creator's history; the collaboration then closes as completed.",
        fields: [field("Score", score, { field: "score" }), field("Notes (optional)", notes, { field: "notes" })],
        body: () => ({ score: score.value ? Number(score.value) : null, ...(notes.value.trim() ? { notes: notes.value.trim() } : {}) }),
        submit: "Rate and close",
      };
    }
    case "cancel": {
      const reason = textArea({ maxlength: "1000", rows: "2" });
      return {
        title: "Cancel the collaboration",
        intro: c.contract ? `Under the contract's cancellation clause: ${c.contract.terms.cancellation_clause}` : "It closes as cancelled.",
        fields: [field("Reason (optional)", reason, { field: "reason" })],
        body: () => (reason.value.trim() ? { reason: reason.value.trim() } : {}),
        submit: "Cancel the collaboration",
        danger: true,
      };
    }
    default:
      return null;
  }
}

export async function renderCollaboration(main, [id], { setTitle, me }) {
  const path = `/v1/collaborations/${encodeURIComponent(id)}`;
  let c;
  try {
    c = await api.get(path);
  } catch (error) {
    if (error.status === 404) return notFound(main, setTitle, "Collaboration", h("a", { href: "#/campaigns" }, "All campaigns"));
    throw error;
  }
  const [campaign, creator, members] = await Promise.all([
    api.get(`/v1/campaigns/${encodeURIComponent(c.campaign_id)}`),
    api.get(`/v1/creators/${encodeURIComponent(c.creator_id)}`).catch((e) => {
      if (e instanceof api.SessionEnded) throw e;
      return null;
    }),
    membersById(me),
  ]);
  const creatorName = creator ? creator.name : c.creator_id;
  setTitle(`${creatorName} · ${campaign.name}`);
  const problems = h("div", { class: "alert-slot" });
  const status = h("p", { class: "saved board-status", role: "status" });
  const body = h("div", {});
  let busy = false;
  let dirty = false;
  body.addEventListener("input", () => {
    dirty = true;
  });

  function summary() {
    const w = c.waiting_for;
    const owner = ownerName(creator, members);
    return h("dl", { class: "figures collab-summary" },
      item("Creator", h("a", { href: `#/creators/${encodeURIComponent(c.creator_id)}` }, creatorName)),
      item("Campaign", h("a", { href: `#/campaigns/${encodeURIComponent(c.campaign_id)}/board` }, campaign.name)),
      item("Stage", STAGE_LABEL[c.stage] || c.stage),
      c.status === "closed" ? item("Outcome", OUTCOME[c.outcome] || c.outcome || "—") : null,
      w && c.status === "open" ? item("Until", when(w.until)) : null,
      w && w.due && absolute(w.due) !== absolute(w.until) ? item("Due", when(w.due)) : null,
      owner ? item("Owner", owner) : null);
  }

  function creatorLink() {
    if (!c.creator_url) return null;
    const box = input({ value: c.creator_url, readonly: true, id: uid("creator-url") });
    const copied = h("p", { class: "muted", role: "status" });
    const copy = h("button", { type: "button", class: "button-quiet" }, "Copy link");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(c.creator_url);
        copied.textContent = "Link copied.";
      } catch {
        box.focus();
        box.select();
        copied.textContent = "The link is selected: press Ctrl+C (⌘C) to copy it.";
      }
    });
    return h("section", { "aria-labelledby": "creator-page" },
      h("h2", { id: "creator-page" }, "The creator's page"),
      h("p", { class: "muted" }, "Where the creator accepts, signs, submits drafts and posts: share this signed link with them."),
      h("div", { class: "copy-row" }, field("Creator's page link", box), copy),
      copied);
  }

  function actionForm(action) {
    const spec = actionSpec(action, c, creatorName);
    if (!spec) return null;
    const titleId = uid("action");
    const formAlert = h("div", { class: "alert-slot" });
    const submit = h("button", { type: "submit", class: spec.danger ? "button-danger" : undefined }, spec.submit);
    const form = h("form", { class: "stack card action-form", novalidate: true, "aria-labelledby": titleId, "data-action": action },
      h("h3", { id: titleId }, spec.title),
      spec.intro ? h("p", { class: "muted" }, spec.intro) : null,
      formAlert,
      spec.fields,
      h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, formAlert);
      fill(problems);
      status.textContent = "";
      submit.disabled = true;
      busy = true;
      const before = c.waiting_for ? c.waiting_for.since : null;
      try {
        c = await api.call("POST", `${path}/actions/${action}`, spec.body());
        await settle(before, `Done: ${label(action)}.`);
      } catch (error) {
        if (error instanceof api.SessionEnded) return;
        if (error.status === 422) showError(form, formAlert, sharpen(error));
        else {
          fill(problems, alertBox(error.message));
          problems.scrollIntoView({ block: "nearest" });
        }
      } finally {
        submit.disabled = false;
        busy = false;
      }
    });
    return form;
  }

  function acceptPostForm(u) {
    const titleId = uid("accept-post");
    const note = textArea({ maxlength: "2000", rows: "2" });
    const formAlert = h("div", { class: "alert-slot" });
    const submit = h("button", { type: "submit" }, "Accept the post");
    const form = h("form", { class: "stack card action-form", novalidate: true, "aria-labelledby": titleId },
      h("h3", { id: titleId }, `Accept the post for ${unitName(u)}`),
      h("p", { class: "muted" }, `Its disclosure check says: ${VERDICT[u.disclosure] || "not checked yet"}. Accepting it verifies the deliverable${u.fee ? ` and books its fee (${money(u.fee.amount, u.fee.currency)})` : ""}.`),
      formAlert,
      field("Why you accept it (optional)", note, { field: "note" }),
      h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, formAlert);
      fill(problems);
      submit.disabled = true;
      busy = true;
      try {
        const text = note.value.trim();
        c = await api.call("POST", `${path}/posts/${encodeURIComponent(u.post_id)}/accept`, text ? { note: text } : {});
        draw();
        status.textContent = `Post accepted: ${unitName(u)} is verified.`;
      } catch (error) {
        if (error instanceof api.SessionEnded) return;
        if (error.status === 422) showError(form, formAlert, error);
        else fill(problems, alertBox(error.message));
      } finally {
        submit.disabled = false;
        busy = false;
      }
    });
    return form;
  }

  function actionsSection() {
    const t = turn(c);
    const posted = c.deliverables.filter((u) => u.state === "posted" && u.post_id);
    const forms = [...t.brand.map(actionForm), ...(c.status === "open" ? posted.map(acceptPostForm) : [])].filter(Boolean);
    const lead = waitsFor(c, creatorName);
    return h("section", { "aria-labelledby": "your-move", class: "collab-actions" },
      h("h2", { id: "your-move" }, "What it waits for"),
      h("p", { class: "board-waits" }, lead),
      forms.length ? h("div", { class: "action-forms" }, forms)
        : c.status === "open" ? h("p", { class: "muted" }, "Nothing for the brand to do now: this page shows the creator's next step as soon as it happens.") : null);
  }

  function section(key, title, content) {
    if (!content) return null;
    return h("section", { "aria-labelledby": `collab-${key}` }, h("h2", { id: `collab-${key}` }, title), content);
  }

  function draw() {
    dirty = false;
    fill(
      body,
      summary(),
      actionsSection(),
      section("negotiation", "Negotiation", offersSection(c, creatorName)),
      section("contract", "Contract", contractSection(c)),
      section("shipment", "Shipment", shipmentSection(c)),
      section("content", "Content", proposalsSection(c)),
      section("deliverables", "Deliverables and posts", deliverablesSection(c)),
      section("rating", "Rating", c.rating ? h("p", {}, h("strong", {}, `${c.rating.score} of 5`), c.rating.notes ? ` — ${c.rating.notes}` : "") : null),
      creatorLink(),
      section("timeline", "Timeline", timelineSection(c, creatorName)),
    );
  }

  const key = (x) => JSON.stringify([x.stage, x.status, x.updated_at, x.waiting_for && x.waiting_for.since]);

  /** After an action: wait until the workflow moved on (a new waiting step, or closed), then redraw. */
  async function settle(before, doneText) {
    status.textContent = "Roster is moving this collaboration on…";
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      if (c.status === "closed" || (c.waiting_for && c.waiting_for.since !== before)) break;
      if (Date.now() > deadline) {
        draw();
        status.textContent = `${doneText} Roster is still working on it: this page shows the next step as soon as it is there.`;
        return;
      }
      await sleep(500);
      c = await api.get(path);
    }
    draw();
    status.textContent = `${doneText} ${waitsFor(c, creatorName)}`;
  }

  async function refresh() {
    if (busy) return;
    try {
      const fresh = await api.get(path);
      if (busy) return;
      const changed = key(fresh) !== key(c);
      const sameStep = fresh.stage === c.stage && JSON.stringify(fresh.waiting_for) === JSON.stringify(c.waiting_for);
      // Half-typed in a form while the step is the same (a post checked, say): keep the form; the
      // page catches up when the step changes or the form is sent.
      if (changed && sameStep && dirty) return;
      c = fresh;
      if (changed) {
        fill(problems); // an earlier refusal was about a step that is gone now
        draw();
        status.textContent = `Updated ${new Date().toLocaleTimeString()}: ${waitsFor(c, creatorName)}`;
      }
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }

  fill(
    main,
    h("h1", { tabindex: "-1" }, `Collaboration with ${creatorName}`),
    h("p", { class: "muted" }, h("a", { href: `#/campaigns/${encodeURIComponent(c.campaign_id)}/board` }, `← ${campaign.name}: all collaborations`)),
    problems,
    status,
    body,
  );
  draw();
  return whileVisible(refresh);
}
