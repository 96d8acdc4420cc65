// Modal dialogs: Escape and the Close button dismiss them; focus returns to the element that
// opened them (or `main` when that element has left the page).
import { h, uniqueId } from "./dom.js";

export function modal({ title, body, actions = [], testid = null, onClose = () => {} }) {
  const opener = document.activeElement;
  const titleId = uniqueId("dialog-title");
  // Focusable from script, so focus has a place to go when the dialog's content empties.
  const heading = h("h2", { id: titleId, tabindex: "-1" }, title);
  const el = h(
    "dialog",
    { className: "dialog", "aria-labelledby": titleId, testid },
    h(
      "header",
      { className: "dialog-header" },
      heading,
      h(
        "button",
        { type: "button", className: "icon", "aria-label": "Close", onclick: () => el.close() },
        "×",
      ),
    ),
    h("div", { className: "dialog-body" }, body),
    actions.length ? h("footer", { className: "dialog-actions" }, actions) : null,
  );
  el.addEventListener("close", () => {
    el.remove();
    onClose();
    const back = opener instanceof HTMLElement && opener.isConnected ? opener : null;
    (back ?? document.getElementById("main"))?.focus();
  });
  document.body.append(el);
  el.showModal();
  return { el, heading, close: () => el.close() };
}

// Resolve true when the user confirms. The confirm button carries `confirm-button`.
export function confirmDialog({ title, text, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    let confirmed = false;
    const ok = h(
      "button",
      {
        type: "button",
        className: danger ? "danger" : "primary",
        testid: "confirm-button",
        onclick: () => {
          confirmed = true;
          dialog.close();
        },
      },
      confirmLabel,
    );
    const cancel = h("button", { type: "button", onclick: () => dialog.close() }, "Cancel");
    const dialog = modal({
      title,
      body: h("p", { className: "wrap" }, text),
      actions: [cancel, ok],
      testid: "confirm-dialog",
      onClose: () => resolve(confirmed),
    });
    ok.focus();
  });
}
