// Inside a domain: its name, the Invitations, Members and (for those who manage them)
// Webhooks tabs, and the tab's content. The Webhooks module loads when first shown.
import { h } from "../dom.js";
import { DOMAIN } from "../operations.js";
import { loadable, skeleton } from "../states.js";
import { can } from "./access.js";
import { invitationsTab } from "./invitations.js";
import { membersTab } from "./members.js";

// Each tab's view(ctx, domain) resolving to { el, refresh, cleanup }.
const TABS = {
  invitations: async () => invitationsTab,
  members: async () => membersTab,
  webhooks: async () => (await import("./webhooks.js")).webhooksTab,
};

export function domainView(ctx, domainId, tab) {
  const title = h("h1", { className: "wrap" }, "Domain");
  let shown = null; // the tab's view, once the domain loaded

  const content = loadable({
    load: async () => {
      const [answer, view] = await Promise.all([
        ctx.api.request(DOMAIN, { id: domainId }),
        TABS[tab](),
      ]);
      return { domain: answer.domain, view };
    },
    render({ domain, view }) {
      shown?.cleanup();
      if (!domain) {
        shown = null;
        return h(
          "p",
          { className: "empty", testid: "empty-state" },
          "This domain does not exist or you are not a member of it.",
        );
      }
      title.textContent = domain.name;
      webhooks.hidden = tab !== "webhooks" && !can(domain, "WEBHOOK_MANAGE");
      shown = view(ctx, domain);
      return shown.el;
    },
    placeholder: skeleton(5),
  });

  const tabLink = (name, label) =>
    h(
      "a",
      {
        href: `#/domains/${encodeURIComponent(domainId)}/${name}`,
        className: "tab",
        "aria-current": tab === name ? "page" : null,
      },
      label,
    );

  const webhooks = tabLink("webhooks", "Webhooks");
  webhooks.hidden = tab !== "webhooks"; // until the domain says whether the caller manages them
  const el = h(
    "section",
    {},
    h("p", { className: "crumbs" }, h("a", { href: "#/domains" }, "Domains"), " / "),
    title,
    h(
      "nav",
      { className: "tabs", "aria-label": "Domain sections" },
      tabLink("invitations", "Invitations"),
      tabLink("members", "Members"),
      webhooks,
    ),
    content.el,
  );
  content.reload();
  return {
    el,
    // The table when the domain is on screen; else the domain itself (its load had failed).
    refresh: () => (shown ? shown.refresh() : content.reload()),
    cleanup: () => shown?.cleanup(),
  };
}
