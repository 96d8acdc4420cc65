// A domain's Members tab.
import { h } from "../dom.js";
import { clip, nothing, when } from "../format.js";
import { MEMBERS } from "../operations.js";
import { busy } from "../states.js";
import { dataTable, pagedTable } from "../table.js";
import { can } from "./access.js";
import { keepCurrent, liveNote } from "./live.js";

const MEMBERS_PAGE = 20;

function memberRow(ctx, member) {
  const you = ctx.session.user?.id === member.user.id;
  return h(
    "tr",
    { testid: "member-row", "data-email": member.user.email },
    h(
      "td",
      {},
      clip(member.user.name),
      you ? h("span", { className: "muted small" }, " (you)") : null,
    ),
    h("td", {}, clip(member.user.email)),
    h("td", {}, clip(member.role.name)),
    h("td", {}, when(member.joinedAt)),
    h("td", {}, member.invitedBy ? clip(member.invitedBy.name) : nothing("nobody")),
  );
}

export function membersTab(ctx, domain) {
  if (!can(domain, "MEMBER_READ")) {
    return {
      el: h("p", { className: "empty" }, "Your role does not let you see this domain's members."),
      refresh: () => {},
      cleanup: () => {},
    };
  }
  const note = liveNote();
  const table = pagedTable({
    fetchPage: async (after) =>
      (await ctx.api.request(MEMBERS, { domainId: domain.id, first: MEMBERS_PAGE, after })).members,
    table: (connection) =>
      dataTable({
        testid: "members-table",
        columns: ["Name", "Email", "Role", "Joined", "Invited by"],
        rows: connection.nodes.map((member) => memberRow(ctx, member)),
      }),
  });
  table.reload();
  // New members arrive through accepted invitations.
  const stop = can(domain, "INVITATION_READ")
    ? keepCurrent(ctx, domain, table.reload, note)
    : () => {};
  const refresh = h(
    "button",
    { type: "button", onclick: () => busy(refresh, table.reload) },
    "Refresh",
  );
  return {
    el: h(
      "div",
      {},
      h("div", { className: "toolbar" }, h("span", { className: "grow" }), refresh),
      note,
      table.el,
    ),
    refresh: table.reload,
    cleanup: stop,
  };
}
