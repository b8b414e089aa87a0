// Outreach: the brand's email templates (a list; a new or saved template with the fields it may
// use and a live preview for a chosen creator), and a campaign's outreach tab (the funnel, each
// creator's state with "record answer", "Message creators" with a sequence of steps, and every
// message with its SES events). The tab refreshes every 5 s while the browser tab is visible.
//
// The live preview renders what is typed, not what is saved: POST /v1/email-templates/preview
// (the send worker's own builder, nothing stored), 400 ms after typing stops. Its 422 (an unknown
// field, a syntax error) goes under the field it names, without taking the focus from the typist.
// The email's HTML part is shown in a sandboxed srcdoc frame (no scripts, an opaque origin); the
// frame inherits the console's Content-Security-Policy, which refuses inline styles and remote
// images, so those are taken out first (and said so) rather than logged as violations.

import * as api from "../api.js";
import { REFRESH_MS, whileVisible } from "../live.js";
import { alertBox, fill, h, uid, when } from "../dom.js";
import { clearErrors, controlFor, field, input, markInvalid, select, showError } from "../form.js";
import { count, day, time } from "../format.js";
import { campaignHead } from "../tabs.js";

export const PREVIEW_DELAY_MS = 400;
const NOTICE = "roster.outreach.notice";

// What a template may use (roster/outreach/email_templates.py); anything else is refused (422).
const FIELDS = [
  ["creator.first_name", "The creator's first name"],
  ["creator.name", "The creator's full name"],
  ["creator.handles.instagram", "Their handle on a platform (instagram, tiktok, youtube, x, facebook, threads, twitch, pinterest, snapchat, linkedin)"],
  ["campaign.name", "The campaign's name"],
  ["brand.name", "Your brand's name"],
  ["offer", "The offer text given when the outreach starts"],
  ["link", "The creator's tracking link in the campaign (when issued)"],
  ["promo_code", "The creator's promo code in the campaign (when issued)"],
  ["page_url", "The creator's collaboration page (when there is one)"],
  ["sender.name", "The sender's name (Settings: sender)"],
  ["signature", "The sender's signature (Settings: sender)"],
];
const TIERS = [["nano", "Nano"], ["micro", "Micro"], ["mid", "Mid"], ["macro", "Macro"]];
const FUNNEL = [
  ["targeted", "Targeted"], ["sent", "Sent"], ["delivered", "Delivered"], ["opened", "Opened"],
  ["clicked", "Clicked"], ["replied", "Replied"], ["accepted", "Accepted"], ["declined", "Declined"],
  ["bounced", "Bounced"], ["unsubscribed", "Unsubscribed"], ["complained", "Complained"],
];
const FLAGS = FUNNEL.slice(2).map(([key, label]) => [key, label.toLowerCase()]);
const EVENT_LABEL = {
  Send: "Sent", Delivery: "Delivered", Open: "Opened", Click: "Clicked", Bounce: "Bounced",
  Complaint: "Complaint", DeliveryDelay: "Delivery delayed", Reject: "Rejected", Reply: "Replied",
  RenderingFailure: "Rendering failed", Subscription: "Subscription",
};

function notice(message) {
  sessionStorage.setItem(NOTICE, message);
}

function takeNotice() {
  const message = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return message ? alertBox(message, "info") : null;
}

function notFound(main, setTitle, what, back) {
  setTitle(`${what} not found`);
  fill(main, h("h1", { tabindex: "-1" }, `${what} not found`), h("p", {}, back));
}

/** Every creator of the brand (names for ids, choices of the pickers). */
async function creatorsList() {
  return (await api.all("/v1/creators", { pages: 10 })).items;
}

// ---- the templates list

