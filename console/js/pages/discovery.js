// Discovery on a creator's profile: the audience quality of each platform Roster reads (what the
// last refresh kept, assessed now: GET …/quality; "Refresh from platforms": POST …/enrichment) and
// the screening of the kept posts against one campaign (GET …/screening?campaign_id=).
//
// Every score is meant to be questioned, so each one is shown with what it measured, on how many
// items, against which band, and the posts, comments or counts that moved it. Captions, comments
// and URLs come from the platforms: they are untrusted, so they become text nodes only, a snippet's
// matches become <mark> elements built from the API's spans (never HTML from the snippet), and only
// an http(s) URL becomes a link (opening in a new tab, without an opener).

import * as api from "../api.js";
import { whileVisible } from "../live.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { field, select } from "../form.js";
import { count, day, percent } from "../format.js";

/** The platforms Roster reads profiles from (the API's sources). */
export const READ_PLATFORMS = ["youtube", "bluesky", "mastodon"];
const PLATFORM_LABEL = { youtube: "YouTube", bluesky: "Bluesky", mastodon: "Mastodon" };
const SIGNAL_LABEL = {
  engagement_rate: "Engagement rate",
  follower_growth: "Follower growth spikes",
  comment_quality: "Comment quality",
  reach_consistency: "Reach consistency",
  follower_audit: "Follower-sample audit",
};
// How a verdict reads at a glance; the words are always shown too, colour is never the only sign.
const TONE = {
  healthy: "good", strong: "good", good: "good", compliant: "good",
  mixed: "warn", high: "warn", uneven: "warn", moderate: "warn", weak: "warn", low: "warn",
  buried: "warn", insufficient: "warn",
  poor: "bad", suspicious: "bad", missing: "bad",
};
const DISCLOSURE_LABEL = { compliant: "Compliant", buried: "Buried", insufficient: "Insufficient", missing: "Missing" };
// The API refuses a second refresh within this window (HTTP 429); used when no Retry-After came.
const REFRESH_WINDOW_MS = 10 * 60 * 1000;
const QUALITY_REFRESH_MS = 30_000;

function platformName(p) {
  return PLATFORM_LABEL[p] || p;
}

function signalName(name) {
  return SIGNAL_LABEL[name] || String(name).replace(/_/g, " ");
}

function tone(verdict) {
  return `tone-${TONE[verdict] || "none"}`;
}

function plural(n, word, words = `${word}s`) {
  return `${count(n)} ${n === 1 ? word : words}`;
}

