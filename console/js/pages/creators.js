// Creators — to be built (issue 14). Stub so the router can load.

import { fill, h } from "../dom.js";

function stub(main, title, setTitle) {
  setTitle(title);
  fill(main, h("h1", { tabindex: "-1" }, title), h("p", { class: "muted" }, "This page is being built."));
}

export async function renderList(main, _params, { setTitle }) {
  stub(main, "Creators", setTitle);
}

export async function renderNew(main, _params, { setTitle }) {
  stub(main, "Creators", setTitle);
}

export async function renderImport(main, _params, { setTitle }) {
  stub(main, "Creators", setTitle);
}

export async function renderOne(main, _params, { setTitle }) {
  stub(main, "Creators", setTitle);
}