export async function renderTemplates(main, _params, { setTitle }) {
  setTitle("Outreach");
  const problems = h("div", { class: "alert-slot" }, takeNotice());
  const body = h("tbody", {});
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more");
  let cursor = null;
  async function load(reset) {
    try {
      const data = await api.get(`/v1/email-templates${api.query({ limit: 50, cursor: reset ? null : cursor })}`);
      if (reset) fill(body);
      for (const t of data.items) {
        body.append(h("tr", {},
          h("th", { scope: "row" }, h("a", { href: `#/outreach/templates/${encodeURIComponent(t.id)}` }, t.name)),
          h("td", { class: "wrap" }, t.subject),
          h("td", { class: "wrap" }, t.fields.length ? t.fields.join(", ") : "none"),
          h("td", {}, when(t.updated_at))));
      }
      if (!body.childElementCount) {
        body.append(h("tr", {}, h("td", { colspan: "4" }, "No template yet: create one with New template, then message creators from a campaign's Outreach tab.")));
      }
      cursor = data.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
    }
  }
  more.addEventListener("click", () => load(false));
  const campaigns = await api.all("/v1/campaigns?status=active", { pages: 2 }).catch((e) => {
    if (e instanceof api.SessionEnded) throw e;
    return { items: [] };
  });
  fill(
    main,
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Outreach"), h("a", { class: "button", href: "#/outreach/templates/new" }, "New template")),
    problems,
    h("section", { "aria-labelledby": "templates-h" },
      h("h2", { id: "templates-h" }, "Email templates"),
      h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Email templates (scrolls sideways)" },
        h("table", {},
          h("caption", { class: "visually-hidden" }, "Email templates"),
          h("thead", {}, h("tr", {}, ["Name", "Subject", "Fields used", "Changed"].map((t) => h("th", { scope: "col" }, t)))),
          body)),
      more),
    h("section", { "aria-labelledby": "sequences-h" },
      h("h2", { id: "sequences-h" }, "Sequences, funnels and messages"),
      h("p", {}, "Each campaign has its own: open its Outreach tab to message creators and follow their answers."),
      campaigns.items.length
        ? h("ul", { class: "outreach-campaigns", "aria-label": "Active campaigns" }, campaigns.items.map((c) =>
            h("li", {}, h("a", { href: `#/campaigns/${encodeURIComponent(c.id)}/outreach` }, `${c.name}: outreach`))))
        : h("p", { class: "muted" }, "No active campaign. ", h("a", { href: "#/campaigns" }, "Campaigns"))),
  );
  await load(true);
}

// ---- a template: the form and its live preview

/** The HTML part without what the frame's inherited CSP would refuse (and log): inline styles,
 * style sheets, scripts, remote images and other resources. Parsed inert, never in the page; what
 * is left is shown in a frame sandboxed without scripts, so nothing in it can run either way. */
function framable(html) {
  // Parsing alone makes the page's CSP report each inline style (any parser of this realm does),
  // so style sheets and style attributes go before the parse; the rest after it.
  let removed = 0;
  const bare = html
    .replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, () => {
      removed += 1;
      return "";
    })
    .replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/\sstyle\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, () => {
      removed += 1;
      return "";
    }));
  const doc = new DOMParser().parseFromString(bare, "text/html");
  for (const el of doc.querySelectorAll("script, style, link, meta, base, object, embed, iframe, frame, video, audio, source")) {
    el.remove();
    removed += 1;
  }
  for (const el of doc.querySelectorAll("*")) {
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name === "style" || name.startsWith("on") || name === "background" || name === "srcset") {
        el.removeAttribute(attr.name);
        removed += 1;
      }
    }
  }
  for (const img of doc.querySelectorAll("img")) {
    const src = img.getAttribute("src") || "";
    if (!src.startsWith("data:")) {
      img.replaceWith(doc.createTextNode(`[image${img.alt ? `: ${img.alt}` : ""}]`));
      removed += 1;
    }
  }
  return { html: `<!doctype html>${doc.documentElement.outerHTML}`, removed };
}

