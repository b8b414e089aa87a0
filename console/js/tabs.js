// A campaign's pages share one header: its name, a way back to the list, and the tabs between its
// pages (settings, the collaboration board, links and codes, content, outreach, report). Each tab
// is a link (its own hash route), the current one marked aria-current="page".

import { h } from "./dom.js";

export const CAMPAIGN_TABS = [
  ["settings", "", "Settings"],
  ["board", "/board", "Collaborations"],
  ["links", "/links", "Links & codes"],
  ["content", "/content", "Content"],
  ["outreach", "/outreach", "Outreach"],
  ["report", "/report", "Report"],
];

/** The tabs of one campaign's pages, `active` one of CAMPAIGN_TABS' keys. */
export function campaignTabs(campaignId, active) {
  const base = `#/campaigns/${encodeURIComponent(campaignId)}`;
  return h(
    "nav",
    { class: "tabs", "aria-label": "Campaign" },
    h(
      "ul",
      {},
      CAMPAIGN_TABS.map(([key, suffix, label]) =>
        h("li", {}, h("a", { href: base + suffix, "aria-current": key === active ? "page" : undefined }, label)),
      ),
    ),
  );
}

/** The head of a campaign's page: its name as the h1, the way back, its status, the tabs. */
export function campaignHead(campaign, active, { heading } = {}) {
  return [
    heading || h("h1", { tabindex: "-1" }, campaign.name),
    h("p", { class: "muted" }, h("a", { href: "#/campaigns" }, "← All campaigns"), ` · ${campaign.status}`),
    campaignTabs(campaign.id, active),
  ];
}
