// Settings: the brand's team (members and roles), API keys, store integrations with their
// deliveries, the outreach sender, the application page and the competitors screening looks for.
// One page with tabs kept in the hash (#/settings?tab=members|keys|stores|sender|apply|competitors),
// each a link, so a reload shows the same tab. Everything here is admin-only on the API except
// reading the sender and the competitors and listing/replaying store deliveries; a member (role
// "member") sees "Only an admin can …" instead of the controls.

import * as api from "../api.js";
import { REFRESH_MS, whileVisible } from "../live.js";
import { alertBox, fill, h, item, uid, when } from "../dom.js";
import { clearErrors, field, input, select, showError } from "../form.js";
import { applicationPageTab } from "./applications.js";


const TABS = [
  ["members", "Members"],
  ["keys", "API keys"],
  ["stores", "Store integrations"],
  ["sender", "Sender"],
  ["apply", "Application page"],
  ["competitors", "Competitors"],
];
const ROLES = [["member", "Member"], ["admin", "Admin"]];
const PROVIDERS = {
  shopify: "Shopify",
  woocommerce: "WooCommerce",
  stripe: "Stripe",
  orders: "Generic orders",
};
const PROVIDER_HINT = {
  shopify: "Shopify admin → Settings → Notifications → Webhooks: the signing secret shown there.",
  woocommerce: "WooCommerce → Settings → Advanced → Webhooks: the secret you enter for the webhook.",
  stripe: "Stripe dashboard → Developers → Webhooks: the endpoint's signing secret (whsec_…).",
  orders: "Any store or script that signs its JSON with Roster-Signature (see the API docs).",
};
const DELIVERY_STATUS = { processing: "Processing", processed: "Processed", ignored: "Ignored", failed: "Failed" };

function onlyAdmin(what) {
  return h("p", { class: "alert alert-info only-admin" }, `Only an admin can ${what}.`);
}

function isForbidden(error) {
  return error instanceof api.ApiError && error.status === 403;
}

/** A read-only field with a Copy button (the clipboard API, else the text is selected for ⌘C/Ctrl+C). */
function copyField(label, value, { hint, announce } = {}) {
  const control = input({ value, readonly: true, class: "copy-value", spellcheck: "false", autocomplete: "off" });
  const button = h("button", { type: "button", class: "button-quiet" }, "Copy");
  button.addEventListener("click", async () => {
    control.focus();
    control.select();
    try {
      await navigator.clipboard.writeText(value);
      announce(`${label} copied to the clipboard.`);
    } catch {
      announce(`${label} selected: press Ctrl+C (⌘C on a Mac) to copy it.`);
    }
  });
  const wrap = field(label, control, { hint });
  wrap.classList.add("copy-field");
  const row = h("div", { class: "copy-row" });
  control.replaceWith(row);
  row.append(control, button);
  return wrap;
}

/** "Remove X?" with a confirm and a cancel button, in place of `trigger` until one is pressed. */
function confirmInline(trigger, question, confirmLabel, onConfirm) {
  const yes = h("button", { type: "button", class: "button-danger" }, confirmLabel);
  const no = h("button", { type: "button", class: "button-quiet" }, "Cancel");
  const box = h("div", { class: "confirm", role: "group", "aria-label": question }, h("p", { class: "confirm-question" }, question), h("div", { class: "actions" }, yes, no));
  trigger.hidden = true;
  trigger.after(box);
  yes.focus();
  const close = () => {
    box.remove();
    trigger.hidden = false;
    trigger.focus();
  };
  no.addEventListener("click", close);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    no.disabled = true;
    try {
      await onConfirm();
    } finally {
      if (box.isConnected) {
        box.remove();
        trigger.hidden = false;
        if (trigger.isConnected) trigger.focus();
      }
    }
  });
}

/** A table that becomes stacked cards on a phone (CSS: .stacked). The ARIA roles keep it a table
 * for assistive technology when the phone layout makes its parts blocks. */
function stackedTable(caption, headers, body) {
  body.setAttribute("role", "rowgroup");
  return h("div", { class: "table-wrap" },
    h("table", { class: "stacked", role: "table" },
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, headers.map((t) => h("th", { scope: "col", role: "columnheader" }, t)))),
      body));
}

