// Labelled fields and the API's errors shown next to them: a 422's details[].field names the
// field ("budget.amount", "kpis.0.target"); the message goes under that control, linked by
// aria-describedby, with aria-invalid set. Anything not tied to a field goes in the page alert.

import { SessionEnded } from "./api.js";
import { alertBox, fill, h, uid } from "./dom.js";

/** A labelled control. `field` is the API's name for it (data-field), for errors. */
export function field(label, control, { field: name, hint } = {}) {
  const id = control.id || uid("f");
  control.id = id;
  if (name) control.dataset.field = name;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), hintEl, control, error);
}

export function input(attrs) {
  return h("input", { type: "text", ...attrs });
}

export function select(options, value, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([v, label]) => h("option", { value: v, selected: v === value ? true : undefined }, label)),
  );
}

function errorSlot(control) {
  return document.getElementById(`${control.id}-error`);
}

/** Clears every field error and the page alert of a form. */
export function clearErrors(form, alertSlot) {
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const slot = errorSlot(control);
    if (slot) {
      slot.hidden = true;
      slot.textContent = "";
    }
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== `${control.id}-error`);
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  }
  if (alertSlot) fill(alertSlot);
}

export function markInvalid(control, message) {
  const slot = errorSlot(control);
  control.setAttribute("aria-invalid", "true");
  if (slot) {
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(slot.id);
    control.setAttribute("aria-describedby", [...described].join(" "));
  }
}

/** The control for an API field name: exact, else the nearest parent ("kpis.0.target" →
 * "kpis.0" → "kpis"), else a field the message names ("end_date must be on or after …"). */
export function controlFor(form, name, message) {
  const controls = [...form.querySelectorAll("[data-field]")];
  const by = (n) => controls.find((c) => c.dataset.field === n);
  if (name) {
    const parts = String(name).split(".");
    for (let i = parts.length; i > 0; i -= 1) {
      const found = by(parts.slice(0, i).join("."));
      if (found) return found;
    }
  }
  const named = controls.find((c) => new RegExp(`\\b${c.dataset.field.replace(/\./g, "\\.")}\\b`).test(message || ""));
  return named || null;
}

/** Shows an ApiError on a form: 422 details next to their fields, the rest in the alert. */
export function showError(form, alertSlot, error) {
  clearErrors(form, alertSlot);
  const loose = [];
  let first = null;
  if (error.status === 422 && error.details.length) {
    for (const detail of error.details) {
      const bare = String(detail.message || "").replace(/^Value error, /, "");
      const message = bare.charAt(0).toUpperCase() + bare.slice(1);
      const control = controlFor(form, detail.field, message);
      if (control) {
        markInvalid(control, message);
        first ??= control;
      } else loose.push(detail.field ? `${detail.field}: ${message}` : message);
    }
  }
  if (!first || loose.length) {
    const text = first ? "Some of the values are not valid." : error.message;
    fill(alertSlot, alertBox(loose.length ? [text, h("ul", {}, loose.map((l) => h("li", {}, l)))] : text));
  }
  if (first) {
    if (!alertSlot.childElementCount) fill(alertSlot, alertBox("Please correct the fields marked below."));
    first.focus();
  }
}

/** Sends `form` through `save()` on submit: its errors cleared first, `submit` disabled meanwhile,
 * the API's error shown on the form (a 422 at its fields). */
export function onSubmit(form, alertSlot, submit, save) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    submit.disabled = true;
    try {
      await save();
    } catch (error) {
      if (!(error instanceof SessionEnded)) showError(form, alertSlot, error);
    } finally {
      submit.disabled = false;
    }
  });
}
