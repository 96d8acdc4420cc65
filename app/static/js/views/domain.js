// Inside a domain: the Invitations table, the Send Invitation dialog and the Members table.
import { h, clear, busy, messageBox, when, person, statusBadge, confirmDialog, dataTable, Pager, pagerControls } from "../dom.js";
import { unwrap } from "../graphql.js";
import { DOMAIN, INVITATIONS, RESEND, DELETE, MEMBERS, INVITATION_EVENTS } from "../operations.js";
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
      clear(content, h("p", { className: "empty" }, "This domain does not exist or you are not a member of it."));
      return;
    }
    title.textContent = domain.name;
    const view = tab === "members" ? membersTable(ctx, domain) : invitationsTable(ctx, domain);
    stops.push(view.cleanup);
    clear(content, view.el);
  })();

  const tabLink = (name, label) => h("a", {
    href: `#/domains/${encodeURIComponent(domainId)}/${name}`,
    className: "tab",
    "aria-current": tab === name ? "page" : null,
  }, label);

  const el = h("section", {},
    h("p", { className: "crumbs" }, h("a", { href: "#/domains" }, "Domains"), " / "),
    title,
    h("nav", { className: "tabs", "aria-label": "Domain sections" }, tabLink("invitations", "Invitations"), tabLink("members", "Members")),
    messages.el,
    content);
  return { el, cleanup: () => stops.forEach((stop) => stop()) };
}

// Keeps a table current: invitationEvents when the server offers it, else a poll.
function keepCurrent(ctx, domain, reload, note) {
  let timer = null;
  let pending = null;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(reload, 150); // one reload for a burst of events
  };
  const stop = ctx.live?.subscribe(INVITATION_EVENTS, { domainId: domain.id }, {
    next: soon,
    resumed: soon,
    error: (err) => {
      note.textContent = `Live updates unavailable (${err.message}); refreshing every ${POLL_MS / 1000} s.`;
      note.hidden = false;
      timer = setInterval(reload, POLL_MS);
    },
  });
  return () => {
    stop?.();
    clearInterval(timer);
    clearTimeout(pending);
  };
}

function can(domain, action) {
  return domain.myRole?.actions.includes(action) ?? false;
}