function tr(attrs, ...cells) {
  return h("tr", { role: "row", ...attrs }, ...cells);
}

function rowHead(id, ...children) {
  return h("th", { scope: "row", role: "rowheader", id }, ...children);
}

/** A cell labelled for the phone layout ("Role: Admin"). */
function cell(label, ...children) {
  return h("td", { role: "cell", "data-label": label }, ...children);
}

// ---- members

async function membersTab(section, { me, problems, announce }) {
  if (me.role !== "admin") {
    fill(section,
      h("h2", {}, "Members"),
      h("dl", { class: "figures", "aria-label": "You" },
        item("Name", me.name), item("Email", me.email || "—"), item("Role", me.role)),
      onlyAdmin("invite, change or remove members"));
    return;
  }
  const body = h("tbody", {});
  const count = h("p", { class: "muted" });
  const members = new Map();

  function row(m) {
    members.set(m.id, m);
    const nameId = uid("member");
    const isMe = m.id === me.member_id;
    const other = m.role === "admin" ? "member" : "admin";
    const roleButton = h("button", { type: "button", class: "button-quiet", "aria-describedby": nameId }, other === "admin" ? "Make admin" : "Make member");
    const remove = h("button", { type: "button", class: "button-quiet", "aria-describedby": nameId }, "Remove");
    const el = tr(
      { "data-member-id": m.id },
      rowHead(nameId, m.name, isMe ? h("span", { class: "muted" }, " (you)") : null),
      cell("Email", m.email),
      cell("Role", m.role === "admin" ? "Admin" : "Member"),
      cell("Status", m.status ? (m.status === "invited" ? "Invited (has not signed in yet)" : "Active") : "—"),
      cell("Actions", h("div", { class: "actions row-actions" }, roleButton, remove)),
    );
    roleButton.addEventListener("click", async () => {
      fill(problems);
      roleButton.disabled = true;
      try {
        const updated = await api.call("PATCH", `/v1/members/${encodeURIComponent(m.id)}`, { role: other });
        const fresh = row(updated);
        el.replaceWith(fresh);
        announce(`${updated.name} is now ${updated.role === "admin" ? "an admin" : "a member"}.`);
        fresh.querySelector("button").focus();
      } catch (error) {
        roleButton.disabled = false;
        if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
      }
    });
    remove.addEventListener("click", () => {
      confirmInline(remove, `Remove ${m.name}? They can no longer sign in to this brand.`, `Remove ${m.name}`, async () => {
        fill(problems);
        try {
          const removed = await api.call("DELETE", `/v1/members/${encodeURIComponent(m.id)}`);
          members.delete(m.id);
          el.remove();
          counted();
          announce(`${removed.name} was removed.`);
          section.querySelector("h2").focus();
        } catch (error) {
          if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
        }
      });
    });
    return el;
  }

  function counted() {
    count.textContent = `${members.size} member${members.size === 1 ? "" : "s"}. A brand always keeps an admin: the last one can be neither demoted nor removed.`;
  }

  const data = await api.get("/v1/members");
  for (const m of data.items) body.append(row(m));
  counted();

  // The invitation.
  const formAlert = h("div", { class: "alert-slot" });
  const email = input({ type: "email", name: "email", autocomplete: "off", inputmode: "email", required: true, maxlength: "128" });
  const name = input({ name: "name", autocomplete: "off", required: true, maxlength: "100" });
  const role = select(ROLES, "member", { name: "role" });
  const submit = h("button", { type: "submit" }, "Send invitation");
  const form = h(
    "form",
    { class: "stack panel", novalidate: true, "aria-labelledby": "invite-h" },
    h("h3", { id: "invite-h" }, "Invite a teammate"),
    h("p", { class: "hint" }, "They get an email with a temporary password, which they change at their first sign-in."),
    formAlert,
    h("div", { class: "row" },
      field("Email", email, { field: "email" }),
      field("Name", name, { field: "name" }),
      field("Role", role, { field: "role" })),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    submit.disabled = true;
    try {
      const invited = await api.call("POST", "/v1/members", { email: email.value.trim(), name: name.value.trim(), role: role.value });
      body.append(row(invited));
      counted();
      form.reset();
      announce(`Invitation sent to ${invited.email}.`);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });

  fill(section,
    h("h2", { tabindex: "-1" }, "Members"),
    count,
    stackedTable("Team members", ["Name", "Email", "Role", "Status", "Actions"], body),
    form);
}