function previewPanel() {
  const status = h("p", { class: "muted preview-status", role: "status" });
  const problem = h("div", { class: "alert-slot" });
  const subject = h("dd", {});
  const from = h("dd", {});
  const to = h("dd", {});
  const samples = h("p", { class: "hint" });
  const refused = h("div", {});
  const text = h("pre", { class: "email-text", tabindex: "0", "aria-label": "Text part" });
  const newFrame = () => h("iframe", { class: "email-frame", sandbox: "", title: "HTML part of the preview", referrerpolicy: "no-referrer" });
  let frame = newFrame();
  const stripped = h("p", { class: "hint" });
  const source = h("pre", { class: "email-text", tabindex: "0", "aria-label": "HTML source" });
  const body = h("div", { class: "preview-body", hidden: true },
    h("dl", { class: "email-head" },
      h("div", {}, h("dt", {}, "Subject"), subject),
      h("div", {}, h("dt", {}, "From"), from),
      h("div", {}, h("dt", {}, "To"), to)),
    samples,
    refused,
    h("h3", {}, "Text part"),
    text,
    h("h3", {}, "HTML part"),
    frame,
    stripped,
    h("details", {}, h("summary", {}, "HTML source"), source));
  function show(p, creatorName) {
    fill(problem);
    body.hidden = false;
    subject.textContent = p.subject;
    from.textContent = p.headers.From || "—";
    to.textContent = p.headers.To || "—";
    const marked = p.samples.filter((s) => s !== "reply_to");
    samples.textContent = marked.length
      ? `Shown with marked sample values (they do not exist yet for this creator): ${marked.join(", ")}.`
      : "Every value is this creator's own.";
    fill(refused, p.refused ? alertBox(`This creator would get no email now: ${p.refused}.`, "info") : null);
    text.textContent = p.text;
    const clean = framable(p.html);
    // A new frame each time: one shown again after being hidden keeps a stale layout until
    // scrolled to (Chromium throttles frames out of view).
    const fresh = newFrame();
    fresh.srcdoc = clean.html;
    frame.replaceWith(fresh);
    frame = fresh;
    stripped.textContent = clean.removed
      ? "Inline styles, style sheets and remote images are left out here (the console's security policy refuses them); the email keeps them: see the HTML source."
      : "Links in the preview are not followed.";
    source.textContent = p.html;
    status.textContent = `Preview for ${creatorName} updated at ${time()}.`;
  }
  function wait(message) {
    status.textContent = message;
  }
  function fail(message) {
    fill(problem, alertBox(message));
    status.textContent = "";
    body.hidden = true;  // no stale email beside an error
  }
  return { el: h("div", { class: "preview" }, status, problem, body), show, wait, fail, body };
}

function fieldsList() {
  return h("details", { class: "fields-help", open: true },
    h("summary", {}, "Fields a template can use"),
    h("p", { class: "hint" }, "Write them as {{ field }}. An optional one (link, promo code, page) can be tested: {% if link is defined %}…{% endif %}. The HTML part escapes every value."),
    h("ul", { class: "field-list" }, FIELDS.map(([name, what]) =>
      h("li", {}, h("code", {}, `{{ ${name} }}`), " ", h("span", { class: "muted" }, what)))));
}

