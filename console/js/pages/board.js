// Collaborations — to be built (issue 14). Stub so the router can load.

import { fill, h } from "../dom.js";

function stub(main, title, setTitle) {
  setTitle(title);
  fill(main, h("h1", { tabindex: "-1" }, title), h("p", { class: "muted" }, "This page is being built."));
}

export async function renderBoard(main, _params, { setTitle }) {
  stub(main, "Collaborations", setTitle);
}

export async function renderCollaboration(main, _params, { setTitle }) {
  stub(main, "Collaborations", setTitle);
}