// ---- API keys

async function keysTab(section, { me, problems, announce }) {
  if (me.role !== "admin") {
    fill(section, h("h2", {}, "API keys"), onlyAdmin("see, create or revoke API keys"));
    return;
  }
  const body = h("tbody", {});
  const empty = tr({}, h("td", { role: "cell", colspan: "5" }, "No API key yet: create one below for a store sync or a script."));

  function row(k) {
    const nameId = uid("key");
    const by = k.created_by ? k.created_by.name || k.created_by.id : null;
    const revoke = k.revoked_at ? null : h("button", { type: "button", class: "button-quiet", "aria-describedby": nameId }, "Revoke");
    const el = tr(
      { "data-key-id": k.id },
      rowHead(nameId, k.name),
      cell("Key", h("code", {}, `${k.prefix}…`)),
      cell("Created", when(k.created_at), by ? ` by ${by}` : null),
      cell("Status", k.revoked_at ? ["Revoked ", when(k.revoked_at)] : "Active"),
      cell("Actions", revoke),
    );
    if (revoke) {
      revoke.addEventListener("click", () => {
        confirmInline(revoke, `Revoke “${k.name}”? Whatever uses it is refused within a minute.`, `Revoke ${k.name}`, async () => {
          fill(problems);
          try {
            const revoked = await api.call("DELETE", `/v1/api-keys/${encodeURIComponent(k.id)}`);
            el.replaceWith(row(revoked));
            announce(`The key “${revoked.name}” is revoked.`);
            section.querySelector("h2").focus();
          } catch (error) {
            if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
          }
        });
      });
    }
    return el;
  }

  const data = await api.get("/v1/api-keys");
  const keys = [...data.items].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  for (const k of keys) body.append(row(k));
  if (!keys.length) body.append(empty);

  // Creating one: the key is shown once, here, and never kept by the console.
  const once = h("div", { class: "key-once", hidden: true });
  const formAlert = h("div", { class: "alert-slot" });
  const name = input({ name: "name", autocomplete: "off", required: true, maxlength: "100" });
  const submit = h("button", { type: "submit" }, "Create key");
  const form = h(
    "form",
    { class: "stack panel", novalidate: true, "aria-labelledby": "new-key-h" },
    h("h3", { id: "new-key-h" }, "Create an API key"),
    h("p", { class: "hint" }, "For machines (a store sync, a script): a key acts as an admin of this brand. People sign in as themselves instead."),
    formAlert,
    field("Key name", name, { field: "name", hint: "What it is for, e.g. “shopify sync”" }),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    submit.disabled = true;
    try {
      const created = await api.call("POST", "/v1/api-keys", { name: name.value.trim() });
      empty.remove();
      const { key, ...shown } = created;
      body.append(row(shown));
      form.reset();
      const done = h("button", { type: "button", class: "button-quiet" }, "I have stored it");
      fill(once,
        h("h3", { id: "key-once-h", tabindex: "-1" }, `Your new key “${created.name}”`),
        h("p", { class: "alert alert-error", role: "alert" },
          "Copy this key now and store it somewhere safe: it is shown only this once. Roster keeps only a hash and cannot show it again."),
        copyField("New API key", key, { announce }),
        h("div", { class: "actions" }, done));
      once.hidden = false;
      done.addEventListener("click", () => {
        fill(once);
        once.hidden = true;
        name.focus();
      });
      once.querySelector("h3").focus();
      announce(`The key “${created.name}” is created.`);
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });

  fill(section,
    h("h2", { tabindex: "-1" }, "API keys"),
    h("p", { class: "muted" }, "Keys never show again after they are created: the list shows each one's first characters."),
    once,
    stackedTable("API keys", ["Name", "Key", "Created", "Status", "Actions"], body),
    form);
}

// ---- store integrations and deliveries

function deliveryLine(e) {
  return [
    h("span", { class: `delivery-status delivery-${e.stale ? "stalled" : e.status}` }, e.stale ? "Stalled" : DELIVERY_STATUS[e.status] || e.status),
    " · ", when(e.received_at), " · ", e.topic || "—",
  ];
}