/** "YouTube and Bluesky", "YouTube, Bluesky and Mastodon". */
function listed(names) {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The URL when it is http(s), else null: a platform's text is not trusted to be a safe link. */
function safeHref(url) {
  try {
    const parsed = new URL(String(url));
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** "youtube.com post of 2026-11-02": the link text of a post. */
function postName(url, at) {
  let host = "";
  try {
    host = new URL(String(url)).hostname.replace(/^www\./, "");
  } catch {
    host = "";
  }
  return `${host ? `${host} post` : "Post"}${at ? ` of ${day(at)}` : ""}`;
}

/** A link to a platform's page, in a new tab without an opener; an unusable URL stays text. */
function external(url, text) {
  const href = safeHref(url);
  if (!href) return h("span", { class: "post-ref" }, text, url ? [" (", String(url), ")"] : null);
  return h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "post-ref" }, text,
    h("span", { class: "visually-hidden" }, " (opens in a new tab)"));
}

function postLink(url, at) {
  return external(url, postName(url, at));
}

/** A signal's value in its unit: "1.51×" for a ratio, "20.0 %" for a share. */
function formatValue(value, unit) {
  if (value === null || value === undefined) return "—";
  const n = Number(value);
  if (unit === "share") return percent(n, 1);
  if (unit === "%") return `${n.toLocaleString(undefined, { maximumFractionDigits: 2 })} %`;
  if (unit === "ratio") return `${n.toLocaleString(undefined, { maximumFractionDigits: 2 })}×`;
  if (unit === "spikes") return plural(n, "spike");
  return `${n.toLocaleString(undefined, { maximumFractionDigits: 4 })}${unit ? ` ${unit}` : ""}`;
}

/**
 * A snippet with its matches marked: `spans` are [start, end) offsets in characters (Unicode code
 * points, as the API counts them, so an emoji before a match does not shift it). Each piece is a
 * text node or a <mark> holding one; overlapping or out-of-range spans are clipped.
 */
export function marked(snippet, spans) {
  const chars = Array.from(String(snippet ?? ""));
  const sorted = (Array.isArray(spans) ? spans : [])
    .map((span) => (Array.isArray(span) ? [Number(span[0]), Number(span[1])] : [NaN, NaN]))
    .filter(([start, end]) => Number.isInteger(start) && Number.isInteger(end) && end > start)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = [];
  let at = 0;
  for (const [from, to] of sorted) {
    const start = Math.max(at, Math.min(from, chars.length));
    const end = Math.min(to, chars.length);
    if (end <= start) continue;
    if (start > at) out.push(chars.slice(at, start).join(""));
    out.push(h("mark", {}, chars.slice(start, end).join("")));
    at = end;
  }
  if (at < chars.length) out.push(chars.slice(at).join(""));
  return out;
}

// ---- audience quality

function evidenceItem(e) {
  const kind = /^[a-z_]+$/.test(String(e.kind || "")) ? e.kind : "other";
  return h("li", { class: `evidence evidence-${kind}` },
    e.url ? [postLink(e.url, e.at), e.detail || e.text ? ": " : null]
      : e.at ? [h("time", { datetime: e.at }, day(e.at)), e.detail || e.text ? ": " : null] : null,
    e.detail || null,
    e.text ? [e.detail ? " " : null, h("q", { class: "quoted" }, e.text)] : null);
}

function signalItem(s) {
  const evidence = s.evidence || [];
  return h("li", { class: `signal ${tone(s.verdict)}`, "data-signal": s.name },
    h("h4", {}, signalName(s.name)),
    h("dl", { class: "figures" },
      item("Value", formatValue(s.value, s.unit)),
      item("Score", s.score === null || s.score === undefined ? "—" : `${s.score} / 100`),
      item("Verdict", h("span", { class: "verdict-text" }, s.verdict)),
      item("Sample", `${count(s.sample_size)} / ${count(s.needed)} needed`)),
    h("p", { class: "benchmark" }, h("span", { class: "muted" }, "Benchmark: "), s.benchmark),
    h("p", { class: "explanation" }, s.explanation),
    evidence.length
      ? h("div", { class: "evidence-box" }, h("p", { class: "evidence-title" }, "Evidence"), h("ul", { class: "evidence-list" }, evidence.map(evidenceItem)))
      : null);
}

function overall(q) {
  const scored = q.overall !== null && q.overall !== undefined;
  const bySignal = new Map((q.signals || []).map((s) => [s.name, s]));
  const missing = q.missing || [];
  return h("div", { class: "quality-summary" },
    h("p", { class: `quality-overall ${tone(q.verdict)}` },
      scored
        ? [h("span", { class: "quality-score" }, String(q.overall)), " / 100 · ", h("span", { class: "verdict-text" }, q.verdict)]
        : h("span", { class: "verdict-text" }, "Not enough data for an overall score")),
    !scored && missing.length
      ? h("div", { class: "quality-missing" }, h("p", {}, "What is missing:"),
        h("ul", {}, missing.map((name) => {
          const s = bySignal.get(name);
          const why = !s ? "" : s.verdict === "not applicable" ? ": not applicable here" : `: ${count(s.sample_size)} of ${count(s.needed)} needed`;
          return h("li", {}, signalName(name), why);
        })))
      : null,
    h("p", { class: "quality-explanation" }, q.explanation),
    (q.flags || []).length ? h("p", { class: "quality-flags" }, h("strong", {}, "Needs a look: "), q.flags.map(signalName).join(", ")) : null);
}

/** The snapshot's counts. The API counts the audience samples (`comments_sampled`,
 * `followers_sampled`) instead of sending them: a commenter or follower is never listed. */
function snapshotFacts(s, q) {
  const arr = (x) => (Array.isArray(x) ? x : null);
  const sampled = (n, rows) => (typeof n === "number" ? n : arr(rows) ? rows.length : null);
  const comments = sampled(s.comments_sampled, s.comments);
  const sample = sampled(s.followers_sampled, s.follower_sample);
  const notes = [...new Set([...(s.notes || []), ...((q && q.notes) || [])])];
  return h("div", { class: "quality-snapshot" },
    h("dl", { class: "figures" },
      item("Read", when(s.at)),
      q && q.tier ? item("Tier", q.tier) : null,
      item("Followers", count(s.followers)),
      item("Following", count(s.following)),
      item("Posts", count(s.posts_count)),
      item("Recent posts read", count(arr(s.recent_posts) ? s.recent_posts.length : null)),
      comments !== null ? item("Comments sampled", count(comments)) : null,
      sample !== null ? item("Followers sampled", count(sample)) : null,
      s.country ? item("Country", s.country) : null,
      (s.topics || []).length ? item("Topics", s.topics.join(", ")) : null),
    notes.length ? h("div", { class: "quality-notes" }, h("p", {}, "Notes"), h("ul", {}, notes.map((n) => h("li", {}, n)))) : null);
}

function platformCard(p) {
  const headingId = uid("pq");
  const q = p.quality;
  const s = p.snapshot;
  return h("article", { class: "card quality-platform", "aria-labelledby": headingId, "data-platform": p.platform },
    h("h3", { id: headingId }, platformName(p.platform)),
    h("p", { class: "muted quality-handle" }, p.handle, s && s.display_name ? ` · ${s.display_name}` : ""),
    p.failure ? h("p", { class: "quality-failure" }, h("strong", {}, "Not read this time: "), p.failure) : null,
    q ? overall(q) : !p.failure ? h("p", { class: "muted" }, "Nothing kept for this platform yet.") : null,
    s ? snapshotFacts(s, q) : null,
    q && (q.signals || []).length
      ? [h("p", { class: "signals-title" }, "Signals"), h("ul", { class: "signals" }, q.signals.map(signalItem))]
      : null,
    q && q.source ? h("p", { class: "muted small quality-source" }, q.source) : null);
}

function minutesText(ms) {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/**
 * The "Audience quality" section. `readable()` gives the creator's platforms Roster reads (they can
 * change with an edit); `onRefreshed(answer)` is told when the kept snapshots changed (after a
 * refresh here, or when the 30-second re-read finds a newer one), so the screening reads again.
 */
export function qualityPanel(creatorPath, { readable, onRefreshed }) {
  const headingId = uid("quality");
  const problems = h("div", { class: "alert-slot" });
  const status = h("p", { class: "status-line quality-status", role: "status" });
  const progress = h("progress", { class: "quality-progress", "aria-label": "Refreshing from the platforms", hidden: true });
  const button = h("button", { type: "button" }, "Refresh from platforms");
  const refreshed = h("p", { class: "muted quality-refreshed" });
  const cards = h("div", { class: "quality-platforms" });
  const el = h("section", { "aria-labelledby": headingId, class: "quality" },
    h("h2", { id: headingId }, "Audience quality"),
    h("p", { class: "muted" }, "Is the audience real and engaged? From what Roster last read of the creator's public profiles; each score shows the band it was compared with and the posts, comments or counts behind it."),
    refreshed,
    h("div", { class: "actions" }, button, progress),
    status,
    problems,
    cards);
  let shown = null;
  let last = null;
  let busy = false;

  function draw(answer) {
    const text = JSON.stringify(answer);
    if (text === shown) return false;
    const before = last;
    shown = text;
    last = answer;
    fill(refreshed, answer.refreshed_at ? ["Last refreshed ", when(answer.refreshed_at)] : "Never refreshed from the platforms.");
    const platforms = answer.platforms || [];
    if (platforms.length) fill(cards, platforms.map(platformCard));
    else {
      const names = readable().map(platformName);
      fill(cards, h("p", { class: "muted quality-empty" }, names.length
        ? `Nothing read yet: Refresh from platforms reads the creator's public ${listed(names)} profile${names.length === 1 ? "" : "s"}.`
        : "Roster reads YouTube, Bluesky and Mastodon profiles; this creator has none yet (add one with Edit the profile)."));
    }
    return before !== null && before.refreshed_at !== answer.refreshed_at;
  }

  async function load() {
    try {
      const answer = await api.get(`${creatorPath}/quality`);
      fill(problems);
      return draw(answer);
    } catch (error) {
      if (error instanceof api.SessionEnded) throw error;
      fill(problems, alertBox(`Audience quality could not be read: ${error.message}`));
      return false;
    }
  }

  function waitText(error) {
    if (error.retryAfter !== null && error.retryAfter !== undefined) return minutesText(error.retryAfter * 1000);
    const at = last && last.refreshed_at ? Date.parse(last.refreshed_at) : NaN;
    return Number.isNaN(at) ? "a few minutes" : minutesText(at + REFRESH_WINDOW_MS - Date.now());
  }

  button.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    fill(problems);
    button.disabled = true;
    progress.hidden = false;
    el.setAttribute("aria-busy", "true");
    const names = readable().map(platformName);
    status.classList.remove("saved");
    status.textContent = `Refreshing from ${names.length ? listed(names) : "the platforms"}… this takes a few seconds.`;
    try {
      const answer = await api.call("POST", `${creatorPath}/enrichment`);
      draw(answer);
      const platforms = answer.platforms || [];
      const read = platforms.filter((p) => !p.failure).map((p) => platformName(p.platform));
      const failed = platforms.filter((p) => p.failure).map((p) => platformName(p.platform));
      status.classList.toggle("saved", !failed.length);
      status.textContent = `Refreshed at ${new Date().toLocaleTimeString()}: ` +
        (read.length ? `${listed(read)} read` : "nothing read") +
        (failed.length ? `; ${listed(failed)} could not be read (why is shown below).` : ".");
      onRefreshed(answer);
    } catch (error) {
      if (error instanceof api.SessionEnded) return;
      status.textContent = "";
      if (error.status === 429) fill(problems, alertBox(`Refreshed recently — try again in ${waitText(error)}.`, "info"));
      else fill(problems, alertBox(error.message));
    } finally {
      busy = false;
      button.disabled = false;
      progress.hidden = true;
      el.removeAttribute("aria-busy");
    }
  });

  // Re-read while the tab is visible: a teammate's refresh shows without a reload. Redrawn only when
  // the answer changed, and never under a refresh in progress or the keyboard focus.
  let running = false;
  let stopped = false;
  async function tick() {
    if (stopped || running || busy || cards.contains(document.activeElement)) return;
    running = true;
    try {
      const changed = await load();
      if (changed && last) onRefreshed(last);
    } catch (error) {
      if (error instanceof api.SessionEnded) stopped = true;
    } finally {
      running = false;
    }
  }
  const stopPolling = whileVisible(tick, { ms: QUALITY_REFRESH_MS });
  return {
    el,
    load,
    stop: () => {
      stopped = true;
      stopPolling();
    },
  };
}

