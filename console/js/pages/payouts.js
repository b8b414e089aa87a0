// Payouts. The list page (#/payouts) shows what a payout booked now would pay (GET
// /v1/payouts/preview): one line per creator and currency, with clawbacks netted and what is
// carried forward (and why). The selection — one campaign, creators left out by unticking them —
// is kept in the hash (#/payouts?campaign_id=…&exclude=id,id) and re-previewed on every change.
// An admin books it after a confirmation step (POST /v1/payouts with the same selection) and lands
// on the new payout; a member sees why they cannot. Below, the history (GET /v1/payouts, newest
// first, Show more). One payout (#/payouts/{id}): its lines, status, who booked it and when, and
// its CSV (GET /v1/payouts/{id}.csv, fetched with the member's token).

import * as api from "../api.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { select } from "../form.js";
import { count, money } from "../format.js";

const NOTICE = "roster.payouts.notice";
const POLL_MS = 5000;
const MAX_IDS = 100; // what one id list of a selection may hold
const REASONS = {
  clawback: "Clawback owed: netted against the creator's next earnings",
  below_min_payout: "Under the campaign's minimum payout",
};

function notice(message) {
  sessionStorage.setItem(NOTICE, message);
}

function takeNotice() {
  const message = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return message;
}

/** "$12.00 · €3.00" for a currency → amount map; `empty` when it holds nothing. */
function amounts(totals, empty = "Nothing") {
  const entries = Object.entries(totals || {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([cur, minor]) => money(minor, cur)).join(" · ") : empty;
}

function actorText(actor) {
  if (!actor) return "—";
  return actor.type === "api_key" ? `${actor.name || actor.id} (API key)` : actor.name || actor.id;
}

function plural(n, one, many) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** Lines (or carried-forward balances) by currency, in currency order. */
function byCurrency(lines) {
  const out = new Map();
  for (const line of [...lines].sort((a, b) => a.currency.localeCompare(b.currency))) {
    if (!out.has(line.currency)) out.set(line.currency, []);
    out.get(line.currency).push(line);
  }
  return out;
}

/** Names for the ids the API returns: the brand's campaigns and creators (the first pages). */
async function directory() {
  const [campaigns, creators] = await Promise.all([
    api.all("/v1/campaigns", { pages: 5 }),
    api.all("/v1/creators", { pages: 5 }),
  ]);
  const campaignName = Object.fromEntries(campaigns.items.map((c) => [c.id, c.name]));
  const creatorName = Object.fromEntries(creators.items.map((c) => [c.id, c.name]));
  return {
    campaigns: campaigns.items,
    campaign: (id) => campaignName[id] || id,
    creator: (id) => creatorName[id] || id,
  };
}

function campaignsOf(names, ids) {
  return ids.map((id) => names.campaign(id)).join(", ");
}

function numberCell(minor, currency, attrs = {}) {
  return h("td", { class: "num", ...attrs }, money(minor, currency));
}

/** A wide table that scrolls sideways on a phone: with nothing focusable inside, the scrolling box
 * itself takes the focus (and a name) so the keyboard can scroll it. */
function scroller(label, table) {
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": label }, table);
}

function sum(lines, key) {
  return lines.reduce((total, line) => total + line[key], 0);
}

/** `?campaign_ids=a&exclude_creator_ids=b,c`: the selection as the preview's query parameters. */
function previewPath(selection) {
  const params = {};
  for (const [key, value] of Object.entries(selection)) params[key] = Array.isArray(value) ? value.join(",") : value;
  return `/v1/payouts/preview${api.query(params)}`;
}

// ---- the list page: preview, selection, booking, history

export async function render(main, _params, { setTitle, query, me }) {
  setTitle("Payouts");
  const isAdmin = !me || me.role === "admin";
  const problems = h("div", { class: "alert-slot" });
  const announce = h("p", { class: "visually-hidden", role: "status" });
  const names = await directory();

  const state = {
    campaign: query.get("campaign_id") || "",
    excluded: new Set((query.get("exclude") || "").split(",").filter(Boolean)),
  };
  const campaign = select([["", "All campaigns"], ...names.campaigns.map((c) => [c.id, c.name])], state.campaign, { id: uid("payout-campaign") });
  if (state.campaign && campaign.value !== state.campaign) {
    campaign.append(h("option", { value: state.campaign, selected: true }, state.campaign));
  }
  campaign.dataset.field = "campaign_ids";

  const previewBox = h("div", { class: "payout-preview" });
  const carriedBox = h("div", { class: "payout-carried" });
  const bookBox = h("div", { class: "payout-book" });
  let base = null; // the preview of the campaign filter alone: every creator there is to tick
  let chosen = null; // the preview of the selection (null: nobody ticked)
  let selection = {};
  let lastKey = "";
  let confirming = false;

  /** The selection for the API: the campaign, and the unticked creators left out (or, when that
   * list would be too long, the ticked ones named instead). */
  function selectionOf(preview) {
    const out = state.campaign ? { campaign_ids: [state.campaign] } : {};
    const creators = [...new Set(preview.lines.map((l) => l.creator_id))];
    const included = creators.filter((c) => !state.excluded.has(c));
    const left = creators.filter((c) => state.excluded.has(c));
    if (left.length) {
      if (left.length > MAX_IDS && included.length <= MAX_IDS) out.creator_ids = included;
      else out.exclude_creator_ids = left;
    }
    return { out, included };
  }

  function keepInHash() {
    history.replaceState(null, "", `#/payouts${api.query({ campaign_id: state.campaign, exclude: [...state.excluded].join(",") })}`);
  }

  async function loadPreview({ quiet = false } = {}) {
    try {
      const b = await api.get(previewPath(state.campaign ? { campaign_ids: [state.campaign] } : {}));
      const there = new Set(b.lines.map((l) => l.creator_id));
      for (const id of [...state.excluded]) if (!there.has(id)) state.excluded.delete(id); // paid or gone
      const { out, included } = selectionOf(b);
      const c = !included.length ? null : state.excluded.size ? await api.get(previewPath(out)) : b;
      const key = JSON.stringify([b, c, out]);
      if (quiet && (key === lastKey || confirming)) return;
      lastKey = key;
      base = b;
      chosen = c;
      selection = out;
      const focused = previewBox.contains(document.activeElement) ? document.activeElement.dataset.pick : null;
      drawPreview();
      if (focused) previewBox.querySelector(`[data-pick="${focused}"]`)?.focus();
      drawCarried();
      if (!confirming) drawBook();
      if (!quiet) fill(problems);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }

  function pick(line) {
    const id = uid("pay");
    const name = names.creator(line.creator_id);
    const box = h("input", {
      type: "checkbox",
      id,
      checked: !state.excluded.has(line.creator_id),
      "data-pick": `${line.creator_id}:${line.currency}`,
    });
    box.addEventListener("change", async () => {
      if (box.checked) state.excluded.delete(line.creator_id);
      else state.excluded.add(line.creator_id);
      keepInHash();
      await loadPreview();
      const again = previewBox.querySelector(`[data-pick="${line.creator_id}:${line.currency}"]`);
      if (again) again.focus();
      announce.textContent = `${name} ${box.checked ? "included" : "left out"}. To pay: ${chosen ? amounts(chosen.totals) : "nothing"}.`;
    });
    return h("td", { class: "payout-pick" }, h("label", { for: id, class: "visually-hidden" }, `Pay ${name} (${line.currency})`), box);
  }

  function carriedFor(line) {
    const owed = base.carried_forward.filter((c) => c.creator_id === line.creator_id && c.currency === line.currency);
    return owed.length ? money(sum(owed, "amount"), line.currency) : "—";
  }

  function drawPreview() {
    const lines = base.lines;
    const picked = chosen ? chosen.lines : [];
    const creators = new Set(picked.map((l) => l.creator_id)).size;
    const summary = h(
      "div",
      { role: "group", "aria-label": "This payout" },
      h("dl", { class: "figures payout-totals" },
        item("To pay", chosen ? amounts(chosen.totals) : "Nothing selected"),
        item("Creators", count(creators)),
        item("Lines", count(picked.length))),
    );
    if (!lines.length) {
      fill(
        previewBox,
        h("p", { class: "empty-state" },
          state.campaign
            ? "Nothing to pay for this campaign now. Choose “All campaigns”, or wait: a commission becomes payable once its hold period (set in the campaign's commission plan) is over."
            : "Nothing to pay now: no approved commission or fee is waiting. A commission becomes payable once its hold period (set in the campaign's commission plan) is over; balances left for later are listed below."),
      );
      return;
    }
    const tables = [...byCurrency(lines)].map(([currency, rows]) => {
      const mine = picked.filter((l) => l.currency === currency);
      return h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "payout-lines" },
          h("caption", {}, `${currency}: ${plural(rows.length, "creator", "creators")}, ${money(chosen ? chosen.totals[currency] || 0 : 0, currency)} selected`),
          h("thead", {}, h("tr", {},
            ["Pay", "Creator", "Campaigns", "Commissions and fees", "Clawbacks", "Net", "Carried forward", "Entries"].map((t, i) =>
              h("th", { scope: "col", class: i >= 3 ? "num" : undefined }, t)))),
          h("tbody", {}, rows.map((line) => {
            const out = state.excluded.has(line.creator_id);
            return h(
              "tr",
              { class: out ? "payout-left-out" : undefined },
              pick(line),
              h("th", { scope: "row" }, names.creator(line.creator_id), out ? h("span", { class: "payout-flag" }, " (left out)") : null),
              h("td", {}, campaignsOf(names, line.campaign_ids)),
              numberCell(line.gross, currency),
              numberCell(line.clawback, currency),
              numberCell(line.amount, currency),
              h("td", { class: "num" }, carriedFor(line)),
              h("td", { class: "num" }, count(line.entries)),
            );
          })),
          h("tfoot", {}, h("tr", {},
            h("th", { scope: "row", colspan: "3" }, "Selected"),
            numberCell(sum(mine, "gross"), currency),
            numberCell(sum(mine, "clawback"), currency),
            numberCell(sum(mine, "amount"), currency),
            h("td", {}),
            h("td", { class: "num" }, count(sum(mine, "entries"))))),
        ),
      );
    });
    fill(previewBox, summary, tables);
  }

  function drawCarried() {
    const carried = base.carried_forward;
    if (!carried.length) {
      fill(carriedBox, h("p", { class: "muted" }, "Nothing is carried forward: no clawback is owed and no balance is under its campaign's minimum."));
      return;
    }
    fill(
      carriedBox,
      [...byCurrency(carried)].map(([currency, rows]) =>
        scroller(`${currency} carried forward`,
          h("table", { class: "payout-lines" },
            h("caption", {}, `${currency}: left for later`),
            h("thead", {}, h("tr", {},
              ["Creator", "Campaigns", "Commissions and fees", "Clawbacks", "Balance", "Why"].map((t, i) =>
                h("th", { scope: "col", class: i >= 2 && i <= 4 ? "num" : undefined }, t)))),
            h("tbody", {}, rows.map((c) =>
              h("tr", {},
                h("th", { scope: "row" }, names.creator(c.creator_id)),
                h("td", {}, campaignsOf(names, c.campaign_ids)),
                numberCell(c.gross, currency),
                numberCell(c.clawback, currency),
                numberCell(c.amount, currency),
                h("td", {}, REASONS[c.reason] || c.reason))))))),
    );
  }

  function refused(message) {
    return h("p", { class: "alert alert-info" }, message || "Only an admin can book a payout. You can see what it would pay; ask an admin of your brand to book it.");
  }

  function drawBook() {
    if (!isAdmin) {
      fill(bookBox, refused());
      return;
    }
    const nothing = !chosen || !chosen.lines.length;
    const hintId = uid("book-hint");
    const button = h(
      "button",
      { type: "button", disabled: nothing, "aria-describedby": hintId },
      "Book payout",
    );
    button.addEventListener("click", confirm);
    fill(
      bookBox,
      h("div", { class: "actions" }, button,
        h("p", { class: "hint", id: hintId }, nothing
          ? "Nothing is selected to pay."
          : `Books ${plural(chosen.lines.length, "line", "lines")}: ${amounts(chosen.totals)}. You confirm first.`)),
    );
  }

  function confirm() {
    confirming = true;
    const headingId = uid("confirm");
    const formAlert = h("div", { class: "alert-slot" });
    const submit = h("button", { type: "submit" }, "Confirm and book");
    const cancel = h("button", { type: "button", class: "button-quiet" }, "Cancel");
    const lines = chosen.lines;
    const shown = lines.slice(0, 10);
    const left = [...state.excluded].map((id) => names.creator(id));
    const heading = h("h3", { id: headingId, tabindex: "-1" }, "Confirm the payout");
    const form = h(
      "form",
      { class: "stack payout-confirm", "aria-labelledby": headingId, novalidate: true },
      heading,
      formAlert,
      h("p", {}, `Book ${plural(lines.length, "line", "lines")} for ${plural(new Set(lines.map((l) => l.creator_id)).size, "creator", "creators")}, `,
        state.campaign ? `campaign ${names.campaign(state.campaign)}` : "all campaigns", ": ",
        h("strong", { class: "payout-confirm-total" }, amounts(chosen.totals)), "."),
      h("ul", { class: "payout-confirm-lines" },
        shown.map((l) => h("li", {}, `${names.creator(l.creator_id)}: ${money(l.amount, l.currency)}`)),
        lines.length > shown.length ? h("li", {}, `and ${plural(lines.length - shown.length, "more line", "more lines")}`) : null),
      left.length ? h("p", {}, `Left out: ${left.join(", ")}.`) : null,
      h("p", { class: "muted" }, "Roster marks these commissions and fees paid; it does not move money. Pay the lines yourself, e.g. from the payout's CSV."),
      h("div", { class: "actions" }, submit, cancel),
    );
    function close() {
      confirming = false;
      drawBook();
      loadPreview({ quiet: true });
      bookBox.querySelector("button")?.focus();
    }
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      fill(formAlert);
      try {
        const payout = await api.call("POST", "/v1/payouts", selection);
        confirming = false;
        const more = payout.lines_left ? ` ${plural(payout.lines_left, "line is", "lines are")} left for another payout.` : "";
        notice(`Payout booked: ${amounts(payout.totals)} in ${plural(payout.lines.length, "line", "lines")}.${more}`);
        location.hash = `#/payouts/${encodeURIComponent(payout.id)}`;
      } catch (error) {
        if (error instanceof api.SessionEnded) return;
        submit.disabled = false;
        if (error.status === 403) {
          confirming = false;
          fill(bookBox, refused(`Only an admin can book a payout: ${error.message}.`));
          return;
        }
        fill(formAlert, alertBox(error.message));
        if (error.status === 409) loadPreview({ quiet: true }); // what is payable changed meanwhile
      }
    });
    fill(bookBox, form);
    heading.focus();
  }

  // History
  const historyBody = h("tbody", {});
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more");
  let cursor = null;
  let pages = 0;
  let historyKey = "";

  function historyRow(p) {
    const lines = `${count(p.line_count)}`;
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, h("a", { href: `#/payouts/${encodeURIComponent(p.id)}` }, when(p.created_at))),
      h("td", {}, p.status === "booked" ? "Booked" : "Being booked"),
      h("td", {}, amounts(p.totals)),
      h("td", { class: "num" }, lines),
      h("td", { class: "num" }, count(p.entry_count)),
      h("td", {}, actorText(p.actor)),
    );
  }

  async function loadHistory(reset, { quiet = false } = {}) {
    try {
      const data = await api.get(`/v1/payouts${api.query({ limit: 20, cursor: reset ? null : cursor })}`);
      if (reset) {
        const key = JSON.stringify(data);
        if (quiet && key === historyKey) return;
        historyKey = key;
        fill(historyBody);
        pages = 0;
      }
      pages += 1;
      for (const p of data.items) historyBody.append(historyRow(p));
      if (!historyBody.childElementCount) {
        historyBody.append(h("tr", {}, h("td", { colspan: "6" },
          isAdmin ? "No payout booked yet. Book one above once there is something to pay." : "No payout booked yet. An admin books them here.")));
      }
      cursor = data.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }
  more.addEventListener("click", () => loadHistory(false));

  campaign.addEventListener("change", () => {
    state.campaign = campaign.value;
    state.excluded.clear();
    keepInHash();
    loadPreview().then(() => {
      announce.textContent = `To pay: ${chosen ? amounts(chosen.totals) : "nothing"}.`;
    });
  });
  const refresh = h("button", { type: "button", class: "button-quiet" }, "Refresh");
  refresh.addEventListener("click", () => Promise.all([loadPreview(), loadHistory(true)]));
  const previewHeading = uid("preview");
  const carriedHeading = uid("carried");
  const historyHeading = uid("history");

  fill(
    main,
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Payouts"), refresh),
    problems,
    announce,
    h("p", { class: "muted" }, "Approved commissions and fees, paid in batches. Roster records who is owed what and marks it paid; it does not move money."),
    h("section", { "aria-labelledby": previewHeading },
      h("h2", { id: previewHeading }, "What a payout booked now would pay"),
      h("form", { class: "filters", role: "search", "aria-label": "Choose what to pay", onsubmit: (e) => e.preventDefault() },
        h("div", { class: "field field-inline" }, h("label", { for: campaign.id }, "Campaign"), campaign)),
      h("p", { class: "hint" }, "Untick a creator to leave them out of this payout; their balance waits for the next one."),
      previewBox,
      bookBox),
    h("section", { "aria-labelledby": carriedHeading },
      h("h2", { id: carriedHeading }, "Carried forward"),
      carriedBox),
    h("section", { "aria-labelledby": historyHeading },
      h("h2", { id: historyHeading }, "History"),
      h("div", { class: "table-wrap" },
        h("table", {},
          h("caption", { class: "visually-hidden" }, "Payouts booked, newest first"),
          h("thead", {}, h("tr", {}, ["Booked", "Status", "Paid", "Lines", "Entries", "Booked by"].map((t, i) =>
            h("th", { scope: "col", class: i === 3 || i === 4 ? "num" : undefined }, t)))),
          historyBody)),
      more),
  );
  await Promise.all([loadPreview(), loadHistory(true)]);

  // Near real time: an order approved or a payout booked elsewhere shows within seconds.
  const timer = setInterval(() => {
    if (document.visibilityState !== "visible" || confirming) return;
    loadPreview({ quiet: true });
    if (pages === 1) loadHistory(true, { quiet: true });
  }, POLL_MS);
  return () => clearInterval(timer);
}

