// A campaign's content (#/campaigns/{id}/content): the content library and post monitoring.
// The library (GET /v1/campaigns/{id}/posts, filtered by creator and disclosure verdict, the
// filters kept in the hash): each post with its platform, URL, creator, caption, disclosure
// verdict and brand-rule findings in words, and when it was checked; Recheck reads the post's
// page again (POST …/posts/{post_id}/recheck). A post can be submitted for a creator (POST
// …/posts). Monitoring (GET/POST …/monitor): the settings, the latest runs with every failing
// feed, and "Check feeds now". The page refreshes every 5 s while the tab is visible.

import * as api from "../api.js";
import { REFRESH_MS, whileVisible } from "../live.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { clearErrors, field, input, select, showError } from "../form.js";
import { count, day, time } from "../format.js";
import { campaignHead, loadCampaign } from "../tabs.js";

const PAGE = 50;
const EXCERPT = 280;

export const VERDICTS = [
  ["compliant", "Disclosed"],
  ["missing", "No disclosure"],
  ["insufficient", "Disclosure not clear"],
  ["buried", "Disclosure buried"],
  ["unknown", "Not checked"],
];
const VERDICT_LABEL = Object.fromEntries(VERDICTS);
const VERDICT_MEANS = {
  compliant: "A clear disclosure (#ad, paid partnership…) opens the post.",
  missing: "No disclosure at all: the FTC requires one on every paid post.",
  insufficient: "Only an ambiguous term (#sp, #collab, thanks…): ask for #ad or “paid partnership”.",
  buried: "The disclosure is there but not clear and conspicuous (after the start, or among trailing hashtags).",
  unknown: "Roster could not read the post, so nothing was checked.",
};
const PLATFORMS = [
  ["instagram", "Instagram"], ["tiktok", "TikTok"], ["youtube", "YouTube"], ["x", "X"],
  ["facebook", "Facebook"], ["threads", "Threads"], ["twitch", "Twitch"], ["pinterest", "Pinterest"],
  ["snapchat", "Snapchat"], ["linkedin", "LinkedIn"], ["bluesky", "Bluesky"], ["mastodon", "Mastodon"],
  ["blog", "Blog"], ["podcast", "Podcast"],
];
const PLATFORM_LABEL = Object.fromEntries(PLATFORMS);
const TEXT_FROM = {
  page: "Read by Roster from the post's page.",
  feed: "Read by Roster from the creator's feed.",
  brand: "Checked on the caption your team sent: shown, but it proves no deliverable until the post is accepted or Roster reads the page.",
  creator: "Checked on the caption the creator sent: shown, but it proves no deliverable until the post is accepted or Roster reads the page.",
};
const SIGNALS = { link: "tracking link", code: "promo code", hashtag: "hashtag", mention: "mention", keyword: "keyword" };
const FILTERS = ["creator_id", "disclosure"];

function excerpt(text) {
  const clean = String(text || "").trim();
  return clean.length > EXCERPT ? `${clean.slice(0, EXCERPT).trimEnd()}…` : clean;
}

/** The brand-rule findings of a post, in words. */
export function rulesText(rules) {
  if (rules.ok === null || rules.ok === undefined) return "Not checked: the post could not be read.";
  if (rules.ok) return "Brand rules met: every mandatory mention is there and no banned term.";
  const parts = [];
  if (rules.missing_mentions.length) parts.push(`missing the mandatory ${rules.missing_mentions.length > 1 ? "mentions" : "mention"} ${rules.missing_mentions.join(", ")}`);
  if (rules.banned_terms.length) parts.push(`uses the banned ${rules.banned_terms.length > 1 ? "terms" : "term"} ${rules.banned_terms.join(", ")}`);
  return `Brand rules broken: ${parts.join("; ")}.`;
}

