// A domain's Invitations tab: status filter, the table (each row's history in a details row),
// Resend and Delete, and the Send Invitation dialog.
import { confirmDialog } from "../dialogs.js";
import { focusInList, h, uniqueId } from "../dom.js";
import {
  clip,
  deliveryBadge,
  deliverySummary,
  expiry,
  invitee,
  inviteeName,
  inviterMessage,
  resentMarker,
  statusBadge,
  when,
} from "../format.js";
import { unwrap } from "../graphql.js";
import { DELETE, INVITATIONS, RESEND } from "../operations.js";
import { busy, messageBox } from "../states.js";
import { dataTable, expandable, pagedTable } from "../table.js";
import { can } from "./access.js";
import { keepCurrent, liveNote } from "./live.js";

const INVITATIONS_PAGE = 10;
const STATUSES = [
  ["", "All"],
  ["PENDING", "Pending"],
  ["ACCEPTED", "Accepted"],
  ["REJECTED", "Rejected"],
  ["EXPIRED", "Expired"],
];
const EVENT_LABEL = {
  SENT: "Sent",
  RESENT: "Resent",
  ACCEPTED: "Accepted",
  REJECTED: "Declined",
  DELETED: "Deleted",
  EXPIRED: "Expired",
  CLAIMED: "Claimed",
};

// A declined or expired invitation can be sent again (same invitation, pending anew).
const RESEND_ACTION = {
  mutation: RESEND,
  field: "resendInvitation",
  testid: "resend-button",
  title: "Resend invitation",
  confirmLabel: "Resend",
  text: (who) => `This will resend the invitation to ${who}.`,
  done: (who) => `Invitation resent to ${who}.`,
};

const ROW_ACTIONS = {
  REJECTED: RESEND_ACTION,
  EXPIRED: RESEND_ACTION,
  PENDING: {
    mutation: DELETE,
    field: "deleteInvitation",
    testid: "delete-button",
    title: "Delete invitation",
    confirmLabel: "Delete",
    danger: true,
    text: (who) => `This will delete the pending invitation to ${who}.`,
    done: (who) => `Invitation to ${who} deleted.`,
  },
};

function history(invitation) {
  return h(
    "ol",
    { className: "history", testid: "history" },
    invitation.history.map((event) =>
      h(
        "li",
        { testid: "history-event", "data-kind": event.kind },
        h("strong", {}, EVENT_LABEL[event.kind] ?? event.kind),
        event.actor ? [" by ", clip(event.actor.name)] : null,
        " · ",
        when(event.at),
      ),
    ),
  );
}

// The details panel: the inviter's message, the history, and how the e-mail fared (the mail
// server's last answer included, for screens without hover).
function details(invitation) {
  const delivery = invitation.emailDelivery;
  return [
    inviterMessage(invitation.message),
    history(invitation),
    delivery
      ? h(
          "p",
          { className: "wrap small detail-note", testid: "email-delivery-detail" },
          deliverySummary(delivery),
        )
      : null,
  ];
}

const COLUMNS = [
  "Invitee",
  "Role",
  "Invited by",
  "Status",
  "Created",
  "Confirmed at",
  "Rejected at",
  "Actions",
];

// An invitation's row, and below it the details row with its history.
function invitationRows(invitation, open, action) {
  const more = expandable({
    key: invitation.id,
    colspan: COLUMNS.length,
    content: details(invitation),
    open,
    text: "History",
    label: `History of the invitation to ${inviteeName(invitation)}`,
    testid: "history-button",
  });
  const badges = [
    statusBadge(invitation.status),
    resentMarker(invitation),
    deliveryBadge(invitation.emailDelivery),
  ];
  const row = h(
    "tr",
    {
      testid: "invitation-row",
      "data-id": invitation.id,
      "data-status": invitation.status,
      "data-invitee": invitation.inviteeEmail,
    },
    h("td", {}, invitee(invitation)),
    h("td", {}, clip(invitation.role.name)),
    h("td", {}, clip(invitation.invitedBy.name)),
    h("td", {}, h("div", {}, h("span", { className: "badges" }, badges), expiry(invitation))),
    h("td", {}, when(invitation.createdAt)),
    h("td", {}, when(invitation.confirmedAt)),
    h("td", {}, when(invitation.rejectedAt)),
    h("td", {}, h("div", { className: "row-actions" }, more.toggle, action)),
  );
  return [row, more.row];
}

