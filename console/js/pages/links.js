// A campaign's links and promo codes (#/campaigns/{id}/links).
// Tracking links (GET/POST /v1/links, PATCH /v1/links/{code}): each with its creator, the short
// URL to share (and a Copy button), the destination, enabled or not, its expiry and its clicks of
// the last 30 days (GET /v1/links/{code}/stats, also per day on demand); create one for a creator
// (the API checks the destination against the campaign's allowed domains: its 422 shows under the
// field), change the destination or expiry, disable and enable. Promo codes (GET/POST/PATCH
// /v1/promo-codes): the list, register a code for a creator (or generate one from a pattern),
// retire and reactivate. The campaign's click totals come from GET /v1/campaigns/{id}/stats.

import * as api from "../api.js";
import { chart } from "../chart.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { clearErrors, field, input, select, showError } from "../form.js";
import { count, day } from "../format.js";
import { campaignHead, loadCampaign } from "../tabs.js";

const PAGE = 50;
const STATS_AT_ONCE = 4;

/** "2026-12-01T10:00" (a datetime-local value, the member's time) → ISO 8601 UTC, or "" when empty. */
export function toIso(local) {
  if (!local) return "";
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** An ISO time → a datetime-local value in the member's time zone. */
export function toLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Every UTC day from `first` to `last` (YYYY-MM-DD), both included. */
function daysBetween(first, last) {
  const out = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < 400; t += 86400000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Runs `jobs` (functions returning promises) at most `n` at a time. */
async function limited(jobs, n) {
  const queue = [...jobs];
  const workers = Array.from({ length: Math.min(n, queue.length) }, async () => {
    while (queue.length) await queue.shift()();
  });
  await Promise.all(workers);
}

function linkState(link) {
  if (!link.enabled) return ["disabled", "Disabled"];
  if (link.expires_at && new Date(link.expires_at).getTime() <= Date.now()) return ["expired", "Expired"];
  return ["enabled", "Enabled"];
}

export async function render(main, [id], { setTitle }) {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let campaign = await loadCampaign(main, id, setTitle);
  if (!campaign) return undefined;
  setTitle(`Links & codes · ${campaign.name}`);
  const creators = await api.all("/v1/creators", { pages: 5 });
  const creatorName = Object.fromEntries(creators.items.map((c) => [c.id, c.name]));
  const nameOf = (creatorId) => creatorName[creatorId] || creatorId;
  const creatorOptions = creators.items.map((c) => [c.id, c.name]);
  const problems = h("div", { class: "alert-slot" });
  const announce = h("p", { class: "visually-hidden", role: "status" });
  const say = (text) => {
    announce.textContent = "";
    announce.textContent = text;
  };
  const failed = (error) => {
    if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
  };
  const allowed = campaign.allowed_domains || [];

  // ---- click totals of the campaign
  const totals = h("dl", { class: "figures", "aria-label": "Clicks of the campaign's links, last 30 days" });
  async function loadTotals() {
    try {
      const stats = await api.get(`${path}/stats`);
      fill(totals,
        item("Clicks (30 days)", count(stats.totals.clicks)),
        item("Unique clicks (30 days)", count(stats.totals.unique_clicks)));
    } catch (error) {
      failed(error);
    }
  }

  // ---- the links
  const linkList = h("ul", { class: "link-list", "aria-label": "Tracking links" });
  const moreLinks = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more links");
  let linkCursor = null;

  function statsPanel(link, panel) {
    const range = h("p", { class: "muted" }, "Loading…");
    fill(panel, range);
    api.get(`/v1/links/${encodeURIComponent(link.code)}/stats`).then((stats) => {
      const byDay = new Map(stats.days.map((d) => [d.day, d.clicks]));
      const points = daysBetween(stats.first_day, stats.last_day).map((d) => ({ label: d, value: byDay.get(d) || 0 }));
      const countries = Object.entries(stats.totals.countries || {}).sort((a, b) => b[1] - a[1]);
      const devices = Object.entries(stats.totals.devices || {}).sort((a, b) => b[1] - a[1]);
      fill(panel,
        chart({ title: `Clicks per day, ${link.code}`, points, format: count }),
        h("dl", { class: "figures" },
          item("From", day(stats.first_day)),
          item("To", day(stats.last_day)),
          item("Unique clicks", count(stats.totals.unique_clicks)),
          item("Countries", countries.length ? countries.map(([c, n]) => `${c} ${n}`).join(", ") : "—"),
          item("Devices", devices.length ? devices.map(([c, n]) => `${c} ${n}`).join(", ") : "—")));
    }).catch((error) => {
      if (!(error instanceof api.SessionEnded)) fill(panel, alertBox(error.message));
    });
  }

  function editForm(link, card) {
    const formId = uid("edit-link");
    const destination = input({ type: "url", value: link.destination, maxlength: "2048", autocomplete: "off" });
    const expires = input({ type: "datetime-local", value: toLocalInput(link.expires_at) });
    const expiredUrl = input({ type: "url", value: link.expired_url || "", maxlength: "2048", autocomplete: "off" });
    const formAlert = h("div", { class: "alert-slot" });
    const submit = h("button", { type: "submit" }, "Save link");
    const cancel = h("button", { type: "button", class: "button-quiet" }, "Cancel");
    const form = h(
      "form",
      { id: formId, class: "stack link-edit", novalidate: true, "aria-label": `Change link ${link.code}` },
      formAlert,
      field("Destination", destination, { field: "destination", hint: allowed.length ? `On ${allowed.join(", ")}` : "An https URL" }),
      h("div", { class: "row" },
        field("Expires", expires, { field: "expires_at", hint: "Your time; empty: never expires" }),
        field("After expiry, send people to", expiredUrl, { field: "expired_url", hint: "Optional; empty: a “link expired” page" })),
      h("div", { class: "actions" }, submit, cancel),
    );
    cancel.addEventListener("click", () => card.close());
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") card.close();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, formAlert);
      const body = {};
      if (destination.value.trim() !== link.destination) body.destination = destination.value.trim();
      const expiresIso = toIso(expires.value);
      if (expires.value !== toLocalInput(link.expires_at)) body.expires_at = expiresIso || null;
      if (expiredUrl.value.trim() !== (link.expired_url || "")) body.expired_url = expiredUrl.value.trim() || null;
      if (!Object.keys(body).length) {
        card.close();
        return;
      }
      submit.disabled = true;
      try {
        const updated = await api.call("PATCH", `/v1/links/${encodeURIComponent(link.code)}`, body);
        card.replace(updated, `Link ${updated.code} saved.`);
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
      } finally {
        submit.disabled = false;
      }
    });
    return { form, first: destination };
  }

  function linkCard(link, clicks) {
    const headingId = uid("link");
    const [state, stateLabel] = linkState(link);
    const creator = nameOf(link.creator_id);
    const clicksEl = h("dd", {}, clicks ? count(clicks.clicks) : "…");
    const uniqueEl = h("dd", {}, clicks ? count(clicks.unique_clicks) : "…");
    const cardAlert = h("div", { class: "alert-slot" });
    const copy = h("button", { type: "button", class: "button-quiet" }, "Copy link");
    const edit = h("button", { type: "button", class: "button-quiet", "aria-expanded": "false" }, "Change");
    const toggle = h("button", { type: "button", class: "button-quiet" }, link.enabled ? "Disable" : "Enable");
    const perDay = h("button", { type: "button", class: "button-quiet", "aria-expanded": "false" }, "Clicks per day");
    const panel = h("div", { class: "link-stats", id: uid("stats"), hidden: true });
    perDay.setAttribute("aria-controls", panel.id);
    const editSlot = h("div", {});
    const el = h(
      "li",
      { class: `link-card link-${state}`, "data-code": link.code },
      h("article", { "aria-labelledby": headingId },
        h("h3", { id: headingId, class: "link-title" },
          h("span", {}, creator), " · ", h("span", { class: "link-code" }, link.code), " · ",
          h("span", { class: `link-state link-state-${state}` }, stateLabel)),
        cardAlert,
        h("p", { class: "link-url" }, h("a", { href: link.url || "#" }, link.url || link.code), " ", copy),
        h("dl", { class: "figures" },
          item("Destination", h("span", { class: "link-destination" }, link.destination)),
          item("Expires", link.expires_at ? when(link.expires_at) : "Never"),
          link.expired_url ? item("Then sends to", link.expired_url) : null,
          h("div", {}, h("dt", {}, "Clicks (30 days)"), clicksEl),
          h("div", {}, h("dt", {}, "Unique"), uniqueEl),
          item("utm_source", link.utm_source)),
        h("div", { class: "actions" }, edit, toggle, perDay),
        editSlot,
        panel),
    );
    let shown = clicks;
    const card = {
      el,
      setClicks(totals) {
        shown = totals;
        clicksEl.textContent = count(totals.clicks);
        uniqueEl.textContent = count(totals.unique_clicks);
      },
      close() {
        fill(editSlot);
        edit.hidden = false;
        edit.setAttribute("aria-expanded", "false");
        edit.focus();
      },
      replace(updated, message) {
        const fresh = linkCard(updated, shown);
        el.replaceWith(fresh.el);
        say(message);
        const title = fresh.el.querySelector(".link-title");
        title.setAttribute("tabindex", "-1");
        title.focus();
        if (!shown) loadClicks([fresh], [updated]);
      },
    };
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(link.url);
        say(`Copied ${link.url}.`);
        copy.textContent = "Copied";
        setTimeout(() => {
          copy.textContent = "Copy link";
        }, 2000);
      } catch {
        fill(cardAlert, alertBox("Could not copy: select the link and copy it."));
      }
    });
    edit.addEventListener("click", () => {
      const { form, first } = editForm(link, card);
      fill(editSlot, form);
      edit.hidden = true;
      edit.setAttribute("aria-expanded", "true");
      first.focus();
    });
    toggle.addEventListener("click", async () => {
      toggle.disabled = true;
      fill(cardAlert);
      try {
        const updated = await api.call("PATCH", `/v1/links/${encodeURIComponent(link.code)}`, { enabled: !link.enabled });
        card.replace(updated, `Link ${updated.code} ${updated.enabled ? "enabled" : "disabled"}.`);
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) fill(cardAlert, alertBox(error.message));
        toggle.disabled = false;
      }
    });
    perDay.addEventListener("click", () => {
      const open = panel.hidden;
      panel.hidden = !open;
      perDay.setAttribute("aria-expanded", String(open));
      if (open) statsPanel(link, panel);
    });
    return card;
  }

  function loadClicks(cards, items) {
    return limited(cards.map((card, i) => async () => {
      try {
        const stats = await api.get(`/v1/links/${encodeURIComponent(items[i].code)}/stats`);
        card.setClicks(stats.totals);
      } catch (error) {
        if (error instanceof api.SessionEnded) throw error;
        card.setClicks({ clicks: null, unique_clicks: null });
      }
    }), STATS_AT_ONCE).catch(() => {});
  }

  function linksEmpty() {
    if (!linkList.querySelector(".link-card")) {
      fill(linkList, h("li", { class: "empty" }, "No tracking link yet: create one above for each creator who promotes the campaign."));
    }
  }

  async function loadLinks(reset) {
    try {
      const q = api.query({ campaign_id: campaign.id, limit: PAGE, cursor: reset ? null : linkCursor });
      const data = await api.get(`/v1/links${q}`);
      // Cards of links created while this page loaded stay: the answer may predate them.
      const kept = reset ? [...linkList.querySelectorAll(".link-card")].filter((el) => !data.items.some((l) => l.code === el.dataset.code)) : [];
      if (reset) fill(linkList);
      linkList.querySelector(".empty")?.remove();
      const cards = data.items.map((l) => linkCard(l, null));
      for (const c of cards) linkList.append(c.el);
      linkList.append(...kept);
      linksEmpty();
      linkCursor = data.next_cursor;
      moreLinks.hidden = !linkCursor;
      loadClicks(cards, data.items);
    } catch (error) {
      failed(error);
    }
  }
  moreLinks.addEventListener("click", () => loadLinks(false));

  // ---- a new link
  function creatorSelect() {
    return select([["", "Choose a creator"], ...creatorOptions], "", { required: true });
  }
  const linkCreator = creatorSelect();
  const linkDestination = input({ type: "url", maxlength: "2048", autocomplete: "off", placeholder: allowed.length ? `https://${allowed[0].replace(/^\*\./, "")}/…` : "https://…" });
  const linkCode = input({ maxlength: "64", autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
  const linkExpires = input({ type: "datetime-local" });
  const linkAlert = h("div", { class: "alert-slot" });
  const linkSubmit = h("button", { type: "submit" }, "Create link");
  const newLink = h(
    "form",
    { class: "stack panel-form", novalidate: true, "aria-labelledby": "new-link-h" },
    h("h3", { id: "new-link-h" }, "New tracking link"),
    linkAlert,
    h("div", { class: "row" },
      field("Creator", linkCreator, { field: "creator_id" }),
      field("Destination", linkDestination, { field: "destination", hint: allowed.length ? `An https URL on ${allowed.join(", ")} (the campaign's allowed domains)` : "The campaign has no allowed domains yet: set them in its settings" })),
    h("div", { class: "row" },
      field("Custom code (optional)", linkCode, { field: "code", hint: "3–64 letters, digits, - or _; empty: 8 random characters" }),
      field("Expires (optional)", linkExpires, { field: "expires_at", hint: "Your time; empty: never expires" })),
    h("div", { class: "actions" }, linkSubmit),
  );
  newLink.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(newLink, linkAlert);
    const body = { campaign_id: campaign.id, creator_id: linkCreator.value, destination: linkDestination.value.trim() };
    if (linkCode.value.trim()) body.code = linkCode.value.trim();
    if (linkExpires.value) body.expires_at = toIso(linkExpires.value);
    linkSubmit.disabled = true;
    try {
      const created = await api.call("POST", "/v1/links", body);
      linkList.querySelector(".empty")?.remove();
      const card = linkCard(created, { clicks: 0, unique_clicks: 0 });
      linkList.append(card.el);
      linkDestination.value = "";
      linkCode.value = "";
      linkExpires.value = "";
      fill(linkAlert, alertBox(`Link ${created.code} created for ${nameOf(created.creator_id)}: ${created.url}`, "info"));
      say(`Link ${created.code} created.`);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(newLink, linkAlert, error);
    } finally {
      linkSubmit.disabled = false;
    }
  });

  // ---- promo codes
  const codeBody = h("tbody", {});
  const moreCodes = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more codes");
  let codeCursor = null;

  function codeRow(promo) {
    const rowAlert = h("div", { class: "alert-slot" });
    const retired = promo.status === "retired";
    const action = h("button", { type: "button", class: "button-quiet promo-status-action" }, retired ? "Reactivate" : "Retire");
    const stripeCell = h("td", {});
    action.setAttribute("aria-label", `${retired ? "Reactivate" : "Retire"} ${promo.code}`);
    const tr = h(
      "tr",
      { "data-code": promo.code },
      h("th", { scope: "row" }, h("span", { class: "promo-code" }, promo.code)),
      h("td", {}, nameOf(promo.creator_id)),
      h("td", {}, retired
        ? [h("span", { class: "link-state link-state-disabled" }, "Retired"), " since ", when(promo.retired_at)]
        : h("span", { class: "link-state link-state-enabled" }, "Active"),
        promo.retired_periods && promo.retired_periods.length
          ? h("p", { class: "muted hint" }, `Retired before ${promo.retired_periods.length}×: orders then earned nothing`)
          : null),
      stripeCell,
      h("td", {}, when(promo.created_at)),
      h("td", {}, action, rowAlert),
    );
    function replaceRow(updated, message, focusClass) {
      const fresh = codeRow(updated);
      tr.replaceWith(fresh);
      say(message);
      fresh.querySelector(focusClass).focus();
    }
    function drawStripe() {
      const change = h("button", { type: "button", class: "button-quiet promo-stripe-action", "aria-label": `Change the Stripe promotion code of ${promo.code}` },
        promo.stripe_promotion_code ? "Change" : "Add");
      change.addEventListener("click", () => {
        const value = input({ value: promo.stripe_promotion_code || "", maxlength: "70", autocomplete: "off", spellcheck: "false", placeholder: "promo_…" });
        const formAlert = h("div", { class: "alert-slot" });
        const save = h("button", { type: "submit" }, "Save");
        const cancel = h("button", { type: "button", class: "button-quiet" }, "Cancel");
        const form = h("form", { class: "stack stripe-form", novalidate: true, "aria-label": `Map ${promo.code} to a Stripe promotion code` },
          formAlert,
          field(`Stripe promotion code of ${promo.code}`, value, { field: "stripe_promotion_code", hint: "Empty: no Stripe mapping" }),
          h("div", { class: "actions" }, save, cancel));
        const close = () => {
          drawStripe();
          stripeCell.querySelector("button").focus();
        };
        cancel.addEventListener("click", close);
        form.addEventListener("keydown", (event) => {
          if (event.key === "Escape") close();
        });
        form.addEventListener("submit", async (event) => {
          event.preventDefault();
          clearErrors(form, formAlert);
          save.disabled = true;
          try {
            const updated = await api.call("PATCH", `/v1/promo-codes/${encodeURIComponent(promo.code)}`, { stripe_promotion_code: value.value.trim() || null });
            replaceRow(updated, `Promo code ${updated.code}: ${updated.stripe_promotion_code ? `Stripe promotion code ${updated.stripe_promotion_code}` : "no Stripe mapping"}.`, ".promo-stripe-action");
          } catch (error) {
            if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
            save.disabled = false;
          }
        });
        fill(stripeCell, form);
        value.focus();
      });
      fill(stripeCell, h("span", { class: "promo-code" }, promo.stripe_promotion_code || "—"), " ", change);
    }
    drawStripe();
    action.addEventListener("click", async () => {
      action.disabled = true;
      fill(rowAlert);
      try {
        const updated = await api.call("PATCH", `/v1/promo-codes/${encodeURIComponent(promo.code)}`, { status: retired ? "active" : "retired" });
        replaceRow(updated, `Promo code ${updated.code} ${updated.status === "retired" ? "retired: orders with it from now on earn nothing" : "active again"}.`, ".promo-status-action");
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) fill(rowAlert, alertBox(error.message));
        action.disabled = false;
      }
    });
    return tr;
  }

  function codesEmpty() {
    if (!codeBody.querySelector("tr[data-code]")) {
      fill(codeBody, h("tr", { class: "empty" }, h("td", { colspan: "6" }, "No promo code yet: register one below for a creator.")));
    }
  }

  async function loadCodes(reset) {
    try {
      const q = api.query({ campaign_id: campaign.id, limit: PAGE, cursor: reset ? null : codeCursor });
      const data = await api.get(`/v1/promo-codes${q}`);
      // Rows of codes registered while this page loaded stay: the answer may predate them.
      const kept = reset ? [...codeBody.querySelectorAll("tr[data-code]")].filter((tr) => !data.items.some((p) => p.code === tr.dataset.code)) : [];
      if (reset) fill(codeBody);
      codeBody.querySelector(".empty")?.remove();
      for (const p of data.items) codeBody.append(codeRow(p));
      codeBody.append(...kept);
      codesEmpty();
      codeCursor = data.next_cursor;
      moreCodes.hidden = !codeCursor;
    } catch (error) {
      failed(error);
    }
  }
  moreCodes.addEventListener("click", () => loadCodes(false));

  const codeCreator = creatorSelect();
  const codeText = input({ maxlength: "32", autocomplete: "off", autocapitalize: "characters", spellcheck: "false" });
  const codePattern = input({ maxlength: "40", autocomplete: "off", spellcheck: "false", placeholder: "{HANDLE}{N}" });
  const codeStripe = input({ maxlength: "70", autocomplete: "off", spellcheck: "false", placeholder: "promo_…" });
  const codeAlert = h("div", { class: "alert-slot" });
  const codeSubmit = h("button", { type: "submit" }, "Register code");
  const newCode = h(
    "form",
    { class: "stack panel-form", novalidate: true, "aria-labelledby": "new-code-h" },
    h("h3", { id: "new-code-h" }, "Register a promo code"),
    codeAlert,
    h("div", { class: "row" },
      field("Creator", codeCreator, { field: "creator_id" }),
      field("Code", codeText, { field: "code", hint: "As the store knows it, e.g. MAYA10 (3–32 letters, digits, - or _)" })),
    h("div", { class: "row" },
      field("…or generate it from a pattern", codePattern, { field: "pattern", hint: "Instead of a code: {HANDLE}, {NAME}, {N} (first free number), {RAND}" }),
      field("Stripe promotion code (optional)", codeStripe, { field: "stripe_promotion_code", hint: "promo_…, when the store is Stripe" })),
    h("div", { class: "actions" }, codeSubmit),
  );
  newCode.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(newCode, codeAlert);
    const body = { campaign_id: campaign.id, creator_id: codeCreator.value };
    if (codeText.value.trim()) body.code = codeText.value.trim();
    if (codePattern.value.trim()) body.pattern = codePattern.value.trim();
    if (codeStripe.value.trim()) body.stripe_promotion_code = codeStripe.value.trim();
    codeSubmit.disabled = true;
    try {
      const created = await api.call("POST", "/v1/promo-codes", body);
      codeBody.querySelector(".empty")?.remove();
      codeBody.append(codeRow(created));
      codeText.value = "";
      codePattern.value = "";
      codeStripe.value = "";
      fill(codeAlert, alertBox(`Promo code ${created.code} registered for ${nameOf(created.creator_id)}.`, "info"));
      say(`Promo code ${created.code} registered.`);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(newCode, codeAlert, error);
    } finally {
      codeSubmit.disabled = false;
    }
  });

  const noCreators = creators.items.length
    ? null
    : h("p", { class: "alert alert-info" }, "No creator yet: ", h("a", { href: "#/creators/new" }, "add a creator"), " before giving out links or codes.");
  fill(
    main,
    campaignHead(campaign, "links"),
    problems,
    announce,
    noCreators,
    h("section", { "aria-labelledby": "links-h" },
      h("h2", { id: "links-h" }, "Tracking links"),
      totals,
      newLink,
      linkList,
      moreLinks),
    h("section", { "aria-labelledby": "codes-h" },
      h("h2", { id: "codes-h" }, "Promo codes"),
      h("p", { class: "muted" }, "An order that uses a creator's code is attributed to them, even without a click. A retired code still attributes its orders, but they earn nothing."),
      // Focusable, so the keyboard can scroll it sideways on a phone.
      h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Promo codes, scrolls sideways" },
        h("table", { class: "codes-table" },
          h("caption", { class: "visually-hidden" }, "Promo codes"),
          h("thead", {}, h("tr", {}, ["Code", "Creator", "Status", "Stripe", "Registered", "Action"].map((t) => h("th", { scope: "col" }, t)))),
          codeBody)),
      moreCodes,
      newCode),
  );
  await Promise.all([loadTotals(), loadLinks(true), loadCodes(true)]);
}
