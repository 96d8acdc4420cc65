// DOM helpers. Text always goes in through text nodes, never as HTML.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "testid") {
      el.dataset.testid = value;
    } else {
      el.setAttribute(key === "className" ? "class" : key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let lastId = 0;
// A document-unique id for aria-controls, aria-describedby and aria-labelledby.
export function uniqueId(prefix) {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

// After an item left a list (answered, deleted), focus the first button of the item that took
// its place, or of the new last item; `fallback` when the list is empty. Keeps a screen
// reader's place instead of dropping focus to <body>.
export function focusInList(items, index, fallback) {
  const item = items[Math.min(index, items.length - 1)];
  const target = item?.querySelector("button") ?? fallback;
  target?.focus();
}

// Where focus is (within `region`), as a selector that finds the same control again after a
// redraw: its data-testid, within its nearest row or card with a data-id. Null when the
// focused element has no data-testid.
export function focusKey(region = document.body) {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !region.contains(active) || !active.dataset.testid)
    return null;
  const holder = active.closest("[data-id]");
  const within = holder ? `[data-id="${CSS.escape(holder.dataset.id)}"] ` : "";
  return `${within}[data-testid="${CSS.escape(active.dataset.testid)}"]`;
}

// Focus what `key` names in `region`, unless focus has found a place meanwhile (it falls to
// <body> when the focused control is disabled or redrawn).
export function restoreFocus(key, region = document) {
  const lost = !document.activeElement || document.activeElement === document.body;
  if (key && lost) region.querySelector(key)?.focus({ preventScroll: true });
}