async function templatePage(main, template, { setTitle }) {
  const isNew = !template;
  const t = template || { name: "", subject: "", html: "", text: "" };
  const title = isNew ? "New email template" : t.name;
  setTitle(title);
  const [creators, campaigns] = await Promise.all([
    creatorsList(),
    api.all("/v1/campaigns", { pages: 3 }).then((d) => d.items),
  ]);
  const heading = h("h1", { tabindex: "-1" }, title);
  const name = input({ name: "name", value: t.name, maxlength: "200", required: true });
  const subject = input({ name: "subject", value: t.subject, maxlength: "300", required: true });
  const html = h("textarea", { name: "html", rows: "8", class: "code", spellcheck: "false", required: true });
  html.value = t.html;
  const text = h("textarea", { name: "text", rows: "8", spellcheck: "false", required: true });
  text.value = t.text;
  const alertSlot = h("div", { class: "alert-slot" }, takeNotice());
  const saved = h("p", { class: "saved", role: "status" });
  const submit = h("button", { type: "submit" }, isNew ? "Create template" : "Save changes");
  const form = h("form", { class: "stack template-form", novalidate: true, "aria-label": "Template" },
    alertSlot,
    field("Name", name, { field: "name", hint: "For your team; creators never see it" }),
    field("Subject", subject, { field: "subject" }),
    field("HTML body", html, { field: "html" }),
    field("Text body", text, { field: "text", hint: "The plain-text part, for mail apps that show no HTML" }),
    h("div", { class: "actions" }, submit, saved));

  // The preview's inputs: whom (required), in which campaign (their link and code), the offer.
  const who = select([["", creators.length ? "Choose a creator" : "No creator yet"], ...creators.map((c) => [c.id, c.name])], "", { id: uid("preview-creator") });
  const inCampaign = select([["", "No campaign"], ...campaigns.map((c) => [c.id, c.name])], "", { id: uid("preview-campaign") });
  const offer = input({ id: uid("preview-offer"), maxlength: "2000" });
  const panel = previewPanel();
  const controls = h("div", { class: "preview-controls" },
    field("Preview for creator", who, { hint: "Their name, handles, link and code fill the fields" }),
    field("Campaign (optional)", inCampaign),
    field("Offer (optional)", offer, { hint: "What {{ offer }} says; given when the outreach starts" }));

  let timer = null;
  let asked = 0;
  let dirty = false;
  async function refreshPreview() {
    timer = null;
    asked += 1;
    const mine = asked;
    clearErrors(form);
    const creator = creators.find((c) => c.id === who.value);
    if (!creator) {
      panel.wait(creators.length ? "Choose a creator to see the email as they would get it." : "Add a creator first (Creators) to preview this template.");
      panel.body.hidden = true;
      return;
    }
    const parts = { subject: subject.value.trim(), html: html.value.trim(), text: text.value.trim() };
    const empty = Object.entries(parts).filter(([, v]) => !v).map(([k]) => ({ subject: "subject", html: "HTML body", text: "text body" })[k]);
    if (empty.length) {
      panel.wait(`Write the ${empty.join(", ")} to see the preview.`);
      return;
    }
    const ask = { creator_id: creator.id, campaign_id: inCampaign.value || undefined, offer: offer.value.trim() || undefined };
    panel.wait("Updating the preview…");
    try {
      // Unchanged since it was saved: the saved template's own preview; else the draft's.
      const p = !isNew && !dirty
        ? await api.call("POST", `/v1/email-templates/${encodeURIComponent(t.id)}/preview`, ask)
        : await api.call("POST", "/v1/email-templates/preview", { ...ask, ...parts });
      if (mine !== asked) return;
      panel.show(p, creator.name);
    } catch (error) {
      if (error instanceof api.SessionEnded || mine !== asked) return;
      if (error.status === 422 && error.details.length) {
        // Under the field it names, the focus left where the member is typing.
        const loose = [];
        for (const d of error.details) {
          const bare = String(d.message || "").replace(/^Value error, /, "");
          const message = bare.charAt(0).toUpperCase() + bare.slice(1);
          const control = controlFor(form, d.field, message);
          if (control) markInvalid(control, message);
          else loose.push(d.field ? `${d.field}: ${message}` : message);
        }
        panel.fail(loose.length
          ? `No preview: ${loose.join("; ")}`
          : "The template has an error (marked at its field); the preview shows it once fixed.");
      } else panel.fail(`No preview: ${error.message}`);
    }
  }
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  }
  for (const control of [subject, html, text]) control.addEventListener("input", () => {
    dirty = true;
    saved.textContent = "";
    schedule();
  });
  offer.addEventListener("input", schedule);
  who.addEventListener("change", schedule);
  inCampaign.addEventListener("change", schedule);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    saved.textContent = "";
    submit.disabled = true;
    const body = { name: name.value.trim(), subject: subject.value.trim(), html: html.value.trim(), text: text.value.trim() };
    try {
      if (isNew) {
        const created = await api.call("POST", "/v1/email-templates", body);
        notice(`Template “${created.name}” created.`);
        location.hash = `#/outreach/templates/${encodeURIComponent(created.id)}`;
        return;
      }
      const changes = Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== t[k]));
      const updated = Object.keys(changes).length
        ? await api.call("PATCH", `/v1/email-templates/${encodeURIComponent(t.id)}`, changes)
        : t;
      Object.assign(t, updated);
      heading.textContent = updated.name;
      setTitle(updated.name);
      dirty = false;
      saved.textContent = `Saved at ${time()} (version ${updated.version}).`;
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, alertSlot, error);
    } finally {
      submit.disabled = false;
    }
  });

  fill(
    main,
    heading,
    h("p", { class: "muted" }, h("a", { href: "#/outreach" }, "← All templates"),
      isNew ? null : ` · version ${t.version} · fields used: ${t.fields.length ? t.fields.join(", ") : "none"}`),
    h("div", { class: "template-layout" },
      h("section", { "aria-labelledby": "template-h" }, h("h2", { id: "template-h" }, "Template"), form, fieldsList()),
      h("section", { "aria-labelledby": "preview-h", class: "preview-section" },
        h("h2", { id: "preview-h" }, "Live preview"),
        h("p", { class: "hint" }, "The email exactly as it would be sent, with the footer (postal address, unsubscribe link); it follows your typing."),
        controls,
        panel.el)),
  );
  if (creators.length) who.value = creators[0].id;
  await refreshPreview();
  return () => {
    if (timer) clearTimeout(timer);
    asked += 1;
  };
}