// ---- screening against a campaign

function termCounts(matched) {
  const entries = Object.entries(matched || {});
  if (!entries.length) return null;
  return h("ul", { class: "term-counts", "aria-label": "Posts per term" }, entries.map(([term, n]) =>
    h("li", { class: n ? "term-found" : "term-absent" }, h("span", { class: "term" }, term), ` ${plural(n, "post")}`)));
}

function fitPost(p) {
  return h("li", { class: "fit-post" },
    h("p", { class: "fit-post-head" }, postLink(p.url, p.published_at),
      (p.terms || []).length ? h("span", { class: "muted" }, ` · matches ${p.terms.join(", ")}`) : null),
    h("blockquote", { class: "snippet" }, marked(p.snippet, p.highlights)));
}

function fitPart(fit) {
  const f = fit || {};
  const scored = f.score !== null && f.score !== undefined;
  const posts = f.posts || [];
  return h("div", { class: "screening-part screening-fit" },
    h("h3", {}, "Brand fit"),
    h("p", { class: `screening-outcome ${tone(f.verdict)}` },
      scored ? [h("span", { class: "quality-score" }, String(f.score)), " / 100 · ", h("span", { class: "verdict-text" }, f.verdict)]
        : h("span", { class: "verdict-text" }, "Not enough data for a fit score")),
    h("dl", { class: "figures" },
      item("Matching posts", `${count(f.matching_posts)} of ${count(f.sample_size)}`),
      item("Share on topic", percent(f.share)),
      item("Terms found", percent(f.coverage))),
    f.explanation ? h("p", { class: "explanation" }, f.explanation) : null,
    termCounts(f.matched_terms),
    (f.ignored_terms || []).length ? h("p", { class: "muted" }, `Not searched (no letter or digit): ${f.ignored_terms.join(", ")}`) : null,
    posts.length
      ? [h("h4", {}, "Top matching posts"), h("ol", { class: "fit-posts" }, posts.map(fitPost))]
      : h("p", { class: "muted" }, "No post matches the campaign's terms."));
}

