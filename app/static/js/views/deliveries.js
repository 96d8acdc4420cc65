// A webhook's delivery log: each event sent (or to be sent) with its status and attempts, ten
// a page, each delivery's attempts and payload in a details row. While a delivery on the
// page is pending, the log looks again every few seconds.
import { h } from "../dom.js";
import { nothing, when } from "../format.js";
import { WEBHOOK_DELIVERIES } from "../operations.js";
import { dataTable, expandable, pagedTable } from "../table.js";
import { eventName } from "./webhook-form.js";

const PAGE = 10;
const POLL_MS = 4000;
const STATUS = {
  PENDING: ["Pending", "badge-pending"],
  SUCCEEDED: ["Succeeded", "badge-accepted"],
  FAILED: ["Failed", "badge-rejected"],
};
const COLUMNS = [
  "Event",
  "Status",
  "Attempts",
  "Last answer",
  "Last attempt",
  "Next attempt",
  "Happened",
  "Details",
];

function statusBadge(status) {
  const [label, style] = STATUS[status] ?? [status, ""];
  return h("span", { className: `badge ${style}` }, label);
}

function answer(code) {
  return code == null ? nothing("no answer") : h("span", {}, `HTTP ${code}`);
}

// A body sent or answered; it scrolls when long, so it can take focus to scroll by keyboard.
function body(text) {
  return h("pre", { className: "body", tabindex: "0" }, text);
}

function attempt(item) {
  return h(
    "li",
    { testid: "attempt" },
    when(item.at),
    " · ",
    item.error
      ? h("span", { className: "wrap error-text" }, item.error)
      : h("span", {}, `HTTP ${item.statusCode}`),
    ` · ${item.durationMs} ms`,
    item.responseBody ? body(item.responseBody) : null,
  );
}

function pretty(payload) {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

function details(delivery) {
  return [
    h("p", { className: "small muted wrap" }, `Event id ${delivery.eventId}`),
    delivery.attemptLog.length
      ? h("ol", { className: "history", testid: "attempt-log" }, delivery.attemptLog.map(attempt))
      : h("p", { className: "muted" }, "No attempt yet."),
    h(
      "details",
      { className: "payload" },
      h("summary", {}, "Payload"),
      body(pretty(delivery.payload)),
    ),
  ];
}

function rows(delivery, open) {
  const more = expandable({
    key: delivery.id,
    colspan: COLUMNS.length,
    content: details(delivery),
    open,
    text: "Attempts",
    label: `Attempts of the ${eventName(delivery.eventType)} delivery`,
    testid: "attempts-button",
  });
  const row = h(
    "tr",
    { testid: "delivery-row", "data-id": delivery.id, "data-status": delivery.status },
    h("td", {}, h("code", {}, eventName(delivery.eventType))),
    h("td", {}, h("span", { className: "badges" }, statusBadge(delivery.status))),
    h("td", {}, String(delivery.attempts)),
    h("td", {}, answer(delivery.lastStatusCode)),
    h("td", {}, when(delivery.lastAttemptAt)),
    h(
      "td",
      {},
      delivery.nextAttemptAt ? when(delivery.nextAttemptAt) : nothing("no more attempts"),
    ),
    h("td", {}, when(delivery.createdAt)),
    h("td", {}, h("div", { className: "row-actions" }, more.toggle)),
  );
  return [row, more.row];
}

// The log of `webhook` in `domain`: { el, reload, stop }.
export function deliveryLog(ctx, domain, webhook) {
  const open = new Set(); // deliveries whose attempts are shown, kept across reloads
  let timer = null;
  let stopped = false;

  async function fetchPage(after) {
    clearTimeout(timer);
    const variables = { domainId: domain.id, first: PAGE, after };
    const found = (await ctx.api.request(WEBHOOK_DELIVERIES, variables)).webhooks.find(
      (w) => w.id === webhook.id,
    );
    if (!found) throw new Error("This webhook no longer exists.");
    const page = found.deliveries;
    const waiting = page.nodes.some((d) => d.status === "PENDING");
    if (waiting && !stopped) timer = setTimeout(log.reload, POLL_MS);
    return page;
  }

  const log = pagedTable({
    fetchPage,
    table: (connection) =>
      connection.totalCount === 0
        ? h(
            "p",
            { className: "empty", testid: "deliveries-empty" },
            "No deliveries yet: one is made for each event this webhook receives.",
          )
        : dataTable({
            testid: "deliveries-table",
            columns: COLUMNS,
            rows: connection.nodes.flatMap((delivery) => rows(delivery, open)),
          }),
  });
  return {
    el: log.el,
    reload: log.reload,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
