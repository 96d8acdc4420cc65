// "View All": every pending invitation of the caller, ten a page.
import { focusInList, h } from "../dom.js";
import { clip, expiry, inviterMessage, resentMarker, sentAt, when } from "../format.js";
import { PENDING_INVITATIONS } from "../operations.js";
import { messageBox } from "../states.js";
import { dataTable, pagedTable } from "../table.js";
import { answerButtons } from "./answer.js";
import { markSeen } from "./seen.js";

const PAGE_SIZE = 10;

export function pendingView(ctx) {
  const messages = messageBox();
  const heading = h("h1", { tabindex: "-1" }, "My pending invitations");
  const rows = () => [...table.el.querySelectorAll("tr[data-id]")];

  // Focus moves to the invitation that took the answered one's place, else to the heading.
  async function answered(invitation) {
    const index = rows().findIndex((row) => row.dataset.id === invitation.id);
    await table.reload();
    focusInList(rows(), index, heading);
  }

  const row = (invitation) =>
    h(
      "tr",
      { testid: "pending-item", "data-id": invitation.id },
      h("td", {}, clip(invitation.domain.name), " ", resentMarker(invitation)),
      h("td", {}, clip(invitation.role.name)),
      h(
        "td",
        {},
        h("div", {}, clip(invitation.invitedBy.name), inviterMessage(invitation.message)),
      ),
      h("td", {}, h("div", {}, when(sentAt(invitation)), " ", expiry(invitation))),
      h(
        "td",
        {},
        h(
          "div",
          { className: "row-actions" },
          answerButtons(ctx, invitation, messages, () => answered(invitation)),
        ),
      ),
    );

  const table = pagedTable({
    fetchPage: async (after) => {
      const page = (await ctx.api.request(PENDING_INVITATIONS, { first: PAGE_SIZE, after }))
        .pendingInvitations;
      markSeen(ctx, page.nodes);
      return page;
    },
    table: (connection) =>
      connection.totalCount === 0
        ? h("p", { className: "empty", testid: "empty-state" }, "You have no pending invitations.")
        : dataTable({
            testid: "my-invitations-table",
            columns: ["Domain", "Role", "Invited by", "Received", "Answer"],
            rows: connection.nodes.map(row),
          }),
  });

  const onReceived = () => table.reload();
  ctx.events.addEventListener("invitation-received", onReceived);
  table.reload();
  return {
    el: h("section", {}, heading, messages.el, table.el),
    refresh: table.reload,
    cleanup: () => ctx.events.removeEventListener("invitation-received", onReceived),
  };
}