function bannedList(hits) {
  if (!hits.length) return h("p", { class: "muted" }, "No banned term of the campaign in the posts read.");
  return h("ul", { class: "screening-list" }, hits.map((b) => h("li", { class: "banned-hit" },
    h("p", {}, h("strong", {}, b.term), " in ", postLink(b.url, b.published_at)),
    b.excerpt ? h("blockquote", { class: "snippet" }, b.excerpt) : null)));
}

function competitorList(rivals) {
  if (!rivals.length) {
    return h("p", { class: "muted" }, "No competitor named in the posts read. The competitors are set in ",
      h("a", { href: "#/settings?tab=competitors" }, "Settings → Competitors"), ".");
  }
  return h("ul", { class: "screening-list" }, rivals.map((c) => h("li", { class: "competitor-hit" },
    h("p", {}, h("strong", {}, c.name), `: ${plural(c.posts, "post")}, ${count(c.recent_posts)} in the last 90 days`,
      c.last_at ? [", last ", h("time", { datetime: c.last_at }, day(c.last_at))] : null),
    (c.matched || []).length ? h("p", { class: "muted" }, `Named as ${c.matched.join(", ")}`) : null,
    (c.examples || []).length ? h("ul", { class: "examples", "aria-label": `Posts naming ${c.name}` }, c.examples.map((url) => h("li", {}, postLink(url, null)))) : null)));
}

