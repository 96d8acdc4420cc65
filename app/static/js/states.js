// What a region shows besides its content: loading skeletons, errors with Retry, messages,
// and buttons that are busy while their work runs.
import { clear, focusKey, h, restoreFocus } from "./dom.js";

// A message area: role=alert so screen readers announce errors.
export function messageBox() {
  const el = h("p", { className: "message", role: "alert", hidden: true });
  const show = (kind, text) => {
    el.className = `message ${kind}`;
    el.textContent = text;
    el.hidden = false;
  };
  return {
    el,
    error: (err) => show("error", err?.message ?? String(err)),
    info: (text) => show("info", text),
    clear() {
      el.hidden = true;
      el.textContent = "";
    },
  };
}

// Run `work` with `buttons` disabled; errors go to `messages` (when given) and are swallowed.
// A button that had focus has it again afterwards (redrawn meanwhile, its successor), unless
// the work put focus somewhere.
export async function busy(buttons, work, messages = null) {
  const list = (Array.isArray(buttons) ? buttons : [buttons]).filter(Boolean);
  const key = focusKey();
  for (const b of list) {
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
  }
  messages?.clear();
  try {
    return await work();
  } catch (err) {
    if (!messages) throw err;
    messages.error(err);
    return undefined;
  } finally {
    for (const b of list) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    }
    restoreFocus(key);
  }
}

// Grey bars where content is coming; "Loading…" for screen readers.
export function skeleton(lines = 3) {
  const bars = Array.from({ length: lines }, () =>
    h("span", { className: "skeleton-line", "aria-hidden": "true" }),
  );
  return h(
    "div",
    { className: "skeleton", testid: "skeleton" },
    h("span", { className: "sr-only", role: "status" }, "Loading…"),
    bars,
  );
}

export function errorState(err, retry) {
  const button = h("button", { type: "button", testid: "retry-button" }, "Retry");
  button.addEventListener("click", () => busy(button, retry));
  return h(
    "div",
    { className: "state state-error", role: "alert", testid: "error-state" },
    h("p", {}, err?.message ?? String(err)),
    button,
  );
}

// A region that loads its content: `placeholder` until the first answer, then
// `render(value)`; on failure the error and a Retry button in place of content that may be
// stale. Reloads keep the content on screen (aria-busy) until the answer, and only the
// newest answer is drawn; focus stays on the same control when it is drawn again.
export function loadable({ load, render, placeholder = skeleton() }) {
  const el = h("div", { className: "loadable" }, placeholder);
  let latest = 0;
  const show = (value) => {
    const key = focusKey(el);
    clear(el, render(value));
    restoreFocus(key, el);
  };
  async function reload() {
    latest += 1;
    const mine = latest;
    el.setAttribute("aria-busy", "true");
    try {
      const value = await load();
      if (mine === latest) show(value);
    } catch (err) {
      if (mine === latest) clear(el, errorState(err, reload));
    } finally {
      if (mine === latest) el.removeAttribute("aria-busy");
    }
  }
  return { el, reload, show };
}
