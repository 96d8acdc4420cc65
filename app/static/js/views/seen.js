// Which pending invitations this user has been shown, kept per user in localStorage as
// "id:resendCount" pairs: a resent invitation counts as new again.
const PREFIX = "invitations.seen.";

export const seenKey = (invitation) => `${invitation.id}:${invitation.resendCount}`;

function storageKey(ctx) {
  return `${PREFIX}${ctx.session.user?.id}`;
}

export function seenSet(ctx) {
  try {
    return new Set(JSON.parse(localStorage.getItem(storageKey(ctx)) ?? "[]"));
  } catch {
    return new Set();
  }
}

// Remember `invitations` as seen; with `only`, forget every other one (answered ones go).
export function markSeen(ctx, invitations, { only = false } = {}) {
  const keys = invitations.map(seenKey);
  const all = only ? new Set(keys) : new Set([...seenSet(ctx), ...keys]);
  localStorage.setItem(storageKey(ctx), JSON.stringify([...all]));
}
