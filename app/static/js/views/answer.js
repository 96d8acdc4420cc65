// Accept and Decline for one of the caller's pending invitations (the pop-up and View All).
import { h } from "../dom.js";
import { unwrap } from "../graphql.js";
import { RESPOND } from "../operations.js";
import { busy } from "../states.js";

const DONE = {
  ACCEPT: (name) => `You joined ${name}.`,
  DECLINE: (name) => `You declined the invitation to ${name}.`,
};

// `done` runs after a successful answer (the list reloads and moves focus on).
export function answerButtons(ctx, invitation, messages, done) {
  const name = invitation.domain.name;
  const label = `invitation to join ${name}`;
  const button = (text, props) =>
    h("button", { type: "button", "aria-label": `${text} ${label}`, ...props }, text);
  const accept = button("Accept", { className: "primary", testid: "accept-button" });
  const decline = button("Decline", { testid: "decline-button" });
  const answer = (response) =>
    busy(
      [accept, decline],
      async () => {
        const variables = { invitationId: invitation.id, response };
        unwrap((await ctx.api.request(RESPOND, variables)).respondToInvitation);
        messages.info(DONE[response](name));
        ctx.events.dispatchEvent(new CustomEvent("pending-changed", { detail: { response } }));
        ctx.refreshPendingCount();
        await done();
      },
      messages,
    );
  accept.addEventListener("click", () => answer("ACCEPT"));
  decline.addEventListener("click", () => answer("DECLINE"));
  return [accept, decline];
}

// "Invitation to join <domain> with the role of <role>"
export function invitationSentence(invitation) {
  return [
    "Invitation to join ",
    h("strong", { className: "clip", title: invitation.domain.name }, invitation.domain.name),
    " with the role of ",
    h("strong", { className: "clip", title: invitation.role.name }, invitation.role.name),
  ];
}
