// The Domains page: my domains, create a domain, and the pending-invitations pop-up.
import { busy, clear, dataTable, h, messageBox, when } from "../dom.js";
import { unwrap } from "../graphql.js";
import { CREATE_DOMAIN, DOMAINS } from "../operations.js";
import { pendingPopup } from "./pending.js";

export function domainsView(ctx) {
  const messages = messageBox();
  const createMessages = messageBox();
  const list = h("div", {}, h("p", { className: "muted" }, "Loading…"));
  const name = h("input", { name: "name", required: true, maxlength: 100, placeholder: "Acme" });
  const create = h("button", { type: "submit", className: "primary" }, "Create domain");

  async function reload() {
    let domains;
    try {
      domains = (await ctx.api.request(DOMAINS)).domains;
    } catch (err) {
      messages.error(err);
      return;
    }
    clear(
      list,
      domains.length === 0
        ? h(
            "p",
            { className: "empty" },
            "You are not a member of any domain yet. Create one, or accept an invitation.",
          )
        : dataTable({
            testid: "domains-table",
            columns: ["Domain", "Your role", "Created"],
            rows: domains.map((d) =>
              h(
                "tr",
                { testid: "domain-row" },
                h(
                  "td",
                  {},
                  h("a", { href: `#/domains/${encodeURIComponent(d.id)}/invitations` }, d.name),
                ),
                h("td", {}, d.myRole?.name ?? "—"),
                h("td", {}, when(d.createdAt)),
              ),
            ),
          }),
    );
  }

  async function onsubmit(event) {
    event.preventDefault();
    await busy(
      create,
      async () => {
        const domain = unwrap(
          (await ctx.api.request(CREATE_DOMAIN, { name: name.value })).createDomain,
        );
        name.value = "";
        createMessages.info(`Created ${domain.name}.`);
        await reload();
      },
      createMessages,
    );
  }

  const popup = pendingPopup(ctx);
  const onReceived = () => popup.refresh({ force: true });
  const onAnswered = () => reload();
  ctx.events.addEventListener("invitation-received", onReceived);
  ctx.events.addEventListener("pending-changed", onAnswered);
  reload();
  popup.refresh();

  const el = h(
    "section",
    {},
    h(
      "div",
      { className: "page-head" },
      h("h1", {}, "Domains"),
      h(
        "button",
        { type: "button", onclick: () => popup.refresh({ force: true }) },
        "Pending invitations",
      ),
    ),
    messages.el,
    list,
    h(
      "form",
      { onsubmit, className: "card inline-form", "aria-labelledby": "create-domain-title" },
      h("h2", { id: "create-domain-title" }, "Create a domain"),
      h(
        "div",
        { className: "inline" },
        h("label", { className: "field grow" }, h("span", {}, "Domain name"), name),
        create,
      ),
      createMessages.el,
    ),
  );
  return {
    el,
    cleanup() {
      ctx.events.removeEventListener("invitation-received", onReceived);
      ctx.events.removeEventListener("pending-changed", onAnswered);
      popup.close();
    },
  };
}
