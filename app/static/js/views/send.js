// The Send Invitation dialog: find people, pick several, choose a role, see each result.
// Escape closes it from any field, the search box included, as in every dialog.
import { modal } from "../dialogs.js";
import { clear, h } from "../dom.js";
import { field, lengthLimit } from "../fields.js";
import { clip, plural } from "../format.js";
import { isUserError, unwrap } from "../graphql.js";
import { SEND_INVITATIONS, USERS } from "../operations.js";
import { busy, messageBox } from "../states.js";

const SEARCH_DELAY_MS = 250;
const SEARCH_MIN = 2;
const SEARCH_MAX = 100; // the API's users(search:) takes 2 to 100 characters

export function sendInvitationDialog(ctx, domain, onSent) {
  const messages = messageBox();
  const selected = new Map(); // id -> user, in the order picked
  let searchTimer = null;
  let searchSeq = 0;
  let lastFound = [];

  // A text box rather than type=search, whose first Escape would only clear it.
  const search = h("input", {
    id: "user-search",
    type: "text",
    inputmode: "search",
    enterkeyhint: "search",
    testid: "user-search",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: `Name or email (${SEARCH_MIN}+ characters)`,
    "aria-describedby": "user-search-hint",
  });
  const limit = lengthLimit(search, { max: SEARCH_MAX, what: "A search", blocks: false });
  const found = h("ul", {
    className: "choices",
    "aria-label": "People found",
    testid: "people-found",
  });
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
          clip(user.name),
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

  function option(user) {
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
      h("label", { className: "choice" }, box, clip(user.name), clip(user.email, "muted small")),
    );
  }

  function renderFound(users, { searched = false } = {}) {
    lastFound = users;
    if (searched && !users.length)
      return clear(found, h("li", { className: "muted" }, "Nobody matches."));
    clear(found, users.map(option));
  }

  async function runSearch() {
    const text = search.value.trim();
    searchSeq += 1;
    const seq = searchSeq;
    if (text.length < SEARCH_MIN || !limit.check()) return renderFound([]);
    try {
      const users = (await ctx.api.request(USERS, { search: text })).users;
      if (seq !== searchSeq) return; // a newer search is under way
      const me = ctx.session.user?.id;
      renderFound(
        users.filter((u) => u.id !== me),
        { searched: true },
      );
    } catch (err) {
      messages.error(err);
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  role.addEventListener("change", updateSubmit);

  function showResults(invitees, payload) {
    // One result per invitee, in input order.
    clear(
      results,
      payload.results.map((result, i) =>
        h(
          "li",
          { testid: "send-result", className: isUserError(result) ? "result error" : "result ok" },
          h("strong", {}, clip(invitees[i].name)),
          ": ",
          isUserError(result) ? result.message : "invited",
        ),
      ),
    );
    const sent = payload.results.filter((r) => !isUserError(r)).length;
    messages.info(`${sent} of ${invitees.length} ${plural(invitees.length, "invitation")} sent.`);
    for (const [i, result] of payload.results.entries()) {
      if (!isUserError(result)) selected.delete(invitees[i].id);
    }
  }

  async function onsubmit(event) {
    event.preventDefault();
    const invitees = [...selected.values()];
    await busy(
      submit,
      async () => {
        const variables = {
          domainId: domain.id,
          inviteeIds: invitees.map((u) => u.id),
          roleId: role.value,
        };
        const payload = unwrap(
          (await ctx.api.request(SEND_INVITATIONS, variables)).sendInvitations,
        );
        showResults(invitees, payload);
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
    h(
      "div",
      { className: "field" },
      h("label", { for: "user-search" }, "Users"),
      search,
      limit.hint,
    ),
    h(
      "p",
      { id: "user-search-hint", className: "muted small" },
      `Search by name or email (${SEARCH_MIN} to ${SEARCH_MAX} characters), then tick everyone to invite.`,
    ),
    found,
    chosen,
    field("Role", role),
    messages.el,
    results,
  );
  submit.setAttribute("form", "send-invitation-form");
  const dialog = modal({
    title: `Invite people to ${domain.name}`,
    body: form,
    actions: [h("button", { type: "button", onclick: () => dialog.close() }, "Close"), submit],
    testid: "send-dialog",
  });
  search.focus();
  return dialog;
}
