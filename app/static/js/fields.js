// Form fields, and length limits that are said rather than silently enforced: a paste longer
// than the limit stays whole in the box, and a hint tells how much is too much.
import { h, uniqueId } from "./dom.js";

export function field(label, input, ...below) {
  return h("label", { className: "field" }, h("span", {}, label), input, below);
}

// Characters as the API counts them (code points, so an emoji is one), after trimming.
function characters(text) {
  return [...text.trim()].length;
}

// Shows "<what> can be at most <max> characters; this one has <n>." under `input` while it is
// too long; `blocks` makes it the field's validity too, so the form will not submit. With
// `counted`, `count` reads "<n> of <max> characters" all along.
export function lengthLimit(input, { max, what, blocks = true, counted = false }) {
  const hint = h("span", { id: uniqueId("limit"), className: "field-hint", hidden: true });
  const count = counted
    ? h("span", { id: uniqueId("count"), className: "muted small", testid: "length-count" })
    : null;
  input.setAttribute(
    "aria-describedby",
    [input.getAttribute("aria-describedby"), count?.id, hint.id].filter(Boolean).join(" "),
  );
  const check = () => {
    const length = characters(input.value);
    const over = length > max;
    hint.textContent = over
      ? `${what} can be at most ${max} characters; this one has ${length}.`
      : "";
    hint.hidden = !over;
    if (count) count.textContent = `${length} of ${max} characters`;
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (blocks) input.setCustomValidity(hint.textContent);
    return !over;
  };
  input.addEventListener("input", check);
  if (count) check();
  return { hint, count, check };
}
