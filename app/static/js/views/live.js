// Keeps a domain's table current: invitationEvents while the server offers it, else a poll.
// (When the connection comes back the app shell re-loads the whole view.)
import { h } from "../dom.js";
import { INVITATION_EVENTS } from "../operations.js";

const POLL_MS = 15_000;
const BURST_MS = 150;

// A note that shows when live updates are unavailable.
export function liveNote() {
  return h("p", { className: "muted small", hidden: true, testid: "live-note" });
}

export function keepCurrent(ctx, domain, reload, note) {
  let timer = null;
  let pending = null;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(reload, BURST_MS); // one reload for a burst of events
  };
  const stop = ctx.live?.subscribe(
    INVITATION_EVENTS,
    { domainId: domain.id },
    {
      next: soon,
      error: (err) => {
        const every = `${POLL_MS / 1000} s`;
        note.textContent = `Live updates unavailable (${err.message}); refreshing every ${every}.`;
        note.hidden = false;
        timer = setInterval(reload, POLL_MS);
      },
    },
  );
  return () => {
    stop?.();
    clearInterval(timer);
    clearTimeout(pending);
  };
}
