// Sign-in: email and password, then (for a member invited with a temporary password) the
// new-password step. Tokens go to sessionStorage; the member lands on the overview. "Forgot your
// password?" asks for the email (POST /auth/forgot-password: Cognito emails a code), then the code
// and a new password (POST /auth/reset-password), and comes back here to sign in with it.

import * as api from "../api.js";
import { alertBox, fill, h } from "../dom.js";
import { clearErrors, field, input, showError } from "../form.js";
import * as session from "../session.js";

const WRONG = "The email or password is not right.";

function signedIn(tokens, email) {
  session.store(tokens, { email });
  location.hash = "#/overview";
}

function newPasswordStep(main, email, challengeSession, setTitle) {
  setTitle("Choose a new password");
  const alertSlot = h("div", { class: "alert-slot" });
  const password = input({ type: "password", name: "password", autocomplete: "new-password", required: true, minlength: "12" });
  const again = input({ type: "password", name: "confirm", autocomplete: "new-password", required: true });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field("New password", password, { field: "password", hint: "At least 12 characters." }),
    field("New password again", again, { field: "confirm" }),
    h("button", { type: "submit" }, "Set password and sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    if (password.value !== again.value) {
      showError(form, alertSlot, { status: 422, details: [{ field: "confirm", message: "The two passwords differ." }] });
      return;
    }
    try {
      const tokens = await api.auth("new-password", { email, session: challengeSession, password: password.value });
      signedIn(tokens, email);
    } catch (error) {
      showError(form, alertSlot, error);
    }
  });
  fill(
    main,
    h("section", { class: "narrow" },
      h("h1", { tabindex: "-1" }, "Choose a new password"),
      h("p", {}, `Signing in as ${email}. Your first password was temporary: choose your own.`),
      alertSlot,
      form),
  );
  main.querySelector("h1").focus();
}


function forgotStep(main, setTitle, emailValue) {
  setTitle("Reset your password");
  const alertSlot = h("div", { class: "alert-slot" });
  const email = input({ type: "email", name: "email", autocomplete: "username", required: true, inputmode: "email", value: emailValue || "" });
  const submit = h("button", { type: "submit" }, "Email me a code");
  const back = h("button", { type: "button", class: "button-quiet", onclick: () => render(main, [], { setTitle }) }, "Back to sign in");
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field("Email", email, { field: "email" }),
    h("div", { class: "actions" }, submit, back),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    if (!email.value.trim()) {
      showError(form, alertSlot, { status: 422, details: [{ field: "email", message: "Enter your email." }] });
      return;
    }
    submit.disabled = true;
    try {
      await api.auth("forgot-password", { email: email.value.trim() });
      resetStep(main, setTitle, email.value.trim());
    } catch (error) {
      showError(form, alertSlot, error);
    } finally {
      submit.disabled = false;
    }
  });
  fill(
    main,
    h("section", { class: "narrow" },
      h("h1", { tabindex: "-1" }, "Reset your password"),
      h("p", {}, "Enter the email you sign in with: we email you a code to choose a new password."),
      alertSlot,
      form),
  );
  main.querySelector("h1").focus();
}

function resetStep(main, setTitle, email) {
  setTitle("Choose a new password");
  const alertSlot = h("div", { class: "alert-slot" });
  const code = input({ name: "code", autocomplete: "one-time-code", inputmode: "numeric", required: true, maxlength: "64" });
  const password = input({ type: "password", name: "password", autocomplete: "new-password", required: true, minlength: "12" });
  const again = input({ type: "password", name: "confirm", autocomplete: "new-password", required: true });
  const submit = h("button", { type: "submit" }, "Set the new password");
  const resend = h("button", { type: "button", class: "button-quiet", onclick: () => forgotStep(main, setTitle, email) }, "Send another code");
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field("Code from the email", code, { field: "code" }),
    field("New password", password, { field: "password", hint: "At least 12 characters." }),
    field("New password again", again, { field: "confirm" }),
    h("div", { class: "actions" }, submit, resend),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    const missing = [];
    if (!code.value.trim()) missing.push({ field: "code", message: "Enter the code from the email." });
    if (password.value !== again.value) missing.push({ field: "confirm", message: "The two passwords differ." });
    if (missing.length) {
      showError(form, alertSlot, { status: 422, details: missing });
      return;
    }
    submit.disabled = true;
    try {
      await api.auth("reset-password", { email, code: code.value.trim(), password: password.value });
      session.flash("Your password is changed: sign in with it.");
      render(main, [], { setTitle, email });
    } catch (error) {
      showError(form, alertSlot, error);
    } finally {
      submit.disabled = false;
    }
  });
  fill(
    main,
    h("section", { class: "narrow" },
      h("h1", { tabindex: "-1" }, "Choose a new password"),
      h("p", { role: "status" }, `If ${email} has a Roster account, a code is on its way to it. It can take a minute; check the spam folder too.`),
      alertSlot,
      form),
  );
  main.querySelector("h1").focus();
}

export async function render(main, _params, { setTitle, email: knownEmail }) {
  setTitle("Sign in");
  const message = session.takeFlash();
  const alertSlot = h("div", { class: "alert-slot" }, message ? alertBox(message, message === api.EXPIRED ? "error" : "info") : null);
  const email = input({ type: "email", name: "email", autocomplete: "username", required: true, inputmode: "email", value: knownEmail || "" });
  const password = input({ type: "password", name: "password", autocomplete: "current-password", required: true });
  const forgot = h("button", { type: "button", class: "button-quiet", onclick: () => forgotStep(main, setTitle, email.value.trim()) }, "Forgot your password?");
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field("Email", email, { field: "email" }),
    field("Password", password, { field: "password" }),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alertSlot);
    const missing = [];
    if (!email.value.trim()) missing.push({ field: "email", message: "Enter your email." });
    if (!password.value) missing.push({ field: "password", message: "Enter your password." });
    if (missing.length) {
      showError(form, alertSlot, { status: 422, details: missing });
      return;
    }
    submit.disabled = true;
    try {
      const answer = await api.auth("sign-in", { email: email.value.trim(), password: password.value });
      if (answer && answer.challenge === "NEW_PASSWORD_REQUIRED") {
        newPasswordStep(main, email.value.trim(), answer.session, setTitle);
        return;
      }
      signedIn(answer, email.value.trim());
    } catch (error) {
      if (error.status === 401) fill(alertSlot, alertBox(WRONG));
      else showError(form, alertSlot, error);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  fill(
    main,
    h("section", { class: "narrow" },
      h("h1", { tabindex: "-1" }, "Sign in to Roster"),
      h("p", {}, "Your brand team's console. Sign in with the email your team invited."),
      alertSlot,
      form,
      h("p", { class: "forgot" }, forgot)),
  );
  if (knownEmail) {
    password.focus();
  }
}
