// A webhook's signing secret, shown once (after creating the webhook or rotating its secret):
// the page keeps no copy, so the panel says so and offers to copy it.
import { h, uniqueId } from "../dom.js";

export function secretPanel(secret) {
  const id = uniqueId("secret");
  const input = h("input", {
    id,
    readonly: true,
    value: secret,
    className: "secret",
    testid: "webhook-secret",
    spellcheck: "false",
    autocomplete: "off",
  });
  const said = h("span", { className: "muted small", role: "status", testid: "copy-status" });
  const copy = h("button", { type: "button", className: "primary", testid: "copy-secret" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      said.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard here (a page served over plain http from another machine): select it.
      input.focus();
      input.select();
      said.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy it.";
    }
  });
  const el = h(
    "div",
    { className: "stack", testid: "secret-panel" },
    h(
      "p",
      { className: "message warning", testid: "secret-warning" },
      h("strong", {}, "Copy this secret now: you won't see it again."),
      " The app keeps no copy. If it is lost, rotate the secret to get a new one.",
    ),
    h(
      "div",
      { className: "field" },
      h("label", { for: id }, "Signing secret"),
      h("div", { className: "inline secret-row" }, input, copy),
      said,
    ),
    h(
      "p",
      { className: "muted small" },
      "Your receiver checks each delivery's webhook-signature header with it (Standard " +
        "Webhooks); every delivery from now on is signed with this secret.",
    ),
  );
  return { el, focus: copy };
}
