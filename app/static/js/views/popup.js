// The pending-invitations pop-up of the Domains page. It opens by itself when the caller has a
// pending invitation not shown before (new, or resent since), right after sign-in when any are
// pending, and from the "Pending invitations" button at any time (empty or not).

import { modal } from "../dialogs.js";
import { clear, focusInList, h } from "../dom.js";
import { clip, expiry, inviterMessage, plural, resentMarker, sentAt, when } from "../format.js";
import { PENDING_INVITATIONS } from "../operations.js";
import { loadable, messageBox, skeleton } from "../states.js";
import { answerButtons, invitationSentence } from "./answer.js";
import { markSeen, seenKey, seenSet } from "./seen.js";

const POPUP_SIZE = 5;
const PAGE = 100; // the API's largest page

// Every pending invitation of the caller (one request unless there are over a hundred).
async function allPending(ctx) {
  const nodes = [];
  let after = null;
  for (;;) {
    const page = (await ctx.api.request(PENDING_INVITATIONS, { first: PAGE, after }))
      .pendingInvitations;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

// Unseen first, then the most recently sent.
function ordered(invitations, seen) {
  const known = (invitation) => Number(seen.has(seenKey(invitation)));
  const time = (invitation) => Date.parse(sentAt(invitation));
  return [...invitations].sort((a, b) => known(a) - known(b) || time(b) - time(a));
}

function summary(count) {
  if (!count) {
    return h(
      "p",
      { className: "empty", testid: "pending-summary" },
      "You have no pending invitations.",
    );
  }
  return h(
    "p",
    { testid: "pending-summary" },
    "You have ",
    h("strong", { testid: "pending-count" }, String(count)),
    ` pending ${plural(count, "invitation")}`,
  );
}

export function pendingPopup(ctx) {
  let dialog = null;
  let region = null;
  let pending = null; // every pending invitation, once loaded
  let stopped = false;
  const messages = messageBox();
  const list = h("ul", { className: "pending-list" });

  function item(invitation) {
    return h(
      "li",
      { className: "pending-item", testid: "pending-item", "data-id": invitation.id },
      h(
        "div",
        { className: "pending-text" },
        h("p", {}, invitationSentence(invitation), " ", resentMarker(invitation)),
        h(
          "p",
          { className: "muted small" },
          "Invited by ",
          clip(invitation.invitedBy.name),
          " · ",
          when(sentAt(invitation)),
          " · ",
          expiry(invitation),
        ),
        inviterMessage(invitation.message),
      ),
      h(
        "div",
        { className: "row-actions" },
        answerButtons(ctx, invitation, messages, () => answered(invitation)),
      ),
    );
  }

  function render(all) {
    pending = all;
    clear(list, ordered(all, seenSet(ctx)).slice(0, POPUP_SIZE).map(item));
    const more = all.length > POPUP_SIZE;
    return [
      summary(all.length),
      more
        ? h(
            "p",
            { className: "muted small" },
            `${POPUP_SIZE} are shown here; View All lists every one.`,
          )
        : null,
      all.length ? list : null,
    ];
  }

  // Focus moves to the invitation that took the answered one's place, else to the heading.
  async function answered(invitation) {
    const index = [...list.children].findIndex((li) => li.dataset.id === invitation.id);
    await region.reload();
    if (!dialog) return;
    focusInList(list.isConnected ? [...list.children] : [], index, dialog.heading);
  }

  function open(all = null) {
    if (dialog) return all ? region.show(all) : region.reload();
    pending = null;
    region = loadable({ load: () => allPending(ctx), render, placeholder: skeleton(3) });
    const viewAll = h("button", { type: "button", testid: "view-all" }, "View All");
    viewAll.addEventListener("click", () => {
      dialog.close();
      ctx.navigate("#/invitations");
    });
    const later = h("button", { type: "button", onclick: () => dialog.close() }, "Later");
    dialog = modal({
      title: "Pending invitations",
      testid: "pending-popup",
      body: [messages.el, region.el],
      actions: [later, viewAll],
      onClose: () => {
        // Everything pending has now been shown (the count, and View All for the rest).
        if (pending) markSeen(ctx, pending, { only: true });
        dialog = null;
        messages.clear();
      },
    });
    return all ? region.show(all) : region.reload();
  }

  // Open when something pending has not been shown yet. A failure stays quiet: the page shows
  // its own errors, and the button still opens the pop-up with the error and a Retry.
  async function check() {
    if (dialog) return region.reload();
    let all;
    try {
      all = await allPending(ctx);
    } catch {
      return;
    }
    if (stopped) return;
    const afterSignIn = ctx.session.justSignedIn && all.length > 0;
    ctx.session.justSignedIn = false;
    const seen = seenSet(ctx);
    if (afterSignIn || all.some((invitation) => !seen.has(seenKey(invitation)))) open(all);
  }

  return {
    check,
    open: () => open(),
    close() {
      stopped = true;
      dialog?.close();
    },
  };
}
