// Inside a domain: the Invitations table, the Send Invitation dialog and the Members table.
import {
  busy,
  clear,
  confirmDialog,
  dataTable,
  h,
  messageBox,
  pagedTable,
  person,
  statusBadge,
  when,
} from "../dom.js";
import { unwrap } from "../graphql.js";
import { DELETE, DOMAIN, INVITATION_EVENTS, INVITATIONS, MEMBERS, RESEND } from "../operations.js";
import { sendInvitationDialog } from "./send.js";

const INVITATIONS_PAGE = 10;
const MEMBERS_PAGE = 20;
const POLL_MS = 15_000;

export function domainView(ctx, domainId, tab) {
  const messages = messageBox();
  const content = h("div", {}, h("p", { className: "muted" }, "Loading…"));
  const title = h("h1", {}, "Domain");
  const stops = [];

  (async () => {
    let domain;
    try {
      domain = (await ctx.api.request(DOMAIN, { id: domainId })).domain;
    } catch (err) {
      messages.error(err);
      return;
    }
    if (!domain) {
      clear(
        content,
        h("p", { className: "empty" }, "This domain does not exist or you are not a member of it."),
      );
      return;
    }
    title.textContent = domain.name;
    const view = tab === "members" ? membersTable(ctx, domain) : invitationsTable(ctx, domain);
    stops.push(view.cleanup);
    clear(content, view.el);
  })();

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
    messages.el,
    content,
  );
  return {
    el,
    cleanup: () => {
      for (const stop of stops) stop();
    },
  };
}

// Keeps a table current: invitationEvents when the server offers it, else a poll.
function keepCurrent(ctx, domain, reload, note) {
  let timer = null;
  let pending = null;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(reload, 150); // one reload for a burst of events
  };
  const stop = ctx.live?.subscribe(
    INVITATION_EVENTS,
    { domainId: domain.id },
    {
      next: soon,
      resumed: soon,
      error: (err) => {
        const every = `${POLL_MS / 1000} s`;
        note.textContent = `Live updates unavailable (${err.message}); refreshing every ${every}.`;
        note.hidden = false;
        timer = setInterval(reload, POLL_MS);
      },
    },
  );
  return () => {
    stop?.();
    clearInterval(timer);
    clearTimeout(pending);
  };
}

function can(domain, action) {
  return domain.myRole?.actions.includes(action) ?? false;
}