export async function renderNewTemplate(main, _params, ctx) {
  return templatePage(main, null, ctx);
}

export async function renderTemplate(main, [id], ctx) {
  let template;
  try {
    template = await api.get(`/v1/email-templates/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status === 404) {
      notFound(main, ctx.setTitle, "Template", h("a", { href: "#/outreach" }, "All templates"));
      return null;
    }
    throw error;
  }
  return templatePage(main, template, ctx);
}

// ---- a campaign's outreach tab

/** Every creator state and the funnel of the campaign's outreach (its pages followed). */
async function pipeline(campaignId) {
  const base = `/v1/campaigns/${encodeURIComponent(campaignId)}/outreach`;
  const creators = [];
  let cursor = null;
  let funnel = null;
  for (let page = 0; page < 10; page += 1) {
    const data = await api.get(`${base}${api.query({ limit: 100, cursor })}`);
    funnel = data.funnel;
    creators.push(...data.creators);
    cursor = data.next_cursor;
    if (!cursor) break;
  }
  return { funnel, creators, more: Boolean(cursor) };
}

function stateText(e) {
  if (e.status === "stopped") return `Stopped: ${e.stop_reason || "—"}`;
  if (e.status === "completed") return "Every step sent";
  return e.next_send_at ? `Next step ${e.step + 1} on ${day(e.next_send_at)}` : `Step ${e.step + 1} on its way`;
}

function stepRow(index, templates, value) {
  const legendId = uid("step");
  const template = select([["", templates.length ? "Choose a template" : "No template yet"], ...templates.map((t) => [t.id, t.name])], value.template_id || "");
  const delay = input({ inputmode: "decimal", value: String(value.delay_days ?? (index ? 3 : 0)) });
  const remove = index ? h("button", { type: "button", class: "button-quiet", "aria-label": `Remove step ${index + 1}` }, "Remove") : null;
  const el = h("fieldset", { class: "step-row", "aria-labelledby": legendId },
    h("legend", { id: legendId }, index ? `Follow-up ${index}` : "First email"),
    field("Template", template, { field: `steps.${index}.template_id` }),
    index ? field("Wait (days)", delay, { field: `steps.${index}.delay_days`, hint: "After the previous step, if there was no answer" }) : null,
    remove);
  return {
    el,
    remove,
    read: () => {
      const raw = delay.value.trim().replace(",", ".");
      const days = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
      return index ? { template_id: template.value, delay_days: days } : { template_id: template.value };
    },
  };
}

function messageForm({ campaign, templates, creators, onStarted }) {
  const alertSlot = h("div", { class: "alert-slot" });
  const result = h("div", { role: "status" });
  const stepsBox = h("div", { class: "step-rows" });
  const addStep = h("button", { type: "button", class: "button-quiet" }, "Add a follow-up");
  let steps = [];
  function drawSteps(values) {
    steps = values.map((v, i) => stepRow(i, templates, v));
    fill(stepsBox, steps.map((s) => s.el));
    addStep.hidden = steps.length >= 6;
    steps.forEach((s, i) => s.remove && s.remove.addEventListener("click", () => {
      drawSteps(steps.map((x) => x.read()).filter((_, j) => j !== i));
      addStep.focus();
    }));
  }
  addStep.addEventListener("click", () => {
    drawSteps([...steps.map((s) => s.read()), { delay_days: 3 }]);
    stepsBox.querySelector("fieldset:last-child select").focus();
  });
  drawSteps([{}]);

  // The audience: chosen creators (a searchable list of checkboxes) or a roster filter.
  const kindName = uid("audience");
  const byList = h("input", { type: "radio", name: kindName, value: "list", id: uid("aud-list"), checked: true });
  const byFilter = h("input", { type: "radio", name: kindName, value: "filter", id: uid("aud-filter") });
  const search = input({ type: "search", id: uid("creator-search"), autocomplete: "off" });
  const chosen = new Set();
  const picked = h("p", { class: "hint", "aria-live": "polite" }, "No creator chosen.");
  const boxes = h("ul", { class: "creator-picks", "aria-label": "Creators to message" });
  function drawPicks() {
    const q = search.value.trim().toLowerCase();
    const shown = creators.filter((c) => !q || c.name.toLowerCase().includes(q) || (c.email || "").toLowerCase().includes(q)).slice(0, 100);
    fill(boxes, shown.length ? shown.map((c) => {
      const id = uid("pick");
      const box = h("input", { type: "checkbox", id, value: c.id, checked: chosen.has(c.id) ? true : undefined });
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(c.id);
        else chosen.delete(c.id);
        picked.textContent = chosen.size ? `${chosen.size} creator${chosen.size === 1 ? "" : "s"} chosen.` : "No creator chosen.";
      });
      return h("li", {}, box, h("label", { for: id }, c.name, h("span", { class: "muted" }, ` · ${[c.email, c.tier].filter(Boolean).join(" · ")}`)));
    }) : h("li", { class: "muted" }, creators.length ? "No creator matches." : "No creator yet: add them on the Creators page."));
  }
  search.addEventListener("input", drawPicks);
  drawPicks();
  const listPart = h("div", { class: "stack audience-list" },
    field("Find creators", search, { hint: "By name or email; up to 100 shown" }),
    boxes, picked);
  const tier = select([["", "Any tier"], ...TIERS], "");
  const tag = input({ maxlength: "50" });
  const country = input({ maxlength: "2", size: "3", autocapitalize: "characters" });
  const filterPart = h("div", { class: "row audience-filter", hidden: true },
    field("Tier", tier, { field: "audience.tier" }),
    field("Tag", tag, { field: "audience.tag" }),
    field("Country", country, { field: "audience.country", hint: "Two letters, e.g. US" }));
  function kind() {
    listPart.hidden = !byList.checked;
    filterPart.hidden = !byFilter.checked;
  }
  byList.addEventListener("change", kind);
  byFilter.addEventListener("change", kind);
  const offer = h("textarea", { rows: "3", maxlength: "2000" });
  const submit = h("button", { type: "submit" }, "Start outreach");
  const form = h("form", { class: "stack outreach-form", novalidate: true, "aria-label": "Message creators" },
    alertSlot,
    h("fieldset", {}, h("legend", {}, "Steps"), h("p", { class: "hint" }, "The first email goes at once; each follow-up waits its days and is not sent once the creator answers."), stepsBox, addStep),
    h("fieldset", {},
      h("legend", {}, "Audience"),
      h("div", { class: "choices" },
        h("span", { class: "choice" }, byList, h("label", { for: byList.id }, "Chosen creators")),
        h("span", { class: "choice" }, byFilter, h("label", { for: byFilter.id }, "Creators matching a roster filter"))),
      listPart, filterPart),
    field("Offer", offer, { field: "offer", hint: "What {{ offer }} says in the emails, e.g. the fee and the product" }),
    h("div", { class: "actions" }, submit),
    result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    fill(result);
    const audience = byList.checked
      ? { creator_ids: [...chosen] }
      : { tier: tier.value || undefined, tag: tag.value.trim() || undefined, country: country.value.trim().toUpperCase() || undefined };
    if (byList.checked && !chosen.size) {
      fill(alertSlot, alertBox("Choose at least one creator."));
      search.focus();
      return;
    }
    if (byFilter.checked && !(audience.tier || audience.tag || audience.country)) {
      fill(alertSlot, alertBox("Choose a tier, a tag or a country (or pick creators)."));
      tier.focus();
      return;
    }
    const body = { steps: steps.map((s) => s.read()), audience };
    if (offer.value.trim()) body.offer = offer.value.trim();
    submit.disabled = true;
    try {
      const sequence = await api.call("POST", `/v1/campaigns/${encodeURIComponent(campaign.id)}/outreach`, body);
      const names = Object.fromEntries(creators.map((c) => [c.id, c.name]));
      fill(result, h("div", { class: "alert alert-info" }, [
        `Outreach started: ${sequence.enrolled} of ${sequence.targeted} creator${sequence.targeted === 1 ? "" : "s"} enrolled; the first emails are on their way.`,
        sequence.skipped.length
          ? h("ul", {}, sequence.skipped.map((s) => h("li", {}, `${names[s.creator_id] || s.creator_id}: ${s.reason}`)))
          : null,
      ]));
      chosen.clear();
      picked.textContent = "No creator chosen.";
      drawPicks();
      onStarted();
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, alertSlot, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderCampaign(main, [id], { setTitle, query }) {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let campaign;
  try {
    campaign = await api.get(path);
  } catch (error) {
    if (error.status === 404) {
      notFound(main, setTitle, "Campaign", h("a", { href: "#/campaigns" }, "All campaigns"));
      return null;
    }
    throw error;
  }
  setTitle(`${campaign.name}: outreach`);
  const [creators, templates, sender] = await Promise.all([
    creatorsList(),
    api.all("/v1/email-templates", { pages: 5 }).then((d) => d.items),
    api.get("/v1/outreach/settings").catch((e) => {
      if (e.status === 404) return null;
      throw e;
    }),
  ]);
  const names = Object.fromEntries(creators.map((c) => [c.id, c.name]));
  const problems = h("div", { class: "alert-slot" });
  const updated = h("p", { class: "muted updated" }, "Loading…");
  const announce = h("p", { class: "visually-hidden", role: "status" });
  const funnelBox = h("dl", { class: "figures funnel", "aria-label": "Funnel" });
  const stateBody = h("tbody", {});
  const filter = select([["", "All creators"]], "", { id: uid("message-creator") });
  const messagesList = h("ol", { class: "message-list", "aria-label": "Messages" });
  let filterValue = query.get("creator_id") || "";

  function senderNote() {
    if (sender) {
      return h("p", { class: "muted" }, `Sent from ${sender.from_name} <${sender.from_email}>. `, h("a", { href: "#/settings" }, "Change the sender"));
    }
    return h("div", { class: "alert alert-info" },
      "No sender is set: no outreach can be sent until an admin sets the From address and postal address in ",
      h("a", { href: "#/settings" }, "Settings"), ".");
  }

  async function answer(e, reason) {
    const who = names[e.creator_id] || e.creator_id;
    try {
      const stopped = await api.call("POST", `${path}/outreach/${encodeURIComponent(e.creator_id)}/stop`, { reason });
      announce.textContent = `${who}: ${reason} recorded; no follow-up goes to them now.`;
      fill(problems);
      await refresh(true);
      const next = stateBody.querySelector(`[data-creator-id="${CSS.escape(e.creator_id)}"] th`);
      if (next) {
        next.setAttribute("tabindex", "-1");
        next.focus();
      }
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(`${who}: ${error.message}`));
    }
  }

  function stateRow(e) {
    const who = names[e.creator_id] || e.creator_id;
    const flags = FLAGS.filter(([key]) => e[key]).map(([, label]) => label);
    const open = !e.accepted && !e.declined;
    // data-label: on a phone each row is a card and each cell says what it is (console.css).
    return h("tr", { "data-creator-id": e.creator_id },
      h("th", { scope: "row" }, h("a", { href: `#/creators/${encodeURIComponent(e.creator_id)}` }, who)),
      h("td", { "data-label": "State" }, stateText(e)),
      h("td", { "data-label": "Emails sent" }, count(e.sent)),
      h("td", { class: "wrap", "data-label": "What they did" }, flags.length ? flags.join(", ") : "—",
        e.reply_excerpt ? h("p", { class: "reply-excerpt" }, h("span", { class: "muted" }, "Reply: "), e.reply_excerpt) : null),
      h("td", { "data-label": "Answer" }, open
        ? h("div", { class: "answer-actions", role: "group", "aria-label": `Record ${who}'s answer` },
            h("button", { type: "button", class: "button-quiet", onclick: () => answer(e, "accepted") }, "Accepted"),
            h("button", { type: "button", class: "button-quiet", onclick: () => answer(e, "declined") }, "Declined"))
        : e.accepted ? "Accepted" : "Declined"));
  }

  function messageItem(m) {
    const who = names[m.creator_id] || m.creator_id;
    const headingId = uid("msg");
    const events = [{ type: "Created", at: m.created_at, detail: null }, ...m.events];
    return h("li", { class: `message-card message-${m.status}` },
      h("article", { "aria-labelledby": headingId },
        h("h3", { id: headingId, class: "message-title" }, m.subject || "(not rendered)"),
        h("dl", { class: "figures" },
          h("div", {}, h("dt", {}, "To"), h("dd", {}, who)),
          h("div", {}, h("dt", {}, "Step"), h("dd", {}, m.step ? `Follow-up ${m.step}` : "First email")),
          h("div", {}, h("dt", {}, "Status"), h("dd", { class: "message-status" }, m.status)),
          m.reason ? h("div", {}, h("dt", {}, "Why"), h("dd", {}, m.reason)) : null),
        h("ol", { class: "timeline", "aria-label": `Events of the email to ${who}` },
          events.map((ev) => h("li", {},
            h("span", { class: "event-type" }, ev.type === "Created" ? "Queued for sending" : EVENT_LABEL[ev.type] || ev.type), " ",
            when(ev.at),
            ev.detail ? h("span", { class: "muted" }, ` · ${ev.detail}`) : null)))));
  }

  let last = { states: "", messages: "", options: "" };
  let running = false;
  let stopped = false;
  async function refresh(force = false) {
    if ((running && !force) || stopped) return;
    running = true;
    try {
      const q = api.query({ creator_id: filterValue });
      const [pipe, messages] = await Promise.all([
        pipeline(campaign.id),
        api.all(`${path}/outreach/messages${q}`, { pages: 5 }),
      ]);
      if (stopped) return;
      fill(funnelBox, FUNNEL.map(([key, label]) => h("div", {}, h("dt", {}, label), h("dd", {}, count(pipe.funnel[key])))));
      // Redrawn only when something changed: a refresh never takes a button from under the cursor.
      const states = JSON.stringify(pipe.creators);
      if (states !== last.states) {
        last.states = states;
        fill(stateBody, pipe.creators.length
          ? pipe.creators.map(stateRow)
          : h("tr", {}, h("td", { colspan: "5" }, "Nobody messaged yet: choose steps and creators in Message creators below.")));
      }
      const options = JSON.stringify(pipe.creators.map((e) => e.creator_id));
      if (options !== last.options) {
        last.options = options;
        const ids = pipe.creators.map((e) => e.creator_id);
        if (filterValue && !ids.includes(filterValue)) ids.push(filterValue);
        fill(filter, h("option", { value: "" }, "All creators"),
          ids.map((cid) => h("option", { value: cid, selected: cid === filterValue ? true : undefined }, names[cid] || cid)));
      }
      const shown = JSON.stringify(messages.items);
      if (shown !== last.messages) {
        last.messages = shown;
        fill(messagesList, messages.items.length
          ? messages.items.map(messageItem)
          : h("li", { class: "empty" }, filterValue ? "No email to this creator yet." : "No email sent yet."));
      }
      fill(problems);
      updated.textContent = `Updated ${time()}; refreshes every ${REFRESH_MS / 1000} s while this tab is visible.`;
      main.dataset.loaded = "true";
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

  filter.addEventListener("change", () => {
    filterValue = filter.value;
    history.replaceState(null, "", `#/campaigns/${encodeURIComponent(campaign.id)}/outreach${api.query({ creator_id: filterValue })}`);
    last.messages = "";
    refresh(true);
  });

  const closed = ["completed", "cancelled"].includes(campaign.status);
  fill(
    main,
    campaignHead(campaign, "outreach"),
    problems,
    announce,
    updated,
    senderNote(),
    h("section", { "aria-labelledby": "funnel-h" }, h("h2", { id: "funnel-h" }, "Funnel"), funnelBox),
    h("section", { "aria-labelledby": "states-h" },
      h("h2", { id: "states-h" }, "Creators"),
      h("p", { class: "hint" }, "When a creator answers outside email (a call, a DM), record it: their sequence stops."),
      h("div", { class: "table-wrap states-wrap" },
        h("table", { class: "states" },
          h("caption", { class: "visually-hidden" }, "Creators in this campaign's outreach"),
          h("thead", {}, h("tr", {}, ["Creator", "State", "Emails sent", "What they did", "Answer"].map((t) => h("th", { scope: "col" }, t)))),
          stateBody))),
    h("section", { "aria-labelledby": "message-h" },
      h("h2", { id: "message-h" }, "Message creators"),
      closed
        ? h("p", {}, `A ${campaign.status} campaign sends no outreach.`)
        : templates.length
          ? messageForm({ campaign, templates, creators, onStarted: () => refresh(true) })
          : h("p", {}, "No email template yet: ", h("a", { href: "#/outreach/templates/new" }, "write one first"), ".")),
    h("section", { "aria-labelledby": "messages-h" },
      h("h2", { id: "messages-h" }, "Messages"),
      h("div", { class: "field field-inline" }, h("label", { for: filter.id }, "Creator"), filter),
      messagesList),
  );
  await refresh();
  const stopPolling = whileVisible(refresh);
  return () => {
    stopped = true;
    stopPolling();
  };
}
