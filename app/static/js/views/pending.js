// The invitee's side: the pending-invitations pop-up and the "View All" page.
import { busy, clear, dataTable, h, messageBox, modal, pagedTable, when } from "../dom.js";
import { unwrap } from "../graphql.js";
import { PENDING_INVITATIONS, RESPOND } from "../operations.js";

const POPUP_SIZE = 5;
const PAGE_SIZE = 10;
const DISMISSED_KEY = "invitations.popupDismissed";

function sentence(invitation) {
  return [
    "Invitation to join ",
    h("strong", {}, invitation.domain.name),
    " with the role of ",
    h("strong", {}, invitation.role.name),
  ];
}

// Accept and Decline buttons for one invitation; `done` runs after a successful answer.
function answerButtons(ctx, invitation, messages, done) {
  const label = `invitation to join ${invitation.domain.name}`;
  const accept = h(
    "button",
    {
      type: "button",
      className: "primary",
      testid: "accept-button",
      "aria-label": `Accept ${label}`,
    },
    "Accept",
  );
  const decline = h(
    "button",
    { type: "button", testid: "decline-button", "aria-label": `Decline ${label}` },
    "Decline",
  );
  const answer = (response) =>
    busy(
      [accept, decline],
      async () => {
        unwrap(
          (await ctx.api.request(RESPOND, { invitationId: invitation.id, response }))
            .respondToInvitation,
        );
        messages.info(
          response === "ACCEPT"
            ? `You joined ${invitation.domain.name}.`
            : `You declined the invitation to ${invitation.domain.name}.`,
        );
        ctx.events.dispatchEvent(new CustomEvent("pending-changed", { detail: { response } }));
        ctx.refreshPendingCount();
        await done();
      },
      messages,
    );
  accept.addEventListener("click", () => answer("ACCEPT"));
  decline.addEventListener("click", () => answer("DECLINE"));
  return [accept, decline];
}

// Once dismissed, the pop-up opens again by itself only for invitations it has not shown
// (a resent invitation keeps its id but changes updatedAt).
const seenKey = (invitation) => `${invitation.id}@${invitation.updatedAt}`;

function hasNews(nodes) {
  let seen;
  try {
    seen = new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? "[]"));
  } catch {
    seen = new Set();
  }
  return nodes.some((invitation) => !seen.has(seenKey(invitation)));
}

// Opens the pop-up when the caller has pending invitations it has not shown since it was
// dismissed (or when `force`d). Returns a controller whose refresh() reloads it and close()
// dismisses it.
export function pendingPopup(ctx) {
  let dialog = null;
  const messages = messageBox();
  const list = h("ul", { className: "pending-list" });
  const count = h("strong", { testid: "pending-count" });
  let shown = [];

  async function load() {
    const data = await ctx.api.request(PENDING_INVITATIONS, { first: POPUP_SIZE });
    return data.pendingInvitations;
  }

  function render(connection) {
    count.textContent = String(connection.totalCount);
    if (!connection.nodes.length)
      return clear(list, h("li", { className: "empty" }, "You have no pending invitations."));
    clear(
      list,
      connection.nodes.map((invitation) =>
        h(
          "li",
          { className: "pending-item", testid: "pending-item" },
          h(
            "div",
            {},
            h("p", {}, sentence(invitation)),
            h(
              "p",
              { className: "muted small" },
              `Invited by ${invitation.invitedBy.name} · `,
              when(invitation.createdAt),
            ),
          ),
          h("div", { className: "row-actions" }, answerButtons(ctx, invitation, messages, refresh)),
        ),
      ),
    );
  }

  function open() {
    const viewAll = h(
      "button",
      {
        type: "button",
        testid: "view-all",
        onclick: () => {
          dialog.close();
          ctx.navigate("#/invitations");
        },
      },
      "View All",
    );
    const later = h("button", { type: "button", onclick: () => dialog.close() }, "Later");
    dialog = modal({
      title: "Pending invitations",
      testid: "pending-popup",
      body: [h("p", {}, "You have ", count, " pending invitations"), messages.el, list],
      actions: [later, viewAll],
      onClose: () => {
        dialog = null;
        sessionStorage.setItem(DISMISSED_KEY, JSON.stringify(shown));
      },
    });
  }

  async function refresh({ force = false } = {}) {
    let connection;
    try {
      connection = await load();
    } catch (err) {
      if (dialog) messages.error(err);
      return;
    }
    if (!dialog && connection.totalCount === 0) return;
    if (!dialog && !force && !hasNews(connection.nodes)) return;
    shown = connection.nodes.map(seenKey);
    render(connection);
    if (!dialog) open();
  }

  return { refresh, close: () => dialog?.close() };
}

// "View All": every pending invitation of the caller, ten a page.
export function pendingView(ctx) {
  const messages = messageBox();
  const table = pagedTable({
    messages,
    fetchPage: async (after) =>
      (await ctx.api.request(PENDING_INVITATIONS, { first: PAGE_SIZE, after })).pendingInvitations,
    table: (connection) =>
      connection.totalCount === 0
        ? h("p", { className: "empty" }, "You have no pending invitations.")
        : dataTable({
            testid: "my-invitations-table",
            columns: ["Domain", "Role", "Invited by", "Received", "Answer"],
            rows: connection.nodes.map((inv) =>
              h(
                "tr",
                { testid: "pending-item" },
                h("td", {}, inv.domain.name),
                h("td", {}, inv.role.name),
                h("td", {}, inv.invitedBy.name),
                h("td", {}, when(inv.createdAt)),
                h(
                  "td",
                  {},
                  h(
                    "div",
                    { className: "row-actions" },
                    answerButtons(ctx, inv, messages, table.reload),
                  ),
                ),
              ),
            ),
          }),
  });

  const onReceived = () => table.reload();
  ctx.events.addEventListener("invitation-received", onReceived);
  table.reload();
  const el = h("section", {}, h("h1", {}, "My pending invitations"), messages.el, table.el);
  return { el, cleanup: () => ctx.events.removeEventListener("invitation-received", onReceived) };
}
