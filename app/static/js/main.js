// The app shell: session, header, hash router, and the invitationReceived subscription.

import { clear, h } from "./dom.js";
import { GraphQLClient, LiveClient, liveUrl } from "./graphql.js";
import { INVITATION_RECEIVED, ME, PENDING_INVITATIONS, SIGN_OUT } from "./operations.js";
import { authView } from "./views/auth.js";
import { domainView } from "./views/domain.js";
import { domainsView } from "./views/domains.js";
import { pendingView } from "./views/pending.js";

const TOKEN_KEY = "invitations.token";

const session = {
  user: null,
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
let cleanup = null;
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
  navigate(hash) {
    if (location.hash === hash) route();
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
  async signedIn(token, user) {
    session.token = token;
    session.user = user;
    sessionStorage.removeItem("invitations.popupDismissed");
    startSession();
    ctx.navigate("#/domains");
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
}

function setLiveStatus(status) {
  const labels = { live: "Live", reconnecting: "Reconnecting…", offline: "Live updates off" };
  liveStatus.textContent = labels[status] ?? "";
  liveStatus.dataset.status = status;
}

function startSession() {
  live?.close();
  live = new LiveClient({ url: liveUrl(), getToken: () => session.token, onStatus: setLiveStatus });
  stopReceived = live.subscribe(
    INVITATION_RECEIVED,
    {},
    {
      next: (data) => {
        ctx.refreshPendingCount();
        events.dispatchEvent(
          new CustomEvent("invitation-received", { detail: data.invitationReceived }),
        );
      },
      resumed: () => {
        ctx.refreshPendingCount();
        events.dispatchEvent(new CustomEvent("invitation-received", { detail: null }));
      },
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
  if (!location.hash.startsWith("#/sign")) location.hash = "#/signin";
}

function renderHeader() {
  const user = session.user;
  clear(
    header,
    h("a", { href: user ? "#/domains" : "#/signin", className: "brand" }, "Domains & invitations"),
    user
      ? h(
          "nav",
          { className: "user-nav", "aria-label": "Account" },
          h("a", { href: "#/domains" }, "Domains"),
          h("a", { href: "#/invitations" }, "My invitations ", pendingBadge),
          liveStatus,
          h("span", { className: "muted" }, user.name),
          h(
            "button",
            { type: "button", className: "link", onclick: () => ctx.signOut() },
            "Sign out",
          ),
        )
      : null,
  );
}

const ROUTES = [
  [/^#\/(signin|signup)$/, (m) => authView(ctx, m[1]), false],
  [/^#\/domains$/, () => domainsView(ctx), true],
  [/^#\/invitations$/, () => pendingView(ctx), true],
  [
    /^#\/domains\/([^/]+)\/(invitations|members)$/,
    (m) => domainView(ctx, decodeURIComponent(m[1]), m[2]),
    true,
  ],
];

function route() {
  cleanup?.();
  cleanup = null;
  const hash = location.hash || (session.user ? "#/domains" : "#/signin");
  for (const [pattern, view, needsUser] of ROUTES) {
    const match = hash.match(pattern);
    if (!match) continue;
    if (needsUser && !session.user) return ctx.navigate("#/signin");
    if (!needsUser && session.user) return ctx.navigate("#/domains");
    const rendered = view(match);
    clear(main, rendered.el);
    cleanup = rendered.cleanup ?? null;
    main.focus({ preventScroll: true });
    return;
  }
  ctx.navigate(session.user ? "#/domains" : "#/signin");
}

async function boot() {
  if (session.token) {
    try {
      const data = await api.request(ME);
      session.user = data.me;
    } catch {
      session.user = null;
    }
    if (session.user) startSession();
    else session.token = null;
  }
  renderHeader();
  window.addEventListener("hashchange", route);
  route();
}

boot();
