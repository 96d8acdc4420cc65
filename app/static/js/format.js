// How values read on screen: times, counts, people, statuses. Long names wrap or are clipped,
// with the whole text in `title`.
import { h } from "./dom.js";

const EXACT = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY_SECONDS = 24 * HOUR;
const TICK_MS = 30_000;

// "now", "2 minutes ago", "yesterday", "in 1 hour"; past a week, the date. A unit is used
// while it rounds below the next one (59 minutes, then 1 hour: never "60 minutes").
export function relative(date, now = Date.now()) {
  const seconds = (date.getTime() - now) / 1000;
  const size = Math.abs(seconds);
  if (size < MINUTE) return RELATIVE.format(0, "second");
  if (size < HOUR - MINUTE / 2) return RELATIVE.format(Math.round(seconds / MINUTE), "minute");
  if (size < DAY_SECONDS - HOUR / 2) return RELATIVE.format(Math.round(seconds / HOUR), "hour");
  if (size < 7 * DAY_SECONDS) return RELATIVE.format(Math.round(seconds / DAY_SECONDS), "day");
  return DAY.format(date);
}

let ticking = false;
// Relative times on screen move on by themselves.
function tick() {
  if (ticking) return;
  ticking = true;
  setInterval(() => {
    for (const el of document.querySelectorAll("time[data-relative]")) {
      el.textContent = relative(new Date(el.dateTime));
    }
  }, TICK_MS);
}

export function exact(iso) {
  return EXACT.format(new Date(iso));
}

// A relative time; the exact one is in `title` (hover) and `datetime`.
export function when(iso) {
  if (!iso) return nothing("never");
  tick();
  return h(
    "time",
    { datetime: iso, title: exact(iso), "data-relative": "" },
    relative(new Date(iso)),
  );
}

// A dash that reads as `words` to a screen reader.
export function nothing(words) {
  return h(
    "span",
    { className: "muted" },
    h("span", { "aria-hidden": "true" }, "—"),
    h("span", { className: "sr-only" }, words),
  );
}

const ONE = new Intl.PluralRules("en-US");
// The word for `count` things: plural(1, "invitation") is "invitation", plural(7, …) "invitations".
export function plural(count, one, many = `${one}s`) {
  return ONE.select(count) === "one" ? one : many;
}

// When an invitation last reached its invitee: its resend, else its creation.
export function sentAt(invitation) {
  return invitation.resentAt ?? invitation.createdAt;
}

// When a pending invitation lapses ("expires in 3 days"), or when an expired one did; null
// for the others. The exact time on hover, as every relative time.
export function expiry(invitation) {
  const verb = { PENDING: "expires", EXPIRED: "expired" }[invitation.status];
  if (!verb) return null;
  return h(
    "span",
    { className: "expiry muted small", testid: "expiry" },
    `${verb} `,
    when(invitation.expiresAt),
  );
}

// The inviter's note, as plain text whose line breaks show; null when there is none.
export function inviterMessage(message, testid = "invitation-message") {
  if (!message) return null;
  return h("blockquote", { className: "invite-message wrap", testid }, message);
}

// A name or other user-given text that may be long: clipped by the stylesheet, whole in `title`.
export function clip(text, className = "") {
  return h("span", { className: `clip ${className}`.trim(), title: text }, text);
}

export function person(user) {
  if (!user) return nothing("nobody");
  return h("span", { className: "person" }, clip(user.name), clip(user.email, "muted small"));
}

// Who an invitation is for: its invitee, or the address of an invitation by e-mail that
// nobody has claimed yet.
export function inviteeName(invitation) {
  return invitation.invitee?.name ?? invitation.inviteeEmail;
}

export function invitee(invitation) {
  if (invitation.invitee) return person(invitation.invitee);
  return h(
    "span",
    { className: "person" },
    clip(invitation.inviteeEmail),
    h("span", { className: "muted small", testid: "by-email-marker" }, "by e-mail"),
  );
}

const DELIVERY = {
  QUEUED: ["E-mail queued", "badge-pending"],
  SENT: ["E-mail sent", "badge-accepted"],
  FAILED: ["E-mail failed", "badge-rejected"],
};

// What became of an invitation's e-mail, in words: the attempts, when it was sent, why it
// failed.
export function deliverySummary(delivery) {
  const tries = `${delivery.attempts} ${plural(delivery.attempts, "attempt")}`;
  const parts = [DELIVERY[delivery.status]?.[0] ?? delivery.status, tries];
  if (delivery.sentAt) parts.push(`sent ${exact(delivery.sentAt)}`);
  if (delivery.lastError) parts.push(`last error: ${delivery.lastError}`);
  return parts.join("; ");
}

// A badge for the e-mail's state; the whole story in its title (and in the details panel).
export function deliveryBadge(delivery) {
  if (!delivery) return null;
  const [label, style] = DELIVERY[delivery.status] ?? [delivery.status, ""];
  return h(
    "span",
    {
      className: `badge ${style}`,
      testid: "email-delivery",
      "data-status": delivery.status,
      title: deliverySummary(delivery),
    },
    label,
  );
}

const STATUS_LABEL = {
  PENDING: "Pending",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected",
  EXPIRED: "Expired",
};

export function statusBadge(status) {
  return h(
    "span",
    { className: `badge badge-${status.toLowerCase()}` },
    STATUS_LABEL[status] ?? status,
  );
}

// "Resent" (or "Resent ×3") on an invitation sent again after it was declined.
export function resentMarker(invitation) {
  const times = invitation.resendCount;
  if (!times) return null;
  const last = invitation.resentAt ? `, last ${exact(invitation.resentAt)}` : "";
  return h(
    "span",
    {
      className: "badge badge-resent",
      testid: "resent-marker",
      title: `Resent ${times} ${plural(times, "time")}${last}`,
    },
    times > 1 ? `Resent ×${times}` : "Resent",
  );
}
