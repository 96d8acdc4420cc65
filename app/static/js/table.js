// Tables: keyset paging, and a table that turns into cards on narrow screens (each cell
// carries its column's name in data-label for the stylesheet to show).
import { h, uniqueId } from "./dom.js";
import { loadable, skeleton } from "./states.js";

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
  // (rows answered or deleted meanwhile).
  async load(fetchPage) {
    for (;;) {
      const connection = await fetchPage(this.after);
      if (connection.nodes.length || this.page === 1) return connection;
      this.previous();
    }
  }
}

export function pagerControls(pager, connection, reload) {
  const { pageInfo, totalCount, nodes } = connection;
  const step = (move) => () => {
    move();
    reload();
  };
  return h(
    "nav",
    { className: "pager", "aria-label": "Pages" },
    h("span", { className: "muted" }, `Page ${pager.page} · ${nodes.length} of ${totalCount}`),
    h(
      "button",
      { type: "button", disabled: pager.page === 1, onclick: step(() => pager.previous()) },
      "Previous",
    ),
    h(
      "button",
      {
        type: "button",
        disabled: !pageInfo.hasNextPage,
        onclick: step(() => pager.next(pageInfo.endCursor)),
      },
      "Next",
    ),
  );
}

// A table with a header row; `rows` are <tr> elements, `empty` shows when there are none.
export function dataTable({ testid, columns, rows, empty = "Nothing here yet." }) {
  const cols = columns.filter((c) => c != null);
  for (const row of rows) {
    if (row.cells.length !== cols.length) continue; // a details row spanning the table
    for (const [i, cell] of [...row.cells].entries()) cell.dataset.label = cols[i];
  }
  const none = h("tr", {}, h("td", { colspan: cols.length, className: "empty" }, empty));
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
      h("tbody", {}, rows.length ? rows : none),
    ),
  );
}

// A row's details (history, attempts) in a row below it that spans the table, and the button
// that shows or hides them. `open` is the Set of keys whose details stay shown across reloads.
export function expandable({ key, colspan, content, open, text, label, testid }) {
  const row = h(
    "tr",
    { className: "details-row", id: uniqueId("details"), hidden: !open.has(key) },
    h("td", { colspan }, content),
  );
  const toggle = h(
    "button",
    {
      type: "button",
      testid,
      "aria-expanded": String(open.has(key)),
      "aria-controls": row.id,
      "aria-label": label,
    },
    text,
  );
  toggle.addEventListener("click", () => {
    const show = row.hidden;
    row.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
    if (show) open.add(key);
    else open.delete(key);
  });
  return { row, toggle };
}

// A paged table: each reload fetches the pager's current page through `fetchPage(after)` and
// draws it with `table(connection)` above the Previous/Next controls; a skeleton before the
// first page, the error and Retry in place of the rows when a load fails.
export function pagedTable({ fetchPage, table, lines = 4 }) {
  const pager = new Pager();
  const region = loadable({
    load: () => pager.load(fetchPage),
    render: (connection) => [table(connection), pagerControls(pager, connection, region.reload)],
    placeholder: skeleton(lines),
  });
  return {
    el: region.el,
    reload: region.reload,
    // Back to the first page (the filter changed).
    reset() {
      pager.reset();
      return region.reload();
    },
  };
}
