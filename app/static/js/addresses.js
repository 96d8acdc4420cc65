// E-mail addresses typed or pasted into one box, several at once: split on commas, semicolons,
// spaces and new lines, each checked as the API checks it. A list copied from a mail client
// ("Ann Smith" <ann@example.com>, Bo <bo@example.com>) gives its addresses, not the names.

import { clear, h, uniqueId } from "./dom.js";
import { plural } from "./format.js";

// The API's rule: at most 254 characters, one @, no spaces, a dot in the domain part.
const ADDRESS = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$/;
const ADDRESS_MAX = 254;
const QUOTED = /"[^"\n]*"/g;
const ENTRIES = /[,;\n]+/;
const BRACKETED = /<([^<>]*)>/; // split() keeps what the brackets held at odd indexes
const SPACES = /\s+/;

export function isAddress(word) {
  return word.length <= ADDRESS_MAX && ADDRESS.test(word);
}

// The words of one entry. Text right before <address> is a display name: of it only words
// with an @ are kept (addresses, perhaps mistyped, never dropped unseen).
function entryWords(entry) {
  const parts = entry.split(BRACKETED);
  return parts.flatMap((part, i) => {
    if (i % 2) return [part.trim()];
    const words = part.split(SPACES);
    const beforeAddress = i + 1 < parts.length;
    return beforeAddress ? words.filter((word) => word.includes("@")) : words;
  });
}

// Each address of `text` once (compared without case), in the order typed: { valid, invalid }.
export function parseAddresses(text) {
  const words = text.replace(QUOTED, " ").split(ENTRIES).flatMap(entryWords).filter(Boolean);
  const seen = new Set();
  const valid = [];
  const invalid = [];
  for (const word of words) {
    const key = word.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    (isAddress(word) ? valid : invalid).push(word);
  }
  return { valid, invalid };
}

export function addressProblem(word) {
  return `“${word}” is not an e-mail address like name@example.com.`;
}

// A box for addresses. Each bad one gets its own message under it: at once for a paste, else
// when the box is left (not while an address is still being typed), and as soon as a
// shown problem is fixed. While any is bad the box is invalid, so its form will not submit.
export function addressBox({ id, onInput = () => {} }) {
  const hintId = uniqueId("address-hint");
  const problemsId = uniqueId("address-problems");
  const box = h("textarea", {
    id,
    rows: 3,
    testid: "address-input",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "ann@example.com, bo@example.com",
    "aria-describedby": `${hintId} ${problemsId}`,
  });
  const hint = h(
    "p",
    { id: hintId, className: "muted small" },
    "Separate addresses with commas, spaces or new lines. People without an account get an " +
      "e-mail with a link to join.",
  );
  const problems = h("ul", {
    id: problemsId,
    className: "field-hint problems",
    testid: "address-problems",
    hidden: true,
  });

  function check() {
    const { valid, invalid } = parseAddresses(box.value);
    clear(
      problems,
      invalid.map((word) => h("li", { className: "wrap" }, addressProblem(word))),
    );
    problems.hidden = !invalid.length;
    if (invalid.length) box.setAttribute("aria-invalid", "true");
    else box.removeAttribute("aria-invalid");
    const count = `${invalid.length} ${plural(invalid.length, "address", "addresses")}`;
    box.setCustomValidity(invalid.length ? `Correct or remove ${count}.` : "");
    return valid;
  }

  box.addEventListener("input", (event) => {
    if (!problems.hidden || event.inputType === "insertFromPaste") check();
    onInput();
  });
  box.addEventListener("change", check);
  return {
    box,
    below: [hint, problems],
    check,
    // Every word typed, good or bad: what the Send button counts.
    count: () => {
      const { valid, invalid } = parseAddresses(box.value);
      return valid.length + invalid.length;
    },
    keep(words) {
      box.value = words.join("\n");
      check();
    },
  };
}