const ROW_ACTIONS = {
  REJECTED: {
    mutation: RESEND,
    field: "resendInvitation",
    testid: "resend-button",
    title: "Resend invitation",
    confirmLabel: "Resend",
    text: (who) => `This will resend the invitation to ${who}.`,
    done: (who) => `Invitation resent to ${who}.`,
  },
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

function invitationsTable(ctx, domain) {
  const messages = messageBox();
  const note = h("p", { className: "muted small", hidden: true, testid: "live-note" });
  const manage = can(domain, "INVITATION_MANAGE");
  const filter = h(
    "select",
    { id: "status-filter", testid: "status-filter" },
    h("option", { value: "" }, "All"),
    h("option", { value: "PENDING" }, "Pending"),
    h("option", { value: "ACCEPTED" }, "Accepted"),
    h("option", { value: "REJECTED" }, "Rejected"),
  );
  filter.addEventListener("change", () => table.reset());

  // Resend on rejected rows, Delete on pending ones, each confirmed first.
  async function act(button, invitation, action) {
    const who = invitation.invitee.name;
    const { title, confirmLabel, danger } = action;
    if (!(await confirmDialog({ title, text: action.text(who), confirmLabel, danger }))) return;
    await busy(
      button,
      async () => {
        unwrap(
          (await ctx.api.request(action.mutation, { invitationId: invitation.id }))[action.field],
        );
        messages.info(action.done(who));
        await reload();
      },
      messages,
    );
  }

  function actions(invitation) {
    const action = manage ? ROW_ACTIONS[invitation.status] : null;
    if (!action) return null;
    const button = h(
      "button",
      {
        type: "button",
        className: action.danger ? "danger" : null,
        testid: action.testid,
        "aria-label": `${action.confirmLabel} the invitation to ${invitation.invitee.name}`,
      },
      action.confirmLabel,
    );
    button.addEventListener("click", () => act(button, invitation, action));
    return button;
  }

  const table = pagedTable({
    messages,
    fetchPage: async (after) =>
      (
        await ctx.api.request(INVITATIONS, {
          domainId: domain.id,
          status: filter.value || null,
          first: INVITATIONS_PAGE,
          after,
        })
      ).invitations,
    table: (connection) =>
      dataTable({
        testid: "invitations-table",
        columns: [
          "Invitee",
          "Role",
          "Invited by",
          "Status",
          "Created",
          "Confirmed at",
          "Rejected at",
          manage ? "Actions" : null,
        ],
        empty: "No invitations.",
        rows: connection.nodes.map((inv) =>
          h(
            "tr",
            {
              testid: "invitation-row",
              "data-status": inv.status,
              "data-invitee": inv.invitee.email,
            },
            h("td", {}, person(inv.invitee)),
            h("td", {}, inv.role.name),
            h("td", {}, inv.invitedBy.name),
            h("td", {}, statusBadge(inv.status)),
            h("td", {}, when(inv.createdAt)),
            h("td", {}, when(inv.confirmedAt)),
            h("td", {}, when(inv.rejectedAt)),
            manage ? h("td", {}, h("div", { className: "row-actions" }, actions(inv))) : null,
          ),
        ),
      }),
  });
  const reload = table.reload;

  const send = can(domain, "INVITATION_SEND")
    ? h(
        "button",
        {
          type: "button",
          className: "primary",
          testid: "send-invitation-button",
          onclick: () => sendInvitationDialog(ctx, domain, reload),
        },
        "Send Invitation",
      )
    : null;
  const refresh = h("button", { type: "button", onclick: () => busy(refresh, reload) }, "Refresh");

  if (!can(domain, "INVITATION_READ")) {
    return {
      el: h(
        "div",
        {},
        send,
        h("p", { className: "empty" }, "Your role does not let you see this domain's invitations."),
      ),
      cleanup: () => {},
    };
  }
  reload();
  const stop = keepCurrent(ctx, domain, reload, note);
  const el = h(
    "div",
    {},
    h(
      "div",
      { className: "toolbar" },
      h(
        "label",
        { className: "field inline-field", for: "status-filter" },
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
  return { el, cleanup: stop };
}

function membersTable(ctx, domain) {
  const messages = messageBox();
  const note = h("p", { className: "muted small", hidden: true });
  const table = pagedTable({
    messages,
    fetchPage: async (after) =>
      (
        await ctx.api.request(MEMBERS, {
          domainId: domain.id,
          first: MEMBERS_PAGE,
          after,
        })
      ).members,
    table: (connection) =>
      dataTable({
        testid: "members-table",
        columns: ["Name", "Email", "Role", "Joined", "Invited by"],
        rows: connection.nodes.map((m) =>
          h(
            "tr",
            { testid: "member-row", "data-email": m.user.email },
            h(
              "td",
              {},
              m.user.name,
              ctx.session.user?.id === m.user.id
                ? h("span", { className: "muted small" }, " (you)")
                : null,
            ),
            h("td", {}, m.user.email),
            h("td", {}, m.role.name),
            h("td", {}, when(m.joinedAt)),
            h("td", {}, m.invitedBy?.name ?? h("span", { className: "muted" }, "—")),
          ),
        ),
      }),
  });
  const reload = table.reload;

  if (!can(domain, "MEMBER_READ")) {
    return {
      el: h("p", { className: "empty" }, "Your role does not let you see this domain's members."),
      cleanup: () => {},
    };
  }
  reload();
  // New members arrive through accepted invitations.
  const stop = can(domain, "INVITATION_READ") ? keepCurrent(ctx, domain, reload, note) : () => {};
  const refresh = h("button", { type: "button", onclick: () => busy(refresh, reload) }, "Refresh");
  return {
    el: h(
      "div",
      {},
      h("div", { className: "toolbar" }, h("span", { className: "grow" }), refresh),
      note,
      messages.el,
      table.el,
    ),
    cleanup: stop,
  };
}
