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

const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const HOUR = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

export function when(iso) {
  if (!iso) return h("span", { className: "muted", "aria-label": "never" }, "—");
  const date = new Date(iso);
  return h(
    "time",
    { datetime: iso, title: date.toString() },
    h("span", { className: "day" }, DAY.format(date)),
    " ",
    h("span", { className: "hour muted small" }, HOUR.format(date)),
  );
}

export function person(user) {
  if (!user) return h("span", { className: "muted" }, "—");
  return h(
    "span",
    { className: "person" },
    h("span", {}, user.name),
    h("span", { className: "muted small" }, user.email),
  );
}

const STATUS_LABEL = { PENDING: "Pending", ACCEPTED: "Accepted", REJECTED: "Rejected" };

export function statusBadge(status) {
  return h(
    "span",
    { className: `badge badge-${status.toLowerCase()}` },
    STATUS_LABEL[status] ?? status,
  );
}

// A message area: role=alert so screen readers announce errors.
export function messageBox() {
  const el = h("p", { className: "message", role: "alert", hidden: true });
  return {
    el,
    error(err) {
      el.className = "message error";
      el.textContent = err?.message ?? String(err);
      el.hidden = false;
    },
    info(text) {
      el.className = "message info";
      el.textContent = text;
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      el.textContent = "";
    },
  };
}

// Run `work` with `buttons` disabled; errors go to `messages` (when given) and are swallowed.
export async function busy(buttons, work, messages = null) {
  const list = (Array.isArray(buttons) ? buttons : [buttons]).filter(Boolean);
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
  }
}

// A modal <dialog>: Escape and the Close button dismiss it; focus returns where it was.
export function modal({ title, body, actions = [], testid = null, onClose = () => {} }) {
  const opener = document.activeElement;
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const dialog = h(
    "dialog",
    { className: "dialog", "aria-labelledby": titleId, testid },
    h(
      "header",
      { className: "dialog-header" },
      h("h2", { id: titleId }, title),
      h(
        "button",
        { type: "button", className: "icon", "aria-label": "Close", onclick: () => dialog.close() },
        "×",
      ),
    ),
    h("div", { className: "dialog-body" }, body),
    actions.length ? h("footer", { className: "dialog-actions" }, actions) : null,
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

// Resolve true when the user confirms. The confirm button carries `confirmTestid`.
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
      body: h("p", {}, text),
      actions: [cancel, ok],
      testid: "confirm-dialog",
      onClose: () => resolve(confirmed),
    });
    ok.focus();
  });
}

// Keyset paging: a stack of `after` cursors, one per page visited.
export class Pager {
  constructor() {
    this.cursors = [null];
  }
  get after() {
    return this.cursors.at(-1);
  }
  get page() {
    return this.cursors.length;
  }
  reset() {
    this.cursors = [null];
  }
  next(endCursor) {
    this.cursors.push(endCursor);
  }
  previous() {
    if (this.cursors.length > 1) this.cursors.pop();
  }
  // The current page from `fetchPage(after)`, stepping back while a later page has emptied
  // (rows answered or deleted meanwhile); null, with the error shown, when a request fails.
  async load(fetchPage, messages) {
    for (;;) {
      let connection;
      try {
        connection = await fetchPage(this.after);
      } catch (err) {
        messages.error(err);
        return null;
      }
      if (connection.nodes.length || this.page === 1) return connection;
      this.previous();
    }
  }
}

export function pagerControls(pager, connection, reload) {
  const { pageInfo, totalCount, nodes } = connection;
  const prev = h(
    "button",
    {
      type: "button",
      disabled: pager.page === 1,
      onclick: () => {
        pager.previous();
        reload();
      },
    },
    "Previous",
  );
  const next = h(
    "button",
    {
      type: "button",
      disabled: !pageInfo.hasNextPage,
      onclick: () => {
        pager.next(pageInfo.endCursor);
        reload();
      },
    },
    "Next",
  );
  return h(
    "nav",
    { className: "pager", "aria-label": "Pages" },
    h("span", { className: "muted" }, `Page ${pager.page} · ${nodes.length} of ${totalCount}`),
    prev,
    next,
  );
}

// A paged table: each reload fetches the pager's current page through `fetchPage(after)` and
// redraws it with `table(connection)` above the Previous/Next controls.
export function pagedTable({ fetchPage, table, messages }) {
  const pager = new Pager();
  const el = h("div", {});
  async function reload() {
    const connection = await pager.load(fetchPage, messages);
    if (!connection) return;
    clear(el, table(connection), pagerControls(pager, connection, reload));
  }
  return {
    el,
    reload,
    // Back to the first page (the filter changed).
    reset() {
      pager.reset();
      return reload();
    },
  };
}

// A table with a header row; `rows` are <tr> elements, `empty` shows when there are none.
export function dataTable({ testid, columns, rows, empty = "Nothing here yet." }) {
  const cols = columns.filter((c) => c != null);
  return h(
    "div",
    { className: "table-wrap" },
    h(
      "table",
      { className: "table", testid },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          cols.map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.length
          ? rows
          : h("tr", {}, h("td", { colspan: cols.length, className: "empty" }, empty)),
      ),
    ),
  );
}
