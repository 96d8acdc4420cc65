// The page an invitation e-mail links to, #/invite/{secret}: what the invitation is (no
// sign-in needed), then joining with a new account, an existing one, or the one signed in;
// after that the invitation waits in the pending pop-up.
//
// The secret leaves the page only as a GraphQL variable: nothing is logged, no request
// carries a Referer (the server's referrer-policy, and the page's own), and once the link is
// used its history entry is replaced.
import { clear, h } from "../dom.js";
import { inviterMessage, when } from "../format.js";
import { ApiError, isUserError } from "../graphql.js";
import { CLAIM_INVITATION, INVITATION_BY_TOKEN } from "../operations.js";
import { busy, loadable, messageBox, skeleton } from "../states.js";
import { credentialsForm } from "./auth.js";

const UNKNOWN = "This invitation link is unknown, used or no longer valid.";

// Why the link could not be used, in the words of this page.
function problem(code, preview) {
  const ask = `ask ${preview.inviterName} for a new one`;
  switch (code) {
    case "NOT_FOUND":
      return `${UNKNOWN} A link works once, and a newer e-mail about the same invitation replaces it: look for that one, or ${ask}.`;
    case "INVITATION_NOT_PENDING":
      return `This invitation can no longer be accepted (it expired or was answered): ${ask}.`;
    case "ALREADY_MEMBER":
      return `You are already a member of ${preview.domainName}: there is nothing to accept.`;
    case "ALREADY_INVITED":
      return `You already have a pending invitation to ${preview.domainName}: answer that one, under My invitations.`;
    case "EMAIL_TAKEN":
      return "An account with this address already exists: sign in instead, and the invitation will be added to it.";
    default:
      return null;
  }
}

function explained(err, preview) {
  const words = problem(err.code, preview);
  return words ? new ApiError(words, err.code) : err;
}

function strong(text) {
  return h("strong", { className: "clip", title: text }, text);
}

// A link that cannot be used: unknown (null) or expired.
function dead(ctx, preview) {
  const expired = preview?.status === "EXPIRED";
  const next = ctx.session.user
    ? h("a", { href: "#/domains" }, "Go to your domains")
    : [
        h("a", { href: "#/signin" }, "Sign in"),
        " · ",
        h("a", { href: "#/signup" }, "Create an account"),
      ];
  return [
    expired
      ? h(
          "p",
          { className: "message error wrap", testid: "invite-expired" },
          `This invitation to ${preview.domainName} expired `,
          when(preview.expiresAt),
          `: ask ${preview.inviterName} for a new one.`,
        )
      : h("p", { className: "message error", testid: "invite-unknown" }, UNKNOWN),
    expired
      ? null
      : h(
          "p",
          { className: "muted" },
          "A link works once, and a newer e-mail about the same invitation replaces it. Ask the person who invited you for a new one if you cannot find it.",
        ),
    h("p", {}, next),
  ];
}

function summary(preview) {
  return [
    h(
      "p",
      { className: "lead", testid: "invite-summary" },
      strong(preview.inviterName),
      " invited ",
      strong(preview.inviteeEmail),
      " to join ",
      strong(preview.domainName),
      " with the role of ",
      strong(preview.roleName),
      ".",
    ),
    inviterMessage(preview.message, "invite-message"),
    h("p", { className: "muted small" }, "The link expires ", when(preview.expiresAt), "."),
  ];
}

export function inviteView(ctx, secret) {
  const heading = h("h1", {}, "Invitation");
  const actions = h("div", { className: "stack invite-actions" });
  let loaded = false;

  // Signed in: add the invitation to this account, then on to the pop-up.
  function claimArea(preview) {
    const messages = messageBox();
    const user = ctx.session.user;
    const claim = h(
      "button",
      { type: "button", className: "primary", testid: "claim-button" },
      "Add to my account",
    );
    const run = () =>
      busy(
        claim,
        async () => {
          const result = (await ctx.api.request(CLAIM_INVITATION, { token: secret }))
            .claimInvitation;
          if (isUserError(result)) throw explained(result, preview);
          ctx.navigate("#/domains", { replace: true });
        },
        messages,
      );
    claim.addEventListener("click", run);
    const other = h(
      "button",
      { type: "button", className: "link", onclick: () => ctx.signOut() },
      "use another account",
    );
    const elsewhere =
      user.email.toLowerCase() !== preview.inviteeEmail.toLowerCase()
        ? h(
            "p",
            { className: "muted small wrap" },
            `It was sent to ${preview.inviteeEmail}; whoever holds the link may add it to their account.`,
          )
        : null;
    clear(
      actions,
      h(
        "p",
        { className: "wrap" },
        "You are signed in as ",
        strong(user.name),
        ` (${user.email}).`,
      ),
      elsewhere,
      h("div", { className: "row-actions" }, claim),
      h("p", { className: "muted small" }, "Not you? Sign out to ", other, "."),
      messages.el,
    );
    return { claim, run };
  }

  // Signed out: a new account with the link (one call), or sign in and claim.
  function joinArea(preview, signingUp) {
    const { form, focus } = credentialsForm(ctx, {
      signingUp,
      email: preview.inviteeEmail,
      extra: { invitationToken: secret },
      explain: (err) => explained(err, preview),
      done: async (payload) => {
        if (signingUp) return ctx.signedIn(payload.token, payload.user, { replace: true });
        ctx.signedIn(payload.token, payload.user, { next: null });
        const { claim, run } = claimArea(preview);
        claim.focus();
        await run();
      },
    });
    const swap = h(
      "button",
      {
        type: "button",
        className: "link",
        testid: "switch-account-mode",
        onclick: () => joinArea(preview, !signingUp).focus(),
      },
      signingUp ? "Sign in instead" : "Create an account instead",
    );
    clear(
      actions,
      h("h2", {}, signingUp ? "Join with a new account" : "Sign in to accept"),
      form,
      h("p", { className: "muted" }, signingUp ? "Already have an account? " : "New here? ", swap),
    );
    return focus;
  }

  function render(preview) {
    if (preview?.status !== "PENDING") return dead(ctx, preview);
    heading.textContent = "You are invited";
    loaded = true;
    if (ctx.session.user) claimArea(preview);
    else joinArea(preview, true);
    return [summary(preview), actions];
  }

  const region = loadable({
    load: async () =>
      (await ctx.api.request(INVITATION_BY_TOKEN, { token: secret })).invitationByToken,
    render,
    placeholder: skeleton(4),
  });
  region.reload();
  return {
    el: h("section", { className: "card invite", testid: "invite-page" }, heading, region.el),
    // Back online: load what failed, without wiping a form being filled in.
    refresh: () => (loaded ? undefined : region.reload()),
  };
}
