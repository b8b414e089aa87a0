// The console's shell: hash routes → pages, the header with the member and sign-out.
// A page is `render(main, params, ctx)`; it may return a function that stops what it started
// (timers), called when the member leaves the page.

import * as api from "./api.js";
import * as alerts from "./pages/alerts.js";
import { fill, h } from "./dom.js";
import * as campaigns from "./pages/campaigns.js";
import * as overview from "./pages/overview.js";
import * as signIn from "./pages/sign-in.js";
import * as session from "./session.js";

const ROUTES = [
  { pattern: /^\/sign-in$/, page: signIn.render, open: true },
  { pattern: /^\/overview$/, page: overview.render, nav: "overview" },
  { pattern: /^\/campaigns$/, page: campaigns.renderList, nav: "campaigns" },
  { pattern: /^\/campaigns\/new$/, page: campaigns.renderNew, nav: "campaigns" },
  { pattern: /^\/campaigns\/([A-Za-z0-9_-]+)$/, page: campaigns.renderOne, nav: "campaigns" },
  { pattern: /^\/alerts(?:\?(.*))?$/, page: alerts.render, nav: "alerts" },
];
const NAV = [
  ["overview", "#/overview", "Overview"],
  ["campaigns", "#/campaigns", "Campaigns"],
  ["alerts", "#/alerts", "Alerts"],
];

const main = document.getElementById("main");
const top = document.getElementById("top");
let stop = null;
let generation = 0;

async function member() {
  const current = session.load();
  if (current && current.me) return current.me;
  const me = await api.get("/v1/me");
  const again = session.load();
  if (again) session.save({ ...again, me });
  return me;
}

function header(active, me) {
  const nav = h(
    "nav",
    { "aria-label": "Console" },
    h(
      "ul",
      {},
      NAV.map(([key, href, label]) =>
        h("li", {}, h("a", { href, "aria-current": key === active ? "page" : undefined }, label)),
      ),
    ),
  );
  const who = me
    ? h("p", { class: "member" }, h("span", { class: "member-name" }, me.name || me.email), " ",
        h("span", { class: "member-role" }, `(${me.role})`), me.brand_name ? h("span", { class: "member-brand" }, ` · ${me.brand_name}`) : null)
    : null;
  const signOut = h("button", { type: "button", class: "button-quiet", onclick: onSignOut }, "Sign out");
  fill(top, h("a", { class: "brand", href: "#/overview" }, "Roster"), nav, h("div", { class: "who" }, who, signOut));
}

async function onSignOut() {
  const current = session.load();
  try {
    if (current && current.access_token) await api.auth("sign-out", { access_token: current.access_token });
  } catch {
    // Signed out here whatever the server says: the tokens are dropped below.
  }
  api.endSession("You are signed out.");
}

export function setTitle(title) {
  document.title = `${title} · Roster`;
}

async function route() {
  generation += 1;
  const mine = generation;
  if (stop) {
    stop();
    stop = null;
  }
  const path = (location.hash || "").replace(/^#/, "") || "/overview";
  const found = ROUTES.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  const signedIn = session.load();
  if (!found) {
    fill(top, h("a", { class: "brand", href: "#/overview" }, "Roster"));
    fill(main, h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "#/overview" }, "Go to the overview")));
    setTitle("Page not found");
    return;
  }
  if (!found.r.open && !signedIn) {
    location.replace("#/sign-in");
    return;
  }
  if (found.r.open && signedIn) {
    location.replace("#/overview");
    return;
  }
  try {
    if (found.r.open) fill(top, h("span", { class: "brand" }, "Roster"));
    else header(found.r.nav, await member());
    if (mine !== generation) return;
    main.setAttribute("aria-busy", "true");
    const cleanup = await found.r.page(main, found.m.slice(1), { setTitle });
    if (mine !== generation) {
      if (typeof cleanup === "function") cleanup();
      return;
    }
    stop = typeof cleanup === "function" ? cleanup : null;
    main.removeAttribute("aria-busy");
    const heading = main.querySelector("h1");
    if (heading) heading.focus({ preventScroll: true });
  } catch (error) {
    main.removeAttribute("aria-busy");
    if (error instanceof api.SessionEnded) return;
    fill(main, h("h1", { tabindex: "-1" }, "Something went wrong"), h("div", { class: "alert alert-error", role: "alert" }, error.message));
  }
}

window.addEventListener("hashchange", route);
route();
