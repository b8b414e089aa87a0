// The console's shell: hash routes → pages, the header with the member and sign-out.
// A page is `render(main, params, ctx)`: params are the route's captures; ctx has setTitle, query
// (the hash's URLSearchParams) and me (GET /v1/me: id, name, role, brand). It may return a
// function that stops what it started (timers), called when the member leaves the page.

import * as api from "./api.js";
import { fill, h } from "./dom.js";
import * as session from "./session.js";

// Each page module is fetched on the first visit to one of its routes (a same-origin import(),
// which the CSP allows), so a visit downloads the shell and the pages it opens, not all of them.
const modules = new Map();
function pageModule(name) {
  if (!modules.has(name)) {
    const loading = import(`./pages/${name}.js`);
    loading.catch(() => modules.delete(name)); // a failed download is tried again next time
    modules.set(name, loading);
  }
  return modules.get(name);
}

// Patterns match the hash's path; its query ("?status=open&…") reaches the page as ctx.query
// (URLSearchParams), so a page keeps its filters in the URL and a reload shows the same thing.
const ID = "([A-Za-z0-9_-]+)";
const ROUTES = [
  { pattern: /^\/sign-in$/, page: ["sign-in", "render"], open: true },
  { pattern: /^\/overview$/, page: ["overview", "render"], nav: "overview" },
  { pattern: /^\/campaigns$/, page: ["campaigns", "renderList"], nav: "campaigns" },
  { pattern: /^\/campaigns\/new$/, page: ["campaigns", "renderNew"], nav: "campaigns" },
  { pattern: new RegExp(`^/campaigns/${ID}$`), page: ["campaigns", "renderOne"], nav: "campaigns" },
  { pattern: new RegExp(`^/campaigns/${ID}/board$`), page: ["board", "renderBoard"], nav: "campaigns" },
  { pattern: new RegExp(`^/collaborations/${ID}$`), page: ["board", "renderCollaboration"], nav: "campaigns" },
  { pattern: new RegExp(`^/campaigns/${ID}/links$`), page: ["links", "render"], nav: "campaigns" },
  { pattern: new RegExp(`^/campaigns/${ID}/content$`), page: ["content", "render"], nav: "campaigns" },
  { pattern: new RegExp(`^/campaigns/${ID}/outreach$`), page: ["outreach", "renderCampaign"], nav: "campaigns" },
  { pattern: new RegExp(`^/campaigns/${ID}/report$`), page: ["report", "render"], nav: "campaigns" },
  { pattern: /^\/creators$/, page: ["creators", "renderList"], nav: "creators" },
  { pattern: /^\/creators\/new$/, page: ["creators", "renderNew"], nav: "creators" },
  { pattern: /^\/creators\/import$/, page: ["creators", "renderImport"], nav: "creators" },
  { pattern: new RegExp(`^/creators/${ID}$`), page: ["creators", "renderOne"], nav: "creators" },
  { pattern: /^\/outreach$/, page: ["outreach", "renderTemplates"], nav: "outreach" },
  { pattern: /^\/outreach\/templates\/new$/, page: ["outreach", "renderNewTemplate"], nav: "outreach" },
  { pattern: new RegExp(`^/outreach/templates/${ID}$`), page: ["outreach", "renderTemplate"], nav: "outreach" },
  { pattern: /^\/alerts$/, page: ["alerts", "render"], nav: "alerts" },
  { pattern: /^\/applications$/, page: ["applications", "render"], nav: "applications" },
  { pattern: /^\/payouts$/, page: ["payouts", "render"], nav: "payouts" },
  { pattern: new RegExp(`^/payouts/${ID}$`), page: ["payouts", "renderOne"], nav: "payouts" },
  { pattern: /^\/settings$/, page: ["settings", "render"], nav: "settings" },
];
const NAV = [
  ["overview", "#/overview", "Overview"],
  ["campaigns", "#/campaigns", "Campaigns"],
  ["creators", "#/creators", "Creators"],
  ["applications", "#/applications", "Applications"],
  ["outreach", "#/outreach", "Outreach"],
  ["alerts", "#/alerts", "Alerts"],
  ["payouts", "#/payouts", "Payouts"],
  ["settings", "#/settings", "Settings"],
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
  const full = (location.hash || "").replace(/^#/, "") || "/overview";
  const cut = full.indexOf("?");
  const path = cut < 0 ? full : full.slice(0, cut);
  const query = new URLSearchParams(cut < 0 ? "" : full.slice(cut + 1));
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
    const [moduleName, renderName] = found.r.page;
    const loading = pageModule(moduleName);
    if (found.r.open) fill(top, h("span", { class: "brand" }, "Roster"));
    else header(found.r.nav, await member());
    const page = (await loading)[renderName];
    if (mine !== generation) return;
    main.setAttribute("aria-busy", "true");
    const cleanup = await page(main, found.m.slice(1), { setTitle, query, me: found.r.open ? null : session.load()?.me });
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
