// The Send Invitation dialog: find people, pick several, choose a role, see each result.
import { busy, clear, h, messageBox, modal } from "../dom.js";
import { isUserError, unwrap } from "../graphql.js";
import { SEND_INVITATIONS, USERS } from "../operations.js";

const SEARCH_DELAY_MS = 250;

export function sendInvitationDialog(ctx, domain, onSent) {
  const messages = messageBox();
  const selected = new Map(); // id -> user, in the order picked
  let searchTimer = null;
  let searchSeq = 0;

  const search = h("input", {
    id: "user-search",
    type: "search",
    testid: "user-search",
    autocomplete: "off",
    placeholder: "Name or email (2+ characters)",
    "aria-describedby": "user-search-hint",
  });
  const found = h("ul", { className: "choices", "aria-label": "People found" });
  const chosen = h("ul", { className: "chips", "aria-label": "Selected people" });
  const role = h(
    "select",
    { id: "role-select", testid: "role-select", required: true },
    h("option", { value: "" }, "Choose a role"),
    domain.roles.map((r) => h("option", { value: r.id }, r.name)),
  );
  const submit = h(
    "button",
    { type: "submit", className: "primary", testid: "send-submit" },
    "Send",
  );
  const results = h("ul", { className: "results", "aria-live": "polite" });

  function updateSubmit() {
    submit.disabled = selected.size === 0 || !role.value;
  }

  function renderChosen() {
    clear(
      chosen,
      [...selected.values()].map((user) =>
        h(
          "li",
          { className: "chip" },
          user.name,
          h(
            "button",
            {
              type: "button",
              className: "icon",
              "aria-label": `Remove ${user.name}`,
              onclick: () => {
                selected.delete(user.id);
                renderChosen();
                renderFound(lastFound);
              },
            },
            "×",
          ),
        ),
      ),
    );
    updateSubmit();
  }

  let lastFound = [];
  function renderFound(users) {
    lastFound = users;
    clear(
      found,
      users.map((user) => {
        const box = h("input", {
          type: "checkbox",
          checked: selected.has(user.id),
          testid: "user-option",
        });
        box.addEventListener("change", () => {
          if (box.checked) selected.set(user.id, user);
          else selected.delete(user.id);
          renderChosen();
        });
        return h(
          "li",
          {},
          h(
            "label",
            { className: "choice" },
            box,
            h("span", {}, user.name),
            h("span", { className: "muted small" }, user.email),
          ),
        );
      }),
    );
  }

  async function runSearch() {
    const text = search.value.trim();
    const seq = ++searchSeq;
    if (text.length < 2) return renderFound([]);
    try {
      const users = (await ctx.api.request(USERS, { search: text })).users;
      if (seq !== searchSeq) return; // a newer search is under way
      const me = ctx.session.user?.id;
      renderFound(users.filter((u) => u.id !== me));
      if (!users.length) clear(found, h("li", { className: "muted" }, "Nobody matches."));
    } catch (err) {
      messages.error(err);
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  role.addEventListener("change", updateSubmit);

  async function onsubmit(event) {
    event.preventDefault();
    const invitees = [...selected.values()];
    await busy(
      submit,
      async () => {
        const payload = unwrap(
          (
            await ctx.api.request(SEND_INVITATIONS, {
              domainId: domain.id,
              inviteeIds: invitees.map((u) => u.id),
              roleId: role.value,
            })
          ).sendInvitations,
        );
        // One result per invitee, in input order.
        clear(
          results,
          payload.results.map((result, i) =>
            h(
              "li",
              {
                testid: "send-result",
                className: isUserError(result) ? "result error" : "result ok",
              },
              h("strong", {}, invitees[i].name),
              ": ",
              isUserError(result) ? result.message : "invited",
            ),
          ),
        );
        const sent = payload.results.filter((r) => !isUserError(r)).length;
        messages.info(`${sent} of ${invitees.length} invitations sent.`);
        for (const [i, result] of payload.results.entries())
          if (!isUserError(result)) selected.delete(invitees[i].id);
        renderChosen();
        renderFound(lastFound);
        await onSent();
      },
      messages,
    );
    updateSubmit();
  }

  updateSubmit();
  const form = h(
    "form",
    { className: "stack", onsubmit, id: "send-invitation-form" },
    h("label", { className: "field", for: "user-search" }, h("span", {}, "Users"), search),
    h(
      "p",
      { id: "user-search-hint", className: "muted small" },
      "Search by name or email, then tick everyone to invite.",
    ),
    found,
    chosen,
    h("label", { className: "field", for: "role-select" }, h("span", {}, "Role"), role),
    messages.el,
    results,
  );
  const done = h("button", { type: "button", onclick: () => dialog.close() }, "Close");
  submit.setAttribute("form", "send-invitation-form");
  const dialog = modal({
    title: `Invite people to ${domain.name}`,
    body: form,
    actions: [done, submit],
    testid: "send-dialog",
  });
  search.focus();
  return dialog;
}