async function storesTab(section, { me, problems, announce }) {
  const isAdmin = me.role === "admin";
  const cards = h("div", { class: "cards integration-cards" });
  const deliveries = h("ul", { class: "delivery-list", "aria-label": "Deliveries that need a replay" });
  const updated = h("p", { class: "muted updated" });
  let integrations = [];
  const lastByProvider = {};
  const lastSlots = {};

  function card(integration) {
    const p = integration.provider;
    const label = PROVIDERS[p] || p;
    const headingId = uid("store");
    const formAlert = h("div", { class: "alert-slot" });
    const secret = input({ type: "password", name: "secret", autocomplete: "new-password", spellcheck: "false", minlength: "16", maxlength: "512" });
    const save = h("button", { type: "submit" }, integration.configured ? "Rotate secret" : "Save secret");
    const form = h(
      "form",
      { class: "stack", novalidate: true, "aria-label": `${label} signing secret` },
      formAlert,
      field(integration.configured ? "New signing secret" : "Signing secret", secret, { field: "secret", hint: `${PROVIDER_HINT[p] || ""} At least 16 characters; never shown back.` }),
      h("div", { class: "actions" }, save),
    );
    const remove = integration.configured ? h("button", { type: "button", class: "button-quiet" }, `Remove ${label}`) : null;
    lastSlots[p] = h("dd", {});
    lastByProvider[p] = integration.last_delivery || null;
    const el = h(
      "article",
      { class: "card integration", "aria-labelledby": headingId, "data-provider": p },
      h("h3", { id: headingId }, label),
      h("p", { class: integration.configured ? "configured" : "muted" },
        integration.configured ? ["Configured ", when(integration.configured_at)] : "Not configured: its webhooks are refused until a secret is set."),
      copyField(`${label} webhook URL`, integration.webhook_url, { hint: `Paste it into the store as the webhook's URL; it signs with the ${integration.signature_header} header.`, announce }),
      h("dl", { class: "figures" }, h("div", {}, h("dt", {}, "Last delivery"), lastSlots[p])),
      form,
      remove,
    );
    drawLast(p);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, formAlert);
      save.disabled = true;
      try {
        const saved = await api.call("PUT", `/v1/integrations/${encodeURIComponent(p)}`, { secret: secret.value });
        secret.value = "";
        const fresh = card(saved);
        el.replaceWith(fresh);
        announce(`${label}: the signing secret is ${integration.configured ? "rotated" : "saved"}.`);
        fresh.querySelector("h3").setAttribute("tabindex", "-1");
        fresh.querySelector("h3").focus();
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
      } finally {
        save.disabled = false;
      }
    });
    if (remove) {
      remove.addEventListener("click", () => {
        confirmInline(remove, `Remove ${label}? Its webhooks are refused from then on.`, `Remove ${label} now`, async () => {
          fill(problems);
          try {
            const removed = await api.call("DELETE", `/v1/integrations/${encodeURIComponent(p)}`);
            const fresh = card(removed);
            el.replaceWith(fresh);
            announce(`${label} is removed.`);
            fresh.querySelector("h3").setAttribute("tabindex", "-1");
            fresh.querySelector("h3").focus();
          } catch (error) {
            if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(error.message));
          }
        });
      });
    }
    return el;
  }

  function drawLast(p) {
    const slot = lastSlots[p];
    if (!slot) return;
    const last = lastByProvider[p];
    fill(slot, last ? deliveryLine(last) : "None yet");
  }

  const replaying = new Set();
  function delivery(e) {
    const headingId = uid("delivery");
    const replay = h("button", { type: "button", "aria-describedby": headingId }, "Replay");
    const outcome = h("p", { class: "replay-outcome", hidden: true });
    const li = h(
      "li",
      { class: "delivery card", "data-event-id": e.id },
      h("h3", { id: headingId, class: "delivery-title" }, `${PROVIDERS[e.provider] || e.provider}: `, h("code", {}, e.id)),
      h("p", {}, deliveryLine(e)),
      e.error ? h("p", { class: "delivery-error" }, h("span", { class: "muted" }, "Error: "), e.error) : null,
      h("div", { class: "actions" }, replay),
      outcome,
    );
    replay.addEventListener("click", async () => {
      fill(problems);
      replay.disabled = true;
      replaying.add(e.id);
      try {
        // The id is "<provider>:<the store's id>": ":" is kept as it is (a legal path character
        // the API's routing expects), the rest encoded.
        const path = encodeURIComponent(e.id).replace(/%3A/gi, ":");
        const after = await api.call("POST", `/v1/webhook-events/${path}/replay`);
        const text = after.status === "failed"
          ? `Replayed: failed again${after.error ? ` — ${after.error}` : ""}.`
          : `Replayed: ${(DELIVERY_STATUS[after.status] || after.status).toLowerCase()}.`;
        outcome.textContent = text;
        outcome.hidden = false;
        outcome.className = `replay-outcome ${after.status === "failed" ? "replay-failed" : "saved"}`;
        announce(`${e.id} — ${text}`);
        if (lastByProvider[after.provider] && lastByProvider[after.provider].id === after.id) {
          lastByProvider[after.provider] = after;
          drawLast(after.provider);
        }
      } catch (error) {
        if (!(error instanceof api.SessionEnded)) fill(problems, alertBox(`Replay of ${e.id}: ${error.message}`));
      } finally {
        replay.disabled = false;
        replaying.delete(e.id);
      }
    });
    return li;
  }

  let shownIds = "";
  async function loadDeliveries() {
    const [failed, processing, current] = await Promise.all([
      api.all("/v1/webhook-events?status=failed", { pages: 3 }),
      api.all("/v1/webhook-events?status=processing", { pages: 1 }),
      isAdmin ? api.get("/v1/integrations") : Promise.resolve({ items: [] }),
    ]);
    // Each store's newest delivery, as it stands now (the cards themselves are not redrawn: a
    // secret being typed stays).
    for (const i of current.items) {
      lastByProvider[i.provider] = i.last_delivery || null;
      drawLast(i.provider);
    }
    const wanted = [...failed.items, ...processing.items.filter((e) => e.stale)]
      .sort((a, b) => String(b.received_at).localeCompare(String(a.received_at)));
    const ids = wanted.map((e) => `${e.id}:${e.status}:${e.error || ""}`).join("|");
    // Redrawn only when the set changed, and never under a replay in progress or an outcome just shown.
    if (ids === shownIds || replaying.size || deliveries.querySelector(".replay-outcome:not([hidden])")) return;
    shownIds = ids;
    fill(deliveries, wanted.length
      ? wanted.map(delivery)
      : h("li", { class: "empty card" }, "No failed or stalled delivery: every store webhook Roster received was processed."));
    if (failed.more) deliveries.append(h("li", { class: "muted" }, "More failed deliveries exist than are shown here: replay these first."));
  }

  if (isAdmin) {
    try {
      integrations = (await api.get("/v1/integrations")).items;
    } catch (error) {
      if (!isForbidden(error)) throw error;
    }
  }
  fill(section,
    h("h2", { tabindex: "-1" }, "Store integrations"),
    isAdmin
      ? [h("p", { class: "muted" }, "Each store signs the webhooks it sends Roster with a secret you set here; Roster checks every delivery against it."),
         cards]
      : onlyAdmin("see or change the store integrations (their secrets and webhook URLs)"),
    h("h2", {}, "Failed and stalled deliveries"),
    h("p", { class: "muted" }, "A delivery that failed (or whose processing run died) can be processed again once its cause is fixed."),
    updated,
    deliveries);
  fill(cards, integrations.map(card));
  await loadDeliveries();
  updated.textContent = `Refreshes every ${REFRESH_MS / 1000} s while this tab is visible.`;

  let stopped = false;
  let running = false;
  async function tick() {
    if (stopped || running || document.visibilityState !== "visible") return;
    running = true;
    try {
      await loadDeliveries();
    } catch (error) {
      if (error instanceof api.SessionEnded) stopped = true;
      else fill(problems, alertBox(`Could not refresh the deliveries: ${error.message}`));
    } finally {
      running = false;
    }
  }
  const stopPolling = whileVisible(tick);
  return () => {
    stopped = true;
    stopPolling();
  };
}