// ---- one payout

function selectionText(names, s) {
  const parts = [];
  const several = (ids, one, many) => (ids.length === 1 ? one : many);
  if (s.campaign_ids) parts.push(`${several(s.campaign_ids, "campaign", "campaigns")} ${campaignsOf(names, s.campaign_ids)}`);
  if (s.exclude_campaign_ids) parts.push(`leaving out ${several(s.exclude_campaign_ids, "campaign", "campaigns")} ${campaignsOf(names, s.exclude_campaign_ids)}`);
  if (s.creator_ids) parts.push(`only ${s.creator_ids.map((id) => names.creator(id)).join(", ")}`);
  if (s.exclude_creator_ids) parts.push(`leaving out ${s.exclude_creator_ids.map((id) => names.creator(id)).join(", ")}`);
  if (s.currency) parts.push(`${s.currency} only`);
  return parts.length ? parts.join("; ") : "everything payable";
}

export async function renderOne(main, params, { setTitle }) {
  const id = params[0];
  setTitle("Payout");
  const back = h("p", { class: "muted" }, h("a", { href: "#/payouts" }, "← All payouts"));
  let payout;
  try {
    payout = await api.get(`/v1/payouts/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) {
      fill(main, h("h1", { tabindex: "-1" }, "Payout not found"), back,
        h("p", {}, "There is no payout with this id in your brand. The history on the payouts page lists every one."));
      return undefined;
    }
    throw error;
  }
  const names = await directory();
  const flash = takeNotice();
  const problems = h("div", { class: "alert-slot" });
  const status = h("p", { role: "status", class: "saved" }, flash || "");
  const body = h("div", { class: "payout-detail" });
  const heading = h("h1", { tabindex: "-1" });
  const download = h("button", { type: "button" }, "Download CSV");
  const downloadHint = h("p", { class: "hint", id: uid("csv-hint") });
  download.setAttribute("aria-describedby", downloadHint.id);
  download.addEventListener("click", async () => {
    download.disabled = true;
    fill(problems);
    const filename = `payout-${payout.id}.csv`;
    try {
      await api.download(`/v1/payouts/${encodeURIComponent(payout.id)}.csv`, filename);
      status.textContent = `Downloaded ${filename}.`;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    } finally {
      download.disabled = payout.status !== "booked";
    }
  });

  function draw() {
    const title = `Payout of ${new Date(payout.created_at).toLocaleDateString(undefined, { dateStyle: "medium" })}`;
    setTitle(title);
    heading.textContent = title;
    const booked = payout.status === "booked";
    download.disabled = !booked;
    downloadHint.textContent = booked
      ? "One line per creator and currency, for your bank or payment provider."
      : "The CSV is ready once the payout is booked.";
    const tables = [...byCurrency(payout.lines)].map(([currency, rows]) =>
      scroller(`${currency} lines`,
        h("table", { class: "payout-lines" },
          h("caption", {}, `${currency}: ${plural(rows.length, "line", "lines")}`),
          h("thead", {}, h("tr", {}, ["Creator", "Campaigns", "Commissions and fees", "Clawbacks", "Paid", "Entries"].map((t, i) =>
            h("th", { scope: "col", class: i >= 2 ? "num" : undefined }, t)))),
          h("tbody", {}, rows.map((line) =>
            h("tr", {},
              h("th", { scope: "row" }, names.creator(line.creator_id)),
              h("td", {}, campaignsOf(names, line.campaign_ids)),
              numberCell(line.gross, currency),
              numberCell(line.clawback, currency),
              numberCell(line.amount, currency),
              h("td", { class: "num" }, count(line.entries))))),
          h("tfoot", {}, h("tr", {},
            h("th", { scope: "row", colspan: "2" }, "Total"),
            numberCell(sum(rows, "gross"), currency),
            numberCell(sum(rows, "clawback"), currency),
            numberCell(payout.totals[currency] ?? sum(rows, "amount"), currency),
            h("td", { class: "num" }, count(sum(rows, "entries"))))))));
    fill(
      body,
      h("dl", { class: "figures" },
        item("Status", booked ? "Booked" : "Being booked"),
        item("Booked", when(payout.created_at)),
        item("Booked by", actorText(payout.actor)),
        item("Paid", amounts(payout.totals)),
        item("Lines", count(payout.lines.length)),
        item("Entries", count(sum(payout.lines, "entries")))),
      h("p", {}, `Selection: ${selectionText(names, payout.selection || {})}.`),
      payout.lines_left
        ? alertBox(`${plural(payout.lines_left, "payable line was", "payable lines were")} left for another payout (one payout marks at most 1,000 entries): book again on the payouts page.`, "info")
        : null,
      h("p", { class: "muted" }, payout.note),
      h("div", { class: "actions" }, download, downloadHint),
      tables,
    );
  }

  fill(main, heading, back, problems, status, body);
  draw();
  if (payout.status === "booked") return undefined;
  // Being booked (a booking in flight, or one cut short that the next finishes): check again.
  const timer = setInterval(async () => {
    if (document.visibilityState !== "visible") return;
    try {
      payout = await api.get(`/v1/payouts/${encodeURIComponent(id)}`);
      draw();
      if (payout.status === "booked") {
        clearInterval(timer);
        status.textContent = "The payout is booked; its CSV is ready.";
      }
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }, POLL_MS);
  return () => clearInterval(timer);
}