function signalsText(post) {
  const found = Object.entries(post.signals || {}).filter(([, v]) => v && v.length);
  if (!found.length) return post.matched ? "Tied to the campaign." : "No campaign signal in it (submitted by hand).";
  return `Tied to the campaign by ${found.map(([k, v]) => `${SIGNALS[k] || k} ${v.join(", ")}`).join("; ")}.`;
}

/** The API's "could not read the post" 422 names `url`; the console asks for the caption below. */
function unreadable(error) {
  for (const detail of error.details) {
    if (detail.field === "url") detail.message = String(detail.message).replace("send its caption as `text`", "paste its caption below");
  }
  return error;
}

function signature(post) {
  return JSON.stringify([post.checked_at, post.disclosure, post.brand_rules, post.page_error, post.text_from, post.metrics.length, post.text]);
}

export async function render(main, [id], { setTitle, query }) {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let campaign = await loadCampaign(main, id, setTitle);
  if (!campaign) return undefined;
  setTitle(`Content · ${campaign.name}`);
  const creators = await api.all("/v1/creators", { pages: 5 });
  const creatorName = Object.fromEntries(creators.items.map((c) => [c.id, c.name]));
  const nameOf = (creatorId) => creatorName[creatorId] || creatorId;
  const problems = h("div", { class: "alert-slot" });
  const announce = h("p", { class: "visually-hidden", role: "status" });
  const updated = h("p", { class: "muted updated" }, "Loading…");
  const say = (text) => {
    announce.textContent = "";
    announce.textContent = text;
  };
  let stopped = false;

  // ---- a post's card
  function postCard(post) {
    const headingId = uid("post");
    const verdict = post.disclosure.result;
    const cardAlert = h("div", { class: "alert-slot" });
    const recheck = h("button", { type: "button", class: "button-quiet" }, "Recheck");
    recheck.setAttribute("aria-describedby", headingId);
    const latest = post.metrics.length ? post.metrics[post.metrics.length - 1] : null;
    const el = h(
      "li",
      { class: `post-card post-${verdict}`, "data-post-id": post.id },
      h("article", { "aria-labelledby": headingId },
        h("h3", { id: headingId, class: "post-title" },
          h("span", {}, PLATFORM_LABEL[post.platform] || post.platform), " · ", h("span", {}, nameOf(post.creator_id)), " · ",
          h("span", { class: `verdict verdict-${verdict}` }, VERDICT_LABEL[verdict] || verdict)),
        cardAlert,
        h("p", { class: "post-url" }, h("a", { href: post.url, rel: "noopener noreferrer" }, post.url)),
        post.text ? h("blockquote", { class: "post-caption" }, excerpt(post.text)) : h("p", { class: "muted" }, "No text read from the post."),
        h("dl", { class: "checks" },
          h("div", {}, h("dt", {}, "Disclosure"),
            h("dd", {}, h("strong", {}, `${VERDICT_LABEL[verdict] || verdict}: `), `${post.disclosure.reason}.`,
              post.disclosure.matched ? [" Found “", h("span", { class: "matched" }, post.disclosure.matched), "”."] : null,
              " ", h("span", { class: "muted" }, VERDICT_MEANS[verdict] || ""))),
          h("div", {}, h("dt", {}, "Brand rules"), h("dd", { class: post.brand_rules.ok === false ? "rules-broken" : null }, rulesText(post.brand_rules))),
          h("div", {}, h("dt", {}, "Matched"), h("dd", {}, signalsText(post))),
          h("div", {}, h("dt", {}, "Text"), h("dd", {}, TEXT_FROM[post.text_from] || "Where the text came from is not recorded.")),
          post.page_error ? h("div", {}, h("dt", {}, "Page"), h("dd", { class: "rules-broken" }, `The last reading failed: ${post.page_error}`)) : null),
        h("dl", { class: "figures" },
          item("Checked", when(post.checked_at)),
          item("First seen", when(post.first_seen_at)),
          item("Published", post.published_at ? when(post.published_at) : "—"),
          item("Found by", post.source === "feed" ? "Monitoring" : "Submitted"),
          latest ? item("Views · likes · comments", [latest.views, latest.likes, latest.comments].map((v) => count(v)).join(" · ")) : null),
        h("div", { class: "actions" }, recheck)),
    );
    recheck.addEventListener("click", async () => {
      recheck.disabled = true;
      recheck.textContent = "Rechecking…";
      fill(cardAlert);
      try {
        const checked = await api.call("POST", `${path}/posts/${encodeURIComponent(post.id)}/recheck`);
        const fresh = postCard(checked);
        cards.set(checked.id, { el: fresh, sig: signature(checked) });
        el.replaceWith(fresh);
        say(`Rechecked: ${VERDICT_LABEL[checked.disclosure.result] || checked.disclosure.result}${checked.page_error ? " (the page could not be read)" : ""}.`);
        fresh.querySelector("button").focus();
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) fill(cardAlert, alertBox(error.message));
        recheck.disabled = false;
        recheck.textContent = "Recheck";
      }
    });
    return el;
  }

  // ---- the library, filtered
  const filters = {};
  for (const key of FILTERS) if (query.get(key)) filters[key] = query.get(key);
  const creatorFilter = select([["", "All creators"], ...creators.items.map((c) => [c.id, c.name])], filters.creator_id || "", { id: uid("post-creator") });
  if (filters.creator_id && creatorFilter.value !== filters.creator_id) {
    creatorFilter.append(h("option", { value: filters.creator_id, selected: true }, filters.creator_id));
  }
  const verdictFilter = select([["", "Any verdict"], ...VERDICTS], filters.disclosure || "", { id: uid("post-verdict") });
  const library = h("ul", { class: "post-list", "aria-label": "Posts" });
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more posts");
  const cards = new Map(); // post id → {el, sig}
  let cursor = null;
  let pages = 0;
  let generation = 0;

  const current = () => ({ creator_id: creatorFilter.value, disclosure: verdictFilter.value });

  function emptyState() {
    library.querySelector(".empty")?.remove();
    if (!cards.size) {
      const filtered = Object.values(current()).some(Boolean);
      library.append(h("li", { class: "empty" }, filtered
        ? "No post matches these filters."
        : "No post yet: submit one below, or check the feeds now; posts monitoring finds show here."));
    }
  }

  /** Adds new posts and redraws the ones that changed; the rest (and the focus in them) stay. */
  function merge(items) {
    for (const post of items) {
      const sig = signature(post);
      const known = cards.get(post.id);
      if (known && known.sig === sig) continue;
      const el = postCard(post);
      if (known) {
        const focused = known.el.contains(document.activeElement);
        known.el.replaceWith(el);
        if (focused) el.querySelector("button").focus();
      } else library.append(el);
      cards.set(post.id, { el, sig });
    }
    emptyState();
  }

  async function loadPage() {
    const mine = generation;
    const q = api.query({ ...current(), limit: PAGE, cursor });
    const data = await api.get(`${path}/posts${q}`);
    if (mine !== generation || stopped) return;
    merge(data.items);
    pages += 1;
    cursor = data.next_cursor;
    more.hidden = !cursor;
  }

  async function reload() {
    generation += 1;
    cards.clear();
    fill(library);
    cursor = null;
    pages = 0;
    try {
      await loadPage();
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }

  /** The pages shown so far, read again. */
  async function refreshLibrary() {
    const mine = generation;
    let next = null;
    const items = [];
    for (let n = 0; n < Math.max(pages, 1); n += 1) {
      const data = await api.get(`${path}/posts${api.query({ ...current(), limit: PAGE, cursor: next })}`);
      items.push(...data.items);
      next = data.next_cursor;
      if (!next) break;
    }
    if (mine !== generation || stopped) return;
    merge(items);
    cursor = next;
    more.hidden = !cursor;
  }

  function applyFilters() {
    history.replaceState(null, "", `#/campaigns/${encodeURIComponent(campaign.id)}/content${api.query(current())}`);
    return reload();
  }
  creatorFilter.addEventListener("change", applyFilters);
  verdictFilter.addEventListener("change", applyFilters);
  more.addEventListener("click", () => loadPage().catch((error) => {
    if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
  }));

  // ---- submit a post
  const postCreator = select([["", "Choose a creator"], ...creators.items.map((c) => [c.id, c.name])], "", { required: true });
  const postPlatform = select(PLATFORMS, "instagram");
  const postUrl = input({ type: "url", maxlength: "2048", autocomplete: "off", placeholder: "https://…" });
  const postText = h("textarea", { rows: "4", maxlength: "20000" });
  const postAlert = h("div", { class: "alert-slot" });
  const postSubmit = h("button", { type: "submit" }, "Submit post");
  const submitForm = h(
    "form",
    { class: "stack panel-form", novalidate: true, "aria-labelledby": "submit-post-h" },
    h("h3", { id: "submit-post-h" }, "Submit a post"),
    postAlert,
    h("div", { class: "row" },
      field("Creator", postCreator, { field: "creator_id" }),
      field("Platform", postPlatform, { field: "platform" })),
    field("Post URL", postUrl, { field: "url", hint: "The published post" }),
    field("Caption (optional)", postText, { field: "text", hint: "Empty: Roster reads the post's page. A caption sent here is checked and shown, but proves no deliverable" }),
    h("div", { class: "actions" }, postSubmit),
  );
  submitForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(submitForm, postAlert);
    const body = { creator_id: postCreator.value, platform: postPlatform.value, url: postUrl.value.trim() };
    if (postText.value.trim()) body.text = postText.value;
    postSubmit.disabled = true;
    try {
      const post = await api.call("POST", `${path}/posts`, body);
      const verdict = VERDICT_LABEL[post.disclosure.result] || post.disclosure.result;
      fill(postAlert, alertBox(`Post checked: ${verdict}. ${rulesText(post.brand_rules)} It is in the library.`, "info"));
      say(`Post submitted: ${verdict}.`);
      postUrl.value = "";
      postText.value = "";
      const fits = (!creatorFilter.value || post.creator_id === creatorFilter.value)
        && (!verdictFilter.value || post.disclosure.result === verdictFilter.value);
      if (fits && !cursor) merge([post]);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(submitForm, postAlert, unreadable(error));
    } finally {
      postSubmit.disabled = false;
    }
  });

  // ---- monitoring
  const settingsBox = h("dl", { class: "figures" });
  const runsList = h("ul", { class: "run-list", "aria-label": "Latest monitor runs" });
  const checkNow = h("button", { type: "button" }, "Check feeds now");
  const checkResult = h("div", { class: "alert-slot" });
  let runsSig = "";

  function runCard(run) {
    const headingId = uid("run");
    const done = run.status === "completed";
    return h(
      "li",
      { class: `run-card run-${run.status}` },
      h("article", { "aria-labelledby": headingId },
        h("h3", { id: headingId, class: "run-title" },
          when(run.started_at), " · ",
          h("span", { class: done ? "run-done" : "run-running" }, done ? "Completed" : "Running"), " · ",
          run.trigger === "api" ? "started by hand" : "scheduled"),
        h("dl", { class: "figures" },
          item("Creators", `${count(run.creators_done)} of ${count(run.creators_queued)}`),
          item("Feeds checked", count(run.feeds_checked)),
          item("Unchanged", count(run.feeds_not_modified)),
          item("Failed", count(run.feeds_failed)),
          item("Items read", count(run.items_read)),
          item("Posts found", count(run.posts_found)),
          item("Alerts raised", count(run.alerts_raised))),
        run.errors.length
          ? h("ul", { class: "feed-errors", "aria-label": "Failing feeds" },
              run.errors.map((e) => h("li", {},
                h("strong", {}, `${nameOf(e.creator_id)}, ${PLATFORM_LABEL[e.platform] || e.platform}`), ": ", e.error,
                h("span", { class: "muted" }, " — ", h("span", { class: "feed-source" }, e.source), ", ", when(e.at)))))
          : null),
    );
  }

  function drawMonitor(status) {
    const s = status.settings;
    fill(settingsBox,
      item("Schedule", s.enabled ? `Every ${s.every_hours === 24 ? "day" : `${s.every_hours} hours`}` : "Off"),
      item("On schedule", status.scheduled ? "Yes: active and enabled" : campaign.status !== "active" ? `No: the campaign is ${campaign.status}` : "No: monitoring is off"),
      item("Posts due", s.posts_due ? `${day(s.posts_due)} (then a missing post raises an alert)` : "No due date"));
    const sig = JSON.stringify(status.runs);
    if (sig === runsSig) return;
    runsSig = sig;
    fill(runsList, status.runs.length
      ? status.runs.map(runCard)
      : h("li", { class: "empty" }, "No run yet: Check feeds now reads the feeds of every creator with a link or a code in this campaign."));
  }

  async function loadMonitor() {
    drawMonitor(await api.get(`${path}/monitor`));
  }

  checkNow.addEventListener("click", async () => {
    checkNow.disabled = true;
    fill(checkResult);
    try {
      const run = await api.call("POST", `${path}/monitor`);
      const text = run.creators_queued
        ? `Feed check started for ${run.creators_queued} ${run.creators_queued === 1 ? "creator" : "creators"}; the run below updates as it goes.`
        : "Nothing to check: no creator has a tracking link or a promo code in this campaign yet.";
      fill(checkResult, alertBox(text, "info"));
      await loadMonitor();
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(checkResult, alertBox(error.message));
    } finally {
      checkNow.disabled = false;
    }
  });

  const settingsHref = `#/campaigns/${encodeURIComponent(campaign.id)}`;
  fill(
    main,
    campaignHead(campaign, "content"),
    updated,
    problems,
    announce,
    h("section", { "aria-labelledby": "library-h" },
      h("h2", { id: "library-h" }, "Content library"),
      h("p", { class: "muted" }, "Every post of the campaign, oldest first, with Roster's FTC disclosure check and the campaign's brand rules. Problems also open ",
        h("a", { href: `#/alerts?campaign_id=${encodeURIComponent(campaign.id)}` }, "alerts"), "."),
      h("form", { class: "filters", role: "search", "aria-label": "Filter posts", onsubmit: (e) => e.preventDefault() },
        h("div", { class: "field field-inline" }, h("label", { for: creatorFilter.id }, "Creator"), creatorFilter),
        h("div", { class: "field field-inline" }, h("label", { for: verdictFilter.id }, "Disclosure"), verdictFilter)),
      library,
      more,
      submitForm),
    h("section", { "aria-labelledby": "monitor-h" },
      h("h2", { id: "monitor-h" }, "Monitoring"),
      h("p", { class: "muted" }, "Roster reads the feeds of every creator with a link or a code in the campaign and keeps the posts that carry its signals. ",
        h("a", { href: settingsHref }, "Change monitoring in the campaign's settings"), "."),
      settingsBox,
      h("div", { class: "actions" }, checkNow),
      checkResult,
      h("h3", { class: "runs-h" }, "Latest runs"),
      runsList),
  );

  let running = false;
  async function refresh() {
    if (running || stopped) return;
    running = true;
    try {
      await Promise.all([loadMonitor(), refreshLibrary()]);
      if (stopped) return;
      fill(problems);
      updated.textContent = `Updated ${time()}; refreshes every ${REFRESH_MS / 1000} s while this tab is visible.`;
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

  await reload();
  await refresh();
  const stopPolling = whileVisible(refresh);
  return () => {
    stopped = true;
    stopPolling();
  };
}