function disclosurePart(d) {
  const r = d || {};
  const examples = r.non_compliant || [];
  return [
    h("dl", { class: "figures" },
      item("Standing", h("span", { class: `verdict-text ${tone(r.standing)}` }, r.standing || "—")),
      item("Sponsored-looking posts", count(r.sponsored_posts)),
      item("Share compliant", r.share === null || r.share === undefined ? "—" : `${percent(r.share)} (${count(r.compliant)})`)),
    Object.keys(r.by_verdict || {}).length
      ? [h("p", { class: "by-verdict-title" }, "Posts per disclosure verdict"),
        h("dl", { class: "figures by-verdict" },
          Object.entries(r.by_verdict).map(([verdict, n]) => item(DISCLOSURE_LABEL[verdict] || verdict, count(n))))]
      : null,
    r.explanation ? h("p", { class: "explanation" }, r.explanation) : null,
    examples.length
      ? [h("p", {}, "Not compliant:"), h("ul", { class: "screening-list" }, examples.map((x) => h("li", {},
        h("p", {}, postLink(x.url, x.published_at), " · ", h("span", { class: tone(x.verdict) }, DISCLOSURE_LABEL[x.verdict] || x.verdict), x.reason ? `: ${x.reason}` : ""),
        (x.signals || []).length ? h("p", { class: "muted" }, `Looked sponsored because of ${x.signals.join(", ")}`) : null)))]
      : null,
  ];
}

function screeningPart(screening) {
  const s = screening || {};
  const outcome = s.passed === true ? "passed" : s.passed === false ? "failed" : "undecided";
  const words = { passed: "Passed", failed: "Failed", undecided: "Undecided: nothing failed, but too few posts were read to pass" };
  return h("div", { class: "screening-part screening-checks" },
    h("h3", {}, "Screening result"),
    h("p", { class: `screening-outcome screening-${outcome}` }, words[outcome]),
    (s.flags || []).length
      ? h("ul", { class: "screening-flags", "aria-label": "Flags" }, s.flags.map((f) => h("li", {}, f)))
      : h("p", { class: "muted" }, "Nothing flagged."),
    (s.notes || []).length ? h("ul", { class: "screening-notes muted", "aria-label": "Notes" }, s.notes.map((n) => h("li", {}, n))) : null,
    h("h4", {}, "Banned terms"),
    bannedList(s.banned || []),
    h("h4", {}, "Competitor mentions"),
    competitorList(s.competitors || []),
    h("h4", {}, "Disclosure record"),
    disclosurePart(s.disclosure));
}

