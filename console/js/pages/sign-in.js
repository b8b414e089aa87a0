// Sign-in: email and password, then (for a member invited with a temporary password) the
// new-password step. Tokens go to sessionStorage; the member lands on the overview.

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

export async function render(main, _params, { setTitle }) {
  setTitle("Sign in");
  const message = session.takeFlash();
  const alertSlot = h("div", { class: "alert-slot" }, message ? alertBox(message, message === api.EXPIRED ? "error" : "info") : null);
  const email = input({ type: "email", name: "email", autocomplete: "username", required: true, inputmode: "email" });
  const password = input({ type: "password", name: "password", autocomplete: "current-password", required: true });
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
      form),
  );
}