// ---- sender

async function senderTab(section, { me, announce }) {
  let current = null;
  try {
    current = await api.get("/v1/outreach/settings");
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  const intro = h("p", { class: "muted" }, "Who outreach emails come from, and the postal address the law (CAN-SPAM) requires in each one's footer.");
  if (me.role !== "admin") {
    fill(section,
      h("h2", {}, "Sender"),
      intro,
      current
        ? h("dl", { class: "figures sender-figures" },
            item("From email", current.from_email), item("From name", current.from_name),
            item("Postal address", current.postal_address), item("Signature", current.signature || "—"),
            item("Updated", when(current.updated_at)))
        : h("p", {}, "No sender set yet: outreach emails cannot be sent until an admin sets one."),
      onlyAdmin("change the sender"));
    return;
  }
  const c = current || {};
  const formAlert = h("div", { class: "alert-slot" });
  const fromEmail = input({ type: "email", name: "from_email", inputmode: "email", autocomplete: "off", value: c.from_email || "" });
  const fromName = input({ name: "from_name", maxlength: "100", autocomplete: "off", value: c.from_name || "" });
  const postal = h("textarea", { name: "postal_address", rows: "3", maxlength: "500" }, c.postal_address || "");
  const signature = h("textarea", { name: "signature", rows: "4", maxlength: "2000" }, c.signature || "");
  const saved = h("p", { class: "muted" }, current ? ["Last saved ", when(current.updated_at)] : "No sender set yet: outreach emails cannot be sent until one is.");
  const submit = h("button", { type: "submit" }, "Save sender");
  const form = h(
    "form",
    { class: "stack panel sender-form", novalidate: true, "aria-labelledby": "sender-h" },
    formAlert,
    field("From email", fromEmail, { field: "from_email", hint: "An address on an identity verified in Amazon SES (the domain or the address)" }),
    field("From name", fromName, { field: "from_name", hint: "What creators see as the sender, e.g. “Ana at Acme”" }),
    field("Postal address", postal, { field: "postal_address", hint: "The brand's physical address, printed in every email's footer (at least 10 characters)" }),
    field("Signature (optional)", signature, { field: "signature" }),
    h("div", { class: "actions" }, submit, saved),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    submit.disabled = true;
    try {
      const sig = signature.value.trim();
      const answer = await api.call("PUT", "/v1/outreach/settings", {
        from_email: fromEmail.value.trim(),
        from_name: fromName.value.trim(),
        postal_address: postal.value.trim(),
        signature: sig || null,
      });
      fill(saved, "Last saved ", when(answer.updated_at));
      announce("The sender is saved.");
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });
  fill(section, h("h2", { id: "sender-h", tabindex: "-1" }, "Sender"), intro, form);
}

// ---- competitors (what a creator's screening looks for: Creators → a profile → Screening)

function competitorRow(value, index) {
  const name = input({ value: value.name || "", maxlength: "100", autocomplete: "off" });
  const shown = value.handlesText !== undefined ? value.handlesText : (value.handles || []).join(", ");
  const handles = input({ value: shown, autocapitalize: "none", autocomplete: "off", spellcheck: "false" });
  const remove = h("button", { type: "button", class: "button-quiet", "aria-label": `Remove competitor ${index + 1}` }, "Remove");
  const legendId = uid("rival");
  const el = h("fieldset", { class: "competitor-row", "aria-labelledby": legendId },
    h("legend", { id: legendId }, `Competitor ${index + 1}`),
    field("Name", name, { field: `competitors.${index}.name`, hint: "As posts write it, e.g. New Balance" }),
    field("Handles", handles, { field: `competitors.${index}.handles`, hint: "Comma-separated, without @, e.g. newbalance, nbrunning" }),
    remove);
  return {
    el,
    remove,
    blank: () => !name.value.trim() && !handles.value.trim(),
    value: () => ({ name: name.value, handlesText: handles.value }),
    read: () => ({ name: name.value.trim(), handles: handles.value.split(",").map((x) => x.trim()).filter(Boolean) }),
  };
}

function competitorFigures(list) {
  if (!list.length) return h("p", {}, "No competitor set yet: screening flags no competitor mention.");
  return h("ul", { class: "competitor-list" }, list.map((c) =>
    h("li", {}, h("strong", {}, c.name), (c.handles || []).length ? h("span", { class: "muted" }, ` · ${c.handles.map((x) => `@${x}`).join(", ")}`) : null)));
}

async function competitorsTab(section, { me, announce }) {
  let current = null;
  let refused = false;
  try {
    current = await api.get("/v1/discovery/settings");
  } catch (error) {
    if (isForbidden(error)) refused = true;
    else if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  const stored = (current && current.competitors) || [];
  const intro = h("p", { class: "muted" },
    "The brands a creator's screening looks for (Creators → a profile → Screening): a post naming one by its name, as a hashtag or by an @handle. A mention in the last 90 days fails the screening; an older one is flagged.");
  if (me.role !== "admin") {
    fill(section,
      h("h2", {}, "Competitors"),
      intro,
      refused ? null : competitorFigures(stored),
      onlyAdmin(refused ? "see or change the competitors" : "change the competitors"));
    return;
  }
  const formAlert = h("div", { class: "alert-slot" });
  const box = h("div", { class: "rows competitor-rows" });
  const add = h("button", { type: "button", class: "button-quiet" }, "Add a competitor");
  let rows = [];
  function draw(values) {
    rows = values.map((v, i) => competitorRow(v, i));
    fill(box, rows.length ? rows.map((r) => r.el) : h("p", { class: "muted" }, "No competitor yet: add one."));
    rows.forEach((r, i) => r.remove.addEventListener("click", () => {
      draw(rows.map((x) => x.value()).filter((_, j) => j !== i));
      add.focus();
    }));
  }
  add.addEventListener("click", () => {
    draw([...rows.map((r) => r.value()), {}]);
    box.lastElementChild.querySelector("input").focus();
  });
  draw(stored);
  const saved = h("p", { class: "muted" }, current && current.updated_at ? ["Last saved ", when(current.updated_at)] : "Not saved yet.");
  const submit = h("button", { type: "submit" }, "Save competitors");
  const form = h("form", { class: "stack panel competitors-form", novalidate: true, "aria-labelledby": "competitors-h" },
    formAlert,
    h("fieldset", {}, h("legend", {}, "Competitor list"), box, add),
    h("p", { class: "hint" }, "Up to 50 competitors, each with up to 10 handles. Empty rows are dropped on save."),
    h("div", { class: "actions" }, submit, saved));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, formAlert);
    // Empty rows go before sending, so the API's "competitors.2.name" names the row shown third.
    if (rows.some((r) => r.blank())) draw(rows.filter((r) => !r.blank()).map((r) => r.value()));
    submit.disabled = true;
    try {
      const answer = await api.call("PUT", "/v1/discovery/settings", { competitors: rows.map((r) => r.read()) });
      draw(answer.competitors || []); // as stored: handles without "@", in lowercase
      fill(saved, "Last saved ", when(answer.updated_at));
      announce("The competitors are saved.");
    } catch (error) {
      if (!(error instanceof api.SessionEnded)) showError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });
  fill(section, h("h2", { id: "competitors-h", tabindex: "-1" }, "Competitors"), intro, form);
}