function invitationsTable(ctx, domain) {
  const pager = new Pager();
  const messages = messageBox();
  const note = h("p", { className: "muted small", hidden: true, testid: "live-note" });
  const body = h("div", {});
  const manage = can(domain, "INVITATION_MANAGE");
  const filter = h("select", { id: "status-filter", testid: "status-filter" },
    h("option", { value: "" }, "All"),
    h("option", { value: "PENDING" }, "Pending"),
    h("option", { value: "ACCEPTED" }, "Accepted"),
    h("option", { value: "REJECTED" }, "Rejected"));
  filter.addEventListener("change", () => {
    pager.reset();
    reload();
  });

  async function act(button, invitation, { mutation, field, title, text, confirmLabel, done, danger }) {
    if (!(await confirmDialog({ title, text, confirmLabel, danger }))) return;
    await busy(button, async () => {
      unwrap((await ctx.api.request(mutation, { invitationId: invitation.id }))[field]);
      messages.info(done);
      await reload();
    }, messages);
  }

  function actions(invitation) {
    if (!manage) return null;
    const who = invitation.invitee.name;
    if (invitation.status === "REJECTED") {
      const resend = h("button", { type: "button", testid: "resend-button", "aria-label": `Resend the invitation to ${who}` }, "Resend");
      resend.addEventListener("click", () => act(resend, invitation, {
        mutation: RESEND, field: "resendInvitation", title: "Resend invitation",
        text: `This will resend the invitation to ${who}.`, confirmLabel: "Resend", done: `Invitation resent to ${who}.`,
      }));
      return resend;
    }
    if (invitation.status === "PENDING") {
      const remove = h("button", { type: "button", className: "danger", testid: "delete-button", "aria-label": `Delete the invitation to ${who}` }, "Delete");
      remove.addEventListener("click", () => act(remove, invitation, {
        mutation: DELETE, field: "deleteInvitation", title: "Delete invitation", danger: true,
        text: `This will delete the pending invitation to ${who}.`, confirmLabel: "Delete", done: `Invitation to ${who} deleted.`,
      }));
      return remove;
    }
    return null;
  }

  async function reload() {
    const connection = await pager.load(async (after) => (await ctx.api.request(INVITATIONS, {
      domainId: domain.id, status: filter.value || null, first: INVITATIONS_PAGE, after,
    })).invitations, messages);
    if (!connection) return;
    clear(body,
      dataTable({
        testid: "invitations-table",
        columns: ["Invitee", "Role", "Invited by", "Status", "Created", "Confirmed at", "Rejected at", manage ? "Actions" : null],
        empty: "No invitations.",
        rows: connection.nodes.map((inv) => h("tr", { testid: "invitation-row", "data-status": inv.status, "data-invitee": inv.invitee.email },
          h("td", {}, person(inv.invitee)),
          h("td", {}, inv.role.name),
          h("td", {}, inv.invitedBy.name),
          h("td", {}, statusBadge(inv.status)),
          h("td", {}, when(inv.createdAt)),
          h("td", {}, when(inv.confirmedAt)),
          h("td", {}, when(inv.rejectedAt)),
          manage ? h("td", {}, h("div", { className: "row-actions" }, actions(inv))) : null)),
      }),
      pagerControls(pager, connection, reload));
  }

  const send = can(domain, "INVITATION_SEND")
    ? h("button", {
        type: "button", className: "primary", testid: "send-invitation-button",
        onclick: () => sendInvitationDialog(ctx, domain, reload),
      }, "Send Invitation")
    : null;
  const refresh = h("button", { type: "button", onclick: () => busy(refresh, reload) }, "Refresh");

  if (!can(domain, "INVITATION_READ")) {
    return {
      el: h("div", {}, send, h("p", { className: "empty" }, "Your role does not let you see this domain's invitations.")),
      cleanup: () => {},
    };
  }
  reload();
  const stop = keepCurrent(ctx, domain, reload, note);
  const el = h("div", {},
    h("div", { className: "toolbar" },
      h("label", { className: "field inline-field", for: "status-filter" }, h("span", {}, "Status"), filter),
      h("span", { className: "grow" }),
      refresh,
      send),
    note,
    messages.el,
    body);
  return { el, cleanup: stop };
}

function membersTable(ctx, domain) {
  const pager = new Pager();
  const messages = messageBox();
  const note = h("p", { className: "muted small", hidden: true });
  const body = h("div", {});

  async function reload() {
    const connection = await pager.load(async (after) => (await ctx.api.request(MEMBERS, {
      domainId: domain.id, first: MEMBERS_PAGE, after,
    })).members, messages);
    if (!connection) return;
    clear(body,
      dataTable({
        testid: "members-table",
        columns: ["Name", "Email", "Role", "Joined", "Invited by"],
        rows: connection.nodes.map((m) => h("tr", { testid: "member-row", "data-email": m.user.email },
          h("td", {}, m.user.name, ctx.session.user?.id === m.user.id ? h("span", { className: "muted small" }, " (you)") : null),
          h("td", {}, m.user.email),
          h("td", {}, m.role.name),
          h("td", {}, when(m.joinedAt)),
          h("td", {}, m.invitedBy?.name ?? h("span", { className: "muted" }, "—")))),
      }),
      pagerControls(pager, connection, reload));
  }

  if (!can(domain, "MEMBER_READ")) {
    return { el: h("p", { className: "empty" }, "Your role does not let you see this domain's members."), cleanup: () => {} };
  }
  reload();
  // New members arrive through accepted invitations.
  const stop = can(domain, "INVITATION_READ") ? keepCurrent(ctx, domain, reload, note) : () => {};
  const refresh = h("button", { type: "button", onclick: () => busy(refresh, reload) }, "Refresh");
  return { el: h("div", {}, h("div", { className: "toolbar" }, h("span", { className: "grow" }), refresh), note, messages.el, body), cleanup: stop };
}
