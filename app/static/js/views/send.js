// The Send Invitation dialog: find people with an account (members and people already
// invited are marked and cannot be picked), type or paste addresses, choose a role, then see
// each result. Escape closes it from any field, the search box included, as in every dialog.
import { addressBox } from "../addresses.js";
import { modal } from "../dialogs.js";
import { clear, h } from "../dom.js";
import { field, lengthLimit } from "../fields.js";
import { clip, plural } from "../format.js";
import { isUserError, unwrap } from "../graphql.js";
import { INVITE_CANDIDATES, SEND_INVITATIONS } from "../operations.js";
import { busy, messageBox } from "../states.js";

const SEARCH_DELAY_MS = 250;
const SEARCH_MIN = 2;
const SEARCH_MAX = 100; // inviteCandidates(search:) takes 2 to 100 characters
const SHOWN = 10;
const SEND_MAX = 100; // people and addresses together, per sendInvitations
const MESSAGE_MAX = 500; // sendInvitations(message:), trimmed

// Why a candidate cannot be picked, if they cannot.
function unavailable(candidate) {
  if (candidate.isMember) return ["member", "already a member"];
  if (candidate.pendingInvitationId) return ["invited", "invited"];
  return null;
}

function foundStatus(shown, total) {
  if (!total) return "Nobody matches.";
  if (total > shown) return `Showing ${shown} of ${total} — refine your search.`;
  return `${total} ${plural(total, "person", "people")} found.`;
}

// How one result reads: the API's reason for a refusal; for an address, whether it belongs
// to an account (an ordinary invitation) or gets a link by e-mail.
function outcome(result, byAddress) {
  if (isUserError(result)) return result.message;
  if (!byAddress) return "invited";
  return result.invitee ? `invited (the account of ${result.invitee.name})` : "invited by e-mail";
}

export function sendInvitationDialog(ctx, domain, onSent) {
  const messages = messageBox();
  const selected = new Map(); // id -> user, in the order picked
  let searchTimer = null;
  let searchSeq = 0;
  let lastFound = null; // the last answer of inviteCandidates

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
  const status = h("p", {
    className: "muted small",
    role: "status",
    testid: "people-found-status",
  });
  const found = h("ul", {
    className: "choices",
    "aria-label": "People found",
    testid: "people-found",
  });
  const chosen = h("ul", { className: "chips", "aria-label": "Selected people" });
  const addresses = addressBox({ id: "invite-addresses", onInput: () => updateSubmit() });
  const note = h("textarea", { id: "invite-note", rows: 3, testid: "invite-note" });
  const noteLimit = lengthLimit(note, { max: MESSAGE_MAX, what: "A message", counted: true });
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
    submit.disabled = selected.size + addresses.count() === 0 || !role.value;
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

  function option(candidate) {
    const { user } = candidate;
    const taken = unavailable(candidate);
    const box = h("input", {
      type: "checkbox",
      checked: selected.has(user.id),
      disabled: Boolean(taken),
      testid: "user-option",
    });
    box.addEventListener("change", () => {
      if (box.checked) selected.set(user.id, user);
      else selected.delete(user.id);
      renderChosen();
    });
    return h(
      "li",
      { testid: "candidate", "data-state": taken ? taken[0] : "available" },
      h(
        "label",
        { className: taken ? "choice taken" : "choice" },
        box,
        clip(user.name),
        clip(user.email, "muted small"),
        taken ? h("span", { className: "badge badge-muted", testid: "taken" }, taken[1]) : null,
      ),
    );
  }

  function renderFound(answer) {
    lastFound = answer;
    if (!answer) {
      status.textContent = "";
      return clear(found);
    }
    status.textContent = foundStatus(answer.nodes.length, answer.totalCount);
    clear(found, answer.nodes.map(option));
  }

  async function runSearch() {
    const text = search.value.trim();
    searchSeq += 1;
    const seq = searchSeq;
    if (text.length < SEARCH_MIN || !limit.check()) return renderFound(null);
    try {
      const variables = { domainId: domain.id, search: text, first: SHOWN };
      const answer = (await ctx.api.request(INVITE_CANDIDATES, variables)).inviteCandidates;
      if (seq === searchSeq) renderFound(answer); // else a newer search is under way
    } catch (err) {
      messages.error(err);
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  role.addEventListener("change", updateSubmit);

  // One result per person picked, then one per address, as the API answers them.
  function showResults(invitees, emails, payload) {
    const labels = [...invitees.map((user) => user.name), ...emails];
    clear(
      results,
      payload.results.map((result, i) =>
        h(
          "li",
          { testid: "send-result", className: isUserError(result) ? "result error" : "result ok" },
          h("strong", {}, clip(labels[i])),
          ": ",
          outcome(result, i >= invitees.length),
        ),
      ),
    );
    const sent = payload.results.filter((r) => !isUserError(r)).length;
    messages.info(`${sent} of ${labels.length} ${plural(labels.length, "invitation")} sent.`);
    const failed = (i) => isUserError(payload.results[i]);
    for (const [i, user] of invitees.entries()) if (!failed(i)) selected.delete(user.id);
    addresses.keep(emails.filter((_, i) => failed(invitees.length + i)));
  }

  async function onsubmit(event) {
    event.preventDefault();
    const invitees = [...selected.values()];
    const emails = addresses.check();
    const count = invitees.length + emails.length;
    if (count > SEND_MAX) {
      messages.error(
        new Error(`At most ${SEND_MAX} people can be invited at once; this is ${count}.`),
      );
      return;
    }
    await busy(
      submit,
      async () => {
        const variables = {
          domainId: domain.id,
          inviteeIds: invitees.map((u) => u.id),
          emails,
          roleId: role.value,
          message: note.value.trim() || null,
        };
        const payload = unwrap(
          (await ctx.api.request(SEND_INVITATIONS, variables)).sendInvitations,
        );
        showResults(invitees, emails, payload);
        renderChosen();
        await Promise.all([runSearch(), onSent()]); // the people just invited now read "invited"
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
      h("label", { for: "user-search" }, "People with an account"),
      search,
      limit.hint,
    ),
    h(
      "p",
      { id: "user-search-hint", className: "muted small" },
      `Search by name or email (${SEARCH_MIN} to ${SEARCH_MAX} characters), then tick everyone to invite.`,
    ),
    h("div", { className: "search-results" }, status, found, chosen),
    h(
      "div",
      { className: "field" },
      h("label", { for: "invite-addresses" }, "E-mail addresses"),
      addresses.box,
    ),
    addresses.below,
    field("Role", role),
    // The count is outside the label, so that it describes the box rather than names it.
    h(
      "div",
      { className: "field" },
      h("label", { for: "invite-note" }, "Message (optional)"),
      note,
      noteLimit.count,
      noteLimit.hint,
    ),
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
