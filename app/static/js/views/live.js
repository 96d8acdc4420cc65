// Keeps a domain's table current: a subscription to its events (invitationEvents, or
// memberEvents for the Members table) while the server offers it, else a poll. A caller who
// loses access to the domain meanwhile is taken back to the Domains page, and one whose role
// changed sees the domain again as the new role allows.
// (When the connection comes back the app shell re-loads the whole view.)
import { h } from "../dom.js";
import { INVITATION_EVENTS, MEMBER_EVENTS } from "../operations.js";

const POLL_MS = 15_000;
const BURST_MS = 150;

// A note that shows when live updates are unavailable.
export function liveNote() {
  return h("p", { className: "muted small", hidden: true, testid: "live-note" });
}

export function keepCurrent(ctx, domain, reload, note) {
  return follow(ctx, domain, INVITATION_EVENTS, { reload, note });
}

// The Members table. A change of the caller's own role redraws the whole domain view.
export function keepMembersCurrent(ctx, domain, reload, note) {
  const next = ({ memberEvents: event }) => {
    if (event.kind === "ROLE_CHANGED" && event.user.id === ctx.session.user?.id) again(ctx);
  };
  return follow(ctx, domain, MEMBER_EVENTS, { reload, note, next });
}

// The domain view on screen drawn again (after a change of the caller's role).
function again(ctx) {
  ctx.navigate(location.hash);
}

// Out of the domain with `notice` shown on the Domains page.
export function leaveFor(ctx, notice) {
  ctx.notice = notice;
  ctx.navigate("#/domains");
}

function follow(ctx, domain, query, { reload, note, next = () => {} }) {
  let timer = null;
  let pending = null;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(reload, BURST_MS); // one reload for a burst of events
  };
  const stop = ctx.live?.subscribe(
    query,
    { domainId: domain.id },
    {
      next: (data) => {
        soon(); // first: a redraw by next() ends this subscription and its reload
        next(data);
      },
      error: (err) => {
        if (err.code === "NOT_FOUND") {
          leaveFor(ctx, `You are no longer a member of ${domain.name}.`);
        } else if (err.code === "FORBIDDEN") {
          again(ctx); // the role changed and no longer allows this
        } else {
          const every = `${POLL_MS / 1000} s`;
          note.textContent = `Live updates unavailable (${err.message}); refreshing every ${every}.`;
          note.hidden = false;
          timer = setInterval(reload, POLL_MS);
        }
      },
    },
  );
  return () => {
    stop?.();
    clearInterval(timer);
    clearTimeout(pending);
  };
}
