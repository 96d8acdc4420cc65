// The Domains page: my domains, create a domain, and the pending-invitations pop-up.
import { h } from "../dom.js";
import { field, lengthLimit } from "../fields.js";
import { clip, when } from "../format.js";
import { unwrap } from "../graphql.js";
import { CREATE_DOMAIN, DOMAINS } from "../operations.js";
import { busy, loadable, messageBox, skeleton } from "../states.js";
import { dataTable } from "../table.js";
import { pendingPopup } from "./popup.js";

const NAME_MAX = 100;

function domainsTable(domains) {
  if (!domains.length) {
    return h(
      "p",
      { className: "empty", testid: "empty-state" },
      "You are not a member of any domain yet. Create one, or accept an invitation.",
    );
  }
  return dataTable({
    testid: "domains-table",
    columns: ["Domain", "Your role", "Created"],
    rows: domains.map((d) =>
      h(
        "tr",
        { testid: "domain-row" },
        h(
          "td",
          {},
          h("a", { href: `#/domains/${encodeURIComponent(d.id)}/invitations` }, clip(d.name)),
        ),
        h("td", {}, d.myRole ? clip(d.myRole.name) : "—"),
        h("td", {}, when(d.createdAt)),
      ),
    ),
  });
}

function createForm(ctx, onCreated) {
  const messages = messageBox();
  const name = h("input", {
    name: "name",
    required: true,
    placeholder: "Acme",
    autocomplete: "off",
  });
  const limit = lengthLimit(name, { max: NAME_MAX, what: "A domain name" });
  const create = h("button", { type: "submit", className: "primary" }, "Create domain");

  async function onsubmit(event) {
    event.preventDefault();
    if (!limit.check()) return;
    await busy(
      create,
      async () => {
        const result = await ctx.api.request(CREATE_DOMAIN, { name: name.value });
        const domain = unwrap(result.createDomain);
        name.value = "";
        messages.info(`Created ${domain.name}.`);
        await onCreated();
      },
      messages,
    );
  }

  return h(
    "form",
    { onsubmit, className: "card inline-form", "aria-labelledby": "create-domain-title" },
    h("h2", { id: "create-domain-title" }, "Create a domain"),
    h(
      "div",
      { className: "inline" },
      h("div", { className: "grow" }, field("Domain name", name, limit.hint)),
      create,
    ),
    messages.el,
  );
}

export function domainsView(ctx) {
  const list = loadable({
    load: async () => (await ctx.api.request(DOMAINS)).domains,
    render: domainsTable,
    placeholder: skeleton(3),
  });
  const messages = messageBox();
  if (ctx.notice) messages.info(ctx.notice);
  ctx.notice = null;
  const popup = pendingPopup(ctx);
  const onReceived = () => popup.check();
  const onAnswered = () => list.reload();
  ctx.events.addEventListener("invitation-received", onReceived);
  ctx.events.addEventListener("pending-changed", onAnswered);
  list.reload();
  popup.check();

  const el = h(
    "section",
    {},
    h(
      "div",
      { className: "page-head" },
      h("h1", {}, "Domains"),
      h(
        "button",
        { type: "button", testid: "open-pending", onclick: () => popup.open() },
        "Pending invitations",
      ),
    ),
    messages.el,
    list.el,
    createForm(ctx, list.reload),
  );
  return {
    el,
    refresh() {
      list.reload();
      popup.check();
    },
    cleanup() {
      ctx.events.removeEventListener("invitation-received", onReceived);
      ctx.events.removeEventListener("pending-changed", onAnswered);
      popup.close();
    },
  };
}
