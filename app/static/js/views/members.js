// A domain's Members tab: the members, kept live through memberEvents; Change role and Remove
// (each confirmed) for holders of MEMBER_MANAGE, and Leave domain for the caller.
import { confirmDialog, modal } from "../dialogs.js";
import { focusInList, h, uniqueId } from "../dom.js";
import { field } from "../fields.js";
import { clip, nothing, when } from "../format.js";
import { unwrap } from "../graphql.js";
import { CHANGE_MEMBER_ROLE, LEAVE_DOMAIN, MEMBERS, REMOVE_MEMBER } from "../operations.js";
import { busy, messageBox } from "../states.js";
import { dataTable, pagedTable } from "../table.js";
import { can } from "./access.js";
import { keepMembersCurrent, leaveFor, liveNote } from "./live.js";

const MEMBERS_PAGE = 20;

function memberRow(ctx, member, actions) {
  const you = ctx.session.user?.id === member.user.id;
  return h(
    "tr",
    {
      testid: "member-row",
      "data-id": member.user.id,
      "data-email": member.user.email,
      "data-role": member.role.name,
    },
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
    actions ? h("td", {}, h("div", { className: "row-actions" }, actions)) : null,
  );
}

// The domain's roles to choose from, the member's own first selected; Change role sends the
// choice, and a refusal (the last admin, the role ceiling) stays in the dialog, in words.
function roleDialog(ctx, domain, member, onChanged) {
  const name = member.user.name;
  const messages = messageBox();
  const formId = uniqueId("role-form");
  const choice = h(
    "select",
    { testid: "role-choice" },
    domain.roles.map((role) =>
      h("option", { value: role.id, selected: role.id === member.role.id }, role.name),
    ),
  );
  const submit = h(
    "button",
    { type: "submit", form: formId, className: "primary", testid: "confirm-button" },
    "Change role",
  );
  const unchanged = () => {
    submit.disabled = choice.value === member.role.id;
  };
  choice.addEventListener("change", unchanged);
  unchanged();

  async function onsubmit(event) {
    event.preventDefault();
    const role = domain.roles.find((r) => r.id === choice.value);
    await busy(
      submit,
      async () => {
        const variables = { domainId: domain.id, userId: member.user.id, roleId: role.id };
        unwrap((await ctx.api.request(CHANGE_MEMBER_ROLE, variables)).changeMemberRole);
        dialog.close(); // first, so that focus is back on the row's button when it is redrawn
        await onChanged(`${name} is now ${role.name}.`);
      },
      messages,
    );
    unchanged();
  }

  const dialog = modal({
    title: "Change role",
    body: h(
      "form",
      { className: "stack", id: formId, onsubmit },
      h("p", { className: "wrap" }, `${name}'s role in ${domain.name} is ${member.role.name}.`),
      field("New role", choice),
      messages.el,
    ),
    actions: [h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"), submit],
    testid: "role-dialog",
  });
  choice.focus();
}

export function membersTab(ctx, domain) {
  if (!can(domain, "MEMBER_READ")) {
    return {
      el: h("p", { className: "empty" }, "Your role does not let you see this domain's members."),
      refresh: () => {},
      cleanup: () => {},
    };
  }
  const manage = can(domain, "MEMBER_MANAGE");
  const messages = messageBox();
  const note = liveNote();
  const rowsOnScreen = () => [...table.el.querySelectorAll("tr[data-id]")];
  const done = async (text) => {
    messages.info(text);
    await table.reload();
  };

  async function remove(button, member) {
    const name = member.user.name;
    const confirmed = await confirmDialog({
      title: "Remove member",
      text: `${name} loses access to ${domain.name} at once. They can be invited again.`,
      confirmLabel: "Remove",
      danger: true,
    });
    if (!confirmed) return;
    const before = rowsOnScreen().findIndex((row) => row.dataset.id === member.user.id);
    const removed = await busy(
      button,
      async () => {
        const variables = { domainId: domain.id, userId: member.user.id };
        unwrap((await ctx.api.request(REMOVE_MEMBER, variables)).removeMember);
        await done(`${name} was removed from ${domain.name}.`);
        return true;
      },
      messages,
    );
    if (removed) focusInList(rowsOnScreen(), before, leave);
  }

  // Change role on every row, Remove on everyone else's (one's own is Leave domain).
  function actions(member) {
    if (!manage) return null;
    const name = member.user.name;
    const change = h(
      "button",
      { type: "button", testid: "change-role-button", "aria-label": `Change role of ${name}` },
      "Change role",
    );
    change.addEventListener("click", () => roleDialog(ctx, domain, member, done));
    if (member.user.id === ctx.session.user?.id) return [change];
    const removing = h(
      "button",
      {
        type: "button",
        className: "danger",
        testid: "remove-member-button",
        "aria-label": `Remove ${name}`,
      },
      "Remove",
    );
    removing.addEventListener("click", () => remove(removing, member));
    return [change, removing];
  }

  const table = pagedTable({
    fetchPage: async (after) =>
      (await ctx.api.request(MEMBERS, { domainId: domain.id, first: MEMBERS_PAGE, after })).members,
    table: (connection) =>
      dataTable({
        testid: "members-table",
        columns: ["Name", "Email", "Role", "Joined", "Invited by", manage ? "Actions" : null],
        rows: connection.nodes.map((member) => memberRow(ctx, member, actions(member))),
      }),
  });
  table.reload();
  const follow = () => keepMembersCurrent(ctx, domain, table.reload, note);
  let stop = follow();

  const leave = h(
    "button",
    { type: "button", className: "danger", testid: "leave-domain-button" },
    "Leave domain",
  );
  leave.addEventListener("click", async () => {
    const confirmed = await confirmDialog({
      title: `Leave ${domain.name}`,
      text: `You lose access to ${domain.name} at once; only a new invitation lets you back in.`,
      confirmLabel: "Leave domain",
      danger: true,
    });
    if (!confirmed) return;
    stop(); // the feed would otherwise report the departure as a removal
    const left = await busy(
      leave,
      async () =>
        unwrap((await ctx.api.request(LEAVE_DOMAIN, { domainId: domain.id })).leaveDomain),
      messages,
    );
    if (left) leaveFor(ctx, `You left ${domain.name}.`);
    else stop = follow();
  });
  const refresh = h(
    "button",
    { type: "button", onclick: () => busy(refresh, table.reload) },
    "Refresh",
  );
  return {
    el: h(
      "div",
      {},
      h("div", { className: "toolbar" }, h("span", { className: "grow" }), refresh, leave),
      note,
      messages.el,
      table.el,
    ),
    refresh: table.reload,
    cleanup: () => stop(),
  };
}
