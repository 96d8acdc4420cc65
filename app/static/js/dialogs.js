// Modal dialogs: Escape and the Close button dismiss them; focus returns to the element that
// opened them (or `main` when that element has left the page).
import { clear, h, uniqueId } from "./dom.js";

export function modal({ title, body, actions = [], testid = null, onClose = () => {} }) {
  const opener = document.activeElement;
  const titleId = uniqueId("dialog-title");
  // Focusable from script, so focus has a place to go when the dialog's content empties.
  const heading = h("h2", { id: titleId, tabindex: "-1" }, title);
  const content = h("div", { className: "dialog-body" }, body);
  const footer = h("footer", { className: "dialog-actions", hidden: !actions.length }, actions);
  const el = h(
    "dialog",
    { className: "dialog", "aria-labelledby": titleId, testid },
    h(
      "header",
      { className: "dialog-header" },
      heading,
      h(
        "button",
        { type: "button", className: "icon", "aria-label": "Close", onclick: () => close() },
        "×",
      ),
    ),
    content,
    footer,
  );
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    el.remove();
    onClose();
    const back = opener instanceof HTMLElement && opener.isConnected ? opener : null;
    (back ?? document.getElementById("main"))?.focus();
  };
  // Closed from code, focus is back on the opener at once, before anything the caller does
  // next can redraw it (the close event comes a task later); Escape ends in the event.
  const close = () => {
    el.close();
    finish();
  };
  el.addEventListener("close", finish);
  document.body.append(el);
  el.showModal();
  return {
    el,
    heading,
    close,
    // The dialog's next step (a form's outcome) in place of its content.
    replace({ title: next, body: nextBody, actions: nextActions = [] }) {
      heading.textContent = next;
      clear(content, nextBody);
      clear(footer, nextActions);
      footer.hidden = !nextActions.length;
    },
  };
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
