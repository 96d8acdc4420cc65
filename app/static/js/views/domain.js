// Inside a domain: its name, the Invitations and Members tabs, and the tab's table.
import { h } from "../dom.js";
import { DOMAIN } from "../operations.js";
import { loadable, skeleton } from "../states.js";
import { invitationsTab } from "./invitations.js";
import { membersTab } from "./members.js";

export function domainView(ctx, domainId, tab) {
  const title = h("h1", { className: "wrap" }, "Domain");
  let shown = null; // the tab's view, once the domain loaded

  const content = loadable({
    load: async () => (await ctx.api.request(DOMAIN, { id: domainId })).domain,
    render(domain) {
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
      shown = tab === "members" ? membersTab(ctx, domain) : invitationsTab(ctx, domain);
      return shown.el;
    },
    placeholder: skeleton(5),
  });
  content.reload();

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
    ),
    content.el,
  );
  return {
    el,
    // The table when the domain is on screen; else the domain itself (its load had failed).
    refresh: () => (shown ? shown.refresh() : content.reload()),
    cleanup: () => shown?.cleanup(),
  };
}