export function invitationsTab(ctx, domain) {
  const send = can(domain, "INVITATION_SEND")
    ? h(
        "button",
        { type: "button", className: "primary", testid: "send-invitation-button" },
        "Send Invitation",
      )
    : null;
  const messages = messageBox();
  if (!can(domain, "INVITATION_READ")) {
    send?.addEventListener("click", () => sendDialog(ctx, domain, async () => {}, messages));
    const why = "Your role does not let you see this domain's invitations.";
    return {
      el: h("div", {}, send, messages.el, h("p", { className: "empty" }, why)),
      refresh: () => {},
      cleanup: () => {},
    };
  }
  const manage = can(domain, "INVITATION_MANAGE");
  const note = liveNote();
  const open = new Set(); // invitations whose history is shown, kept across reloads
  const filter = h(
    "select",
    { id: uniqueId("status-filter"), testid: "status-filter" },
    STATUSES.map(([value, label]) => h("option", { value }, label)),
  );
  filter.addEventListener("change", () => table.reset());
  const rowsOnScreen = () => [...table.el.querySelectorAll("tr[data-id]")];

  // Confirmed first; afterwards focus stays on the row (or the one that took its place).
  async function act(button, invitation, action) {
    const who = inviteeName(invitation);
    const { title, confirmLabel, danger } = action;
    if (!(await confirmDialog({ title, text: action.text(who), confirmLabel, danger }))) return;
    const before = rowsOnScreen().findIndex((row) => row.dataset.id === invitation.id);
    await busy(
      button,
      async () => {
        const result = await ctx.api.request(action.mutation, { invitationId: invitation.id });
        unwrap(result[action.field]);
        messages.info(action.done(who));
        await table.reload();
      },
      messages,
    );
    const rows = rowsOnScreen();
    const same = rows.findIndex((row) => row.dataset.id === invitation.id);
    focusInList(rows, same >= 0 ? same : before, filter);
  }

  // Resend or Delete, when the caller's role manages invitations and the status allows it.
  function actionButton(invitation) {
    const action = manage ? ROW_ACTIONS[invitation.status] : null;
    if (!action) return null;
    const button = h(
      "button",
      {
        type: "button",
        className: action.danger ? "danger" : null,
        testid: action.testid,
        "aria-label": `${action.confirmLabel} the invitation to ${inviteeName(invitation)}`,
      },
      action.confirmLabel,
    );
    button.addEventListener("click", () => act(button, invitation, action));
    return button;
  }

  const table = pagedTable({
    fetchPage: async (after) => {
      const variables = {
        domainId: domain.id,
        status: filter.value || null,
        first: INVITATIONS_PAGE,
        after,
      };
      return (await ctx.api.request(INVITATIONS, variables)).invitations;
    },
    table: (connection) =>
      dataTable({
        testid: "invitations-table",
        columns: COLUMNS,
        empty: filter.value ? "No invitations with this status." : "No invitations yet.",
        rows: connection.nodes.flatMap((inv) => invitationRows(inv, open, actionButton(inv))),
      }),
    lines: 5,
  });

  send?.addEventListener("click", () => sendDialog(ctx, domain, table.reload, messages));
  const refresh = h(
    "button",
    { type: "button", onclick: () => busy(refresh, table.reload) },
    "Refresh",
  );
  table.reload();
  const stop = keepCurrent(ctx, domain, table.reload, note);
  const el = h(
    "div",
    {},
    h(
      "div",
      { className: "toolbar" },
      h(
        "label",
        { className: "field inline-field", for: filter.id },
        h("span", {}, "Status"),
        filter,
      ),
      h("span", { className: "grow" }),
      refresh,
      send,
    ),
    note,
    messages.el,
    table.el,
  );
  return { el, refresh: table.reload, cleanup: stop };
}

// The Send Invitation dialog's module loads when it is first opened.
async function sendDialog(ctx, domain, onSent, messages) {
  let send;
  try {
    send = await import("./send.js");
  } catch {
    messages.error(
      new Error("The Send Invitation dialog could not be loaded. Check your connection."),
    );
    return;
  }
  send.sendInvitationDialog(ctx, domain, onSent);
}