const RENDER = {
  members: membersTab, keys: keysTab, stores: storesTab, sender: senderTab, apply: applicationPageTab, competitors: competitorsTab,
};

export async function render(main, _params, { setTitle, query, me }) {
  setTitle("Settings");
  const tab = RENDER[query.get("tab")] ? query.get("tab") : "members";
  const label = Object.fromEntries(TABS)[tab];
  const problems = h("div", { class: "alert-slot" });
  const status = h("p", { class: "saved status-line", role: "status" });
  const announce = (message) => {
    status.textContent = message;
  };
  const section = h("section", { class: "settings-section", "aria-label": label });
  fill(
    main,
    h("h1", { tabindex: "-1" }, "Settings"),
    h("nav", { class: "tabs", "aria-label": "Settings" },
      h("ul", {}, TABS.map(([key, text]) =>
        h("li", {}, h("a", { href: `#/settings?tab=${key}`, "aria-current": key === tab ? "page" : undefined }, text))))),
    problems,
    status,
    section,
  );
  const who = me || (await api.get("/v1/me"));
  try {
    return await RENDER[tab](section, { me: who, problems, announce });
  } catch (error) {
    if (error instanceof api.SessionEnded) return undefined;
    fill(problems, alertBox(isForbidden(error) ? `${error.message} (only an admin can do this)` : error.message));
    return undefined;
  }
}
