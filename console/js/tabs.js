// A campaign's pages share one header: its name, a way back to the list, and the tabs between its
// pages (settings, the collaboration board, links and codes, content, outreach, report). Each tab
// is a link (its own hash route), the current one marked aria-current="page".

import * as api from "./api.js";
import { fill, h } from "./dom.js";

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

/** The campaign, or null once the page says "Campaign not found" (a 404: no such campaign, or
 * another brand's — the API does not say which). */
export async function loadCampaign(main, id, setTitle) {
  try {
    return await api.get(`/v1/campaigns/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    setTitle("Campaign not found");
    fill(main, h("h1", { tabindex: "-1" }, "Campaign not found"), h("p", {}, h("a", { href: "#/campaigns" }, "All campaigns")));
    return null;
  }
}
