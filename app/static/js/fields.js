// Form fields, and length limits that are said rather than silently enforced: a paste longer
// than the limit stays whole in the box, and a hint tells how much is too much.
import { h, uniqueId } from "./dom.js";

export function field(label, input, ...below) {
  return h("label", { className: "field" }, h("span", {}, label), input, below);
}

// Shows "<what> can be at most <max> characters; this one has <n>." under `input` while it is
// too long; `blocks` makes it the field's validity too, so the form will not submit.
export function lengthLimit(input, { max, what, blocks = true }) {
  const hint = h("span", { id: uniqueId("limit"), className: "field-hint", hidden: true });
  input.setAttribute(
    "aria-describedby",
    [input.getAttribute("aria-describedby"), hint.id].join(" ").trim(),
  );
  const check = () => {
    const length = input.value.trim().length;
    const over = length > max;
    hint.textContent = over
      ? `${what} can be at most ${max} characters; this one has ${length}.`
      : "";
    hint.hidden = !over;
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (blocks) input.setCustomValidity(hint.textContent);
    return !over;
  };
  input.addEventListener("input", check);
  return { hint, check };
}
