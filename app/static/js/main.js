// The app shell: session, header, hash router (each view's module loads when first shown),
// the invitationReceived subscription, and recovery when the connection comes back.
import { clear, h } from "./dom.js";
import { GraphQLClient, LiveClient, liveUrl } from "./graphql.js";
import { INVITATION_RECEIVED, ME, PENDING_INVITATIONS, SIGN_OUT } from "./operations.js";
import { errorState } from "./states.js";

const TOKEN_KEY = "invitations.token";
const RECOVER_DELAY_MS = 200;
const START_RETRY_MS = 5000;

const session = {
  user: null,
  // Set by a sign-in, so that the Domains page shows every pending invitation once.
  justSignedIn: false,
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

const api = new GraphQLClient({
  getToken: () => session.token,
  onUnauthenticated: () => signedOut(),
});

let live = null;
let stopReceived = null;
let current = null; // the view on screen: { el, cleanup?, refresh? }, null while none loaded
let routing = 0;
const main = document.getElementById("main");
const header = document.getElementById("header");
const pendingBadge = h("span", { className: "count", testid: "header-pending-count" });
const liveStatus = h("span", { className: "live-status", testid: "live-status", role: "status" });

// Views hook in here to hear about invitations arriving and pending counts changing.
const events = new EventTarget();

const ctx = {
  api,
  session,
  events,
  get live() {
    return live;
  },
  // Why the user was taken to the page that comes next (left or removed from a domain);
  // that page shows it once.
  notice: null,
  // `replace` takes the place of the page in the history (a used invitation link is gone
  // from the Back button).
  navigate(hash, { replace = false } = {}) {
    if (location.hash === hash) route();
    else if (replace) location.replace(hash);
    else location.hash = hash;
  },
  async refreshPendingCount() {
    if (!session.user) return;
    try {
      const data = await api.request(PENDING_INVITATIONS, { first: 0 });
      setPendingCount(data.pendingInvitations.totalCount);
    } catch {
      // the header badge is a convenience; the pages show their own errors
    }
  },
  // Then to the Domains page (and its pop-up), unless `next` is null: the page stays.
  signedIn(token, user, { next = "#/domains", replace = false } = {}) {
    session.token = token;
    session.user = user;
    session.justSignedIn = true;
    startSession();
    if (next) ctx.navigate(next, { replace });
  },
  async signOut() {
    try {
      await api.request(SIGN_OUT);
    } finally {
      signedOut();
    }
  },
};

function setPendingCount(n) {
  pendingBadge.textContent = n ? String(n) : "";
  pendingBadge.hidden = !n;
  pendingBadge.title = n ? `${n} pending` : "";
}

const LIVE_LABELS = { live: "Live", reconnecting: "Reconnecting…", offline: "Live updates off" };

function setLiveStatus(status) {
  liveStatus.textContent = LIVE_LABELS[status] ?? "";
  liveStatus.dataset.status = status;
}

// The connection is back (the socket reconnected, or the browser is online again): re-load
// whatever is on screen, once for a burst of signals.
let recovering = null;
function recover() {
  clearTimeout(recovering);
  recovering = setTimeout(() => {
    ctx.refreshPendingCount();
    if (current) current.refresh?.();
    else start(); // nothing is on screen: the session check or the view's module failed
  }, RECOVER_DELAY_MS);
}

window.addEventListener("online", () => {
  live?.retryNow();
  recover();
});

function startSession() {
  live?.close();
  live = new LiveClient({ url: liveUrl(), getToken: () => session.token, onStatus: setLiveStatus });
  stopReceived = live.subscribe(
    INVITATION_RECEIVED,
    {},
    {
      next: (data) => {
        ctx.refreshPendingCount();
        const detail = data.invitationReceived;
        events.dispatchEvent(new CustomEvent("invitation-received", { detail }));
      },
      resumed: recover,
      error: () => setLiveStatus("offline"),
    },
  );
  renderHeader();
  ctx.refreshPendingCount();
}

function signedOut() {
  stopReceived?.();
  live?.close();
  live = null;
  session.token = null;
  session.user = null;
  renderHeader();
  if (isOpenToAll(location.hash)) {
    if (current) route(); // the same page, now for someone signed out
  } else if (!location.hash.startsWith("#/sign")) location.hash = "#/signin";
}

function renderHeader() {
  const user = session.user;
  const nav = user
    ? h(
        "nav",
        { className: "user-nav", "aria-label": "Account" },
        h("a", { href: "#/domains" }, "Domains"),
        h("a", { href: "#/invitations" }, "My invitations ", pendingBadge),
        liveStatus,
        h(
          "span",
          { className: "user-name clip", title: `${user.name} <${user.email}>` },
          user.name,
        ),
        h(
          "button",
          { type: "button", className: "link", onclick: () => ctx.signOut() },
          "Sign out",
        ),
      )
    : null;
  clear(
    header,
    h("a", { href: user ? "#/domains" : "#/signin", className: "brand" }, "Domains & invitations"),
    nav,
  );
}

// [pattern, who may see it, view(match) resolving to { el, focus?, cleanup?, refresh? }]:
// true for signed-in users only, false for signed-out ones only, null for everyone.
const ROUTES = [
  [
    /^#\/invite\/(.+)$/,
    null,
    async (m) => (await import("./views/invite.js")).inviteView(ctx, m[1]),
  ],
  [
    /^#\/(signin|signup)$/,
    false,
    async (m) => (await import("./views/auth.js")).authView(ctx, m[1]),
  ],
  [/^#\/domains$/, true, async () => (await import("./views/domains.js")).domainsView(ctx)],
  [/^#\/invitations$/, true, async () => (await import("./views/pending.js")).pendingView(ctx)],
  [
    /^#\/domains\/([^/]+)\/(invitations|members|webhooks)$/,
    true,
    async (m) =>
      (await import("./views/domain.js")).domainView(ctx, decodeURIComponent(m[1]), m[2]),
  ],
];

function isOpenToAll(hash) {
  return ROUTES.some(([pattern, needsUser]) => needsUser === null && pattern.test(hash));
}

function route() {
  current?.cleanup?.();
  current = null;
  const hash = location.hash || (session.user ? "#/domains" : "#/signin");
  for (const [pattern, needsUser, view] of ROUTES) {
    const match = hash.match(pattern);
    if (!match) continue;
    if (needsUser === true && !session.user) return ctx.navigate("#/signin");
    if (needsUser === false && session.user) return ctx.navigate("#/domains");
    return show(view, match);
  }
  ctx.navigate(session.user ? "#/domains" : "#/signin");
}

async function show(view, match) {
  routing += 1;
  const mine = routing;
  main.setAttribute("aria-busy", "true");
  let rendered;
  try {
    rendered = await view(match);
  } catch {
    // The view's module did not load (the server is unreachable); importing it again retries.
    const failure = new Error("This page could not be loaded. Check your connection.");
    if (mine === routing)
      clear(
        main,
        errorState(failure, async () => route()),
      );
    return;
  } finally {
    if (mine === routing) main.removeAttribute("aria-busy");
  }
  if (mine !== routing) return rendered.cleanup?.();
  clear(main, rendered.el);
  current = rendered;
  (rendered.focus ?? main).focus({ preventScroll: true });
}

// Check the stored token, then show the page. When the server cannot be reached the page
// says so, with a Retry, and tries again by itself every few seconds.
let retryStart = null;
async function start() {
  clearTimeout(retryStart);
  if (session.token && !session.user) {
    try {
      session.user = (await api.request(ME)).me;
    } catch (err) {
      if (err.code !== "UNAUTHENTICATED") {
        clear(main, errorState(err, start));
        retryStart = setTimeout(start, START_RETRY_MS);
        return;
      }
    }
    if (session.user) startSession();
    else session.token = null;
  }
  renderHeader();
  route();
}

window.addEventListener("hashchange", route);
start();