function screeningAnswer(a) {
  return [
    h("p", { class: "muted" }, `${plural(a.posts_read || 0, "recent post")} read across the platforms, checked `, when(a.checked_at), "."),
    (a.terms || []).length
      ? h("p", {}, "Terms searched: ", h("span", { class: "terms-searched" }, a.terms.join(", ")))
      : h("p", { class: "muted" }, "The campaign has no keywords, hashtags or mentions to search: set them in its content rules."),
    !a.posts_read
      ? h("p", { class: "alert alert-info" }, "No posts kept yet: refresh the creator from the platforms first (Audience quality, above).")
      : null,
    h("div", { class: "screening-parts" }, fitPart(a.fit), screeningPart(a.screening)),
  ];
}

/**
 * The "Screening" section: a campaign picker (its choice `chosen`, told to `onChoose` so the page
 * keeps it in the hash), then the fit and screening of the creator's kept posts against it.
 */
export function screeningPanel(creatorPath, { campaigns, chosen, onChoose }) {
  const headingId = uid("screening");
  const known = campaigns.some((c) => c.id === chosen);
  const picker = select([["", campaigns.length ? "Choose a campaign" : "No campaign yet"],
    ...campaigns.map((c) => [c.id, c.status === "active" ? c.name : `${c.name} (${c.status})`])], known ? chosen : "", { id: uid("screen-campaign") });
  const problems = h("div", { class: "alert-slot" });
  const status = h("p", { class: "visually-hidden", role: "status" });
  const result = h("div", { class: "screening-result" });
  const el = h("section", { "aria-labelledby": headingId, class: "screening" },
    h("h2", { id: headingId }, "Screening"),
    h("p", { class: "muted" }, "How the creator's recent posts fit a campaign, and what a brand should know before an offer: banned terms, competitors named, how sponsored posts were disclosed."),
    h("div", { class: "screening-pick" }, field("Campaign", picker, { field: "campaign_id", hint: "Its keywords, hashtags and banned terms are searched in the posts kept by the last refresh" })),
    status,
    problems,
    result);
  let generation = 0;

  async function load() {
    const campaignId = picker.value;
    generation += 1;
    const mine = generation;
    fill(problems);
    if (!campaignId) {
      fill(result, h("p", { class: "muted" }, campaigns.length
        ? "Choose a campaign to screen the creator against it."
        : ["No campaign yet: ", h("a", { href: "#/campaigns/new" }, "create one"), " to screen creators against it."]));
      return;
    }
    const name = picker.selectedOptions[0] ? picker.selectedOptions[0].textContent : "";
    result.setAttribute("aria-busy", "true");
    status.textContent = `Screening against ${name}…`;
    try {
      const answer = await api.get(`${creatorPath}/screening${api.query({ campaign_id: campaignId })}`);
      if (mine !== generation) return;
      fill(result, screeningAnswer(answer));
      status.textContent = `Screened against ${name}.`;
    } catch (error) {
      if (error instanceof api.SessionEnded) throw error;
      if (mine !== generation) return;
      fill(result);
      status.textContent = "";
      fill(problems, alertBox(error.status === 404 ? "Campaign not found." : error.message));
    } finally {
      if (mine === generation) result.removeAttribute("aria-busy");
    }
  }

  picker.addEventListener("change", () => {
    onChoose(picker.value);
    load().catch(() => {});
  });
  return {
    el,
    load,
    /** Reads the screening again (the kept posts changed), unless the member is working in it. */
    reload: () => {
      if (!picker.value || result.contains(document.activeElement)) return Promise.resolve();
      return load().catch(() => {});
    },
  };
}
