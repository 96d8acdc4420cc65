// A domain's Webhooks tab, for holders of WEBHOOK_MANAGE: each webhook with its events and
// state; add, edit, disable or enable, rotate the secret, delete; and its delivery log.
import { confirmDialog, modal } from "../dialogs.js";
import { clear, focusInList, h, uniqueId } from "../dom.js";
import { clip, when } from "../format.js";
import { unwrap } from "../graphql.js";
import { DELETE_WEBHOOK, ROTATE_WEBHOOK_SECRET, UPDATE_WEBHOOK, WEBHOOKS } from "../operations.js";
import { busy, loadable, messageBox, skeleton } from "../states.js";
import { can } from "./access.js";
import { deliveryLog } from "./deliveries.js";
import { keepCurrent, liveNote } from "./live.js";
import { secretPanel } from "./secret.js";
import { eventName, webhookDialog } from "./webhook-form.js";

function stateBadge(webhook) {
  const [label, style] = webhook.enabled
    ? ["Enabled", "badge-accepted"]
    : [webhook.disabledReason ? "Disabled automatically" : "Disabled", "badge-muted"];
  return h("span", { className: `badge ${style}`, testid: "webhook-state" }, label);
}

// Why nothing is sent: disabled by hand, or by the API after a long run of failures.
function disabledNote(webhook) {
  if (webhook.enabled) return null;
  if (!webhook.disabledReason) {
    return h(
      "p",
      { className: "muted small", testid: "disabled-note" },
      "Disabled: events that happen now are not sent to it; enable it to receive the next ones.",
    );
  }
  return h(
    "p",
    { className: "message error wrap", testid: "disabled-reason" },
    `${webhook.disabledReason} Enable it again once the receiver answers; its waiting deliveries go then.`,
  );
}

function showSecret(secret) {
  const panel = secretPanel(secret);
  const done = h("button", { type: "button", onclick: () => dialog.close() }, "Done");
  const dialog = modal({
    title: "New signing secret",
    body: panel.el,
    actions: [done],
    testid: "secret-dialog",
  });
  panel.focus.focus();
}

export function webhooksTab(ctx, domain) {
  if (!can(domain, "WEBHOOK_MANAGE")) {
    const why = "Your role does not let you manage this domain's webhooks.";
    return { el: h("p", { className: "empty" }, why), refresh: () => {}, cleanup: () => {} };
  }
  const messages = messageBox();
  const logs = new Map(); // webhook id -> its delivery log, while shown
  const add = h(
    "button",
    { type: "button", className: "primary", testid: "add-webhook" },
    "Add webhook",
  );
  const list = loadable({
    load: async () => (await ctx.api.request(WEBHOOKS, { domainId: domain.id })).webhooks,
    render,
    placeholder: skeleton(4),
  });
  const cards = () => [...list.el.querySelectorAll("[data-testid=webhook-card]")];

  async function change(button, variables, done) {
    await busy(
      button,
      async () => {
        unwrap((await ctx.api.request(UPDATE_WEBHOOK, variables)).updateWebhook);
        messages.info(done);
        await list.reload();
      },
      messages,
    );
  }

  async function rotate(button, webhook) {
    const confirmed = await confirmDialog({
      title: "Rotate the signing secret",
      text: `The secret of ${webhook.url} stops signing at once: every delivery from now on is signed with the new one, which your receiver must use.`,
      confirmLabel: "Rotate secret",
      danger: true,
    });
    if (!confirmed) return;
    const rotated = await busy(
      button,
      async () => {
        const variables = { webhookId: webhook.id };
        return unwrap(
          (await ctx.api.request(ROTATE_WEBHOOK_SECRET, variables)).rotateWebhookSecret,
        );
      },
      messages,
    );
    // Once the button is enabled and focused again, so that closing the secret returns there.
    if (rotated) showSecret(rotated.secret);
  }

  async function remove(button, webhook) {
    const confirmed = await confirmDialog({
      title: "Delete webhook",
      text: `This deletes the webhook ${webhook.url} and its delivery log; nothing more is sent to it.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (!confirmed) return;
    const index = cards().findIndex((card) => card.dataset.id === webhook.id);
    await busy(
      button,
      async () => {
        const variables = { webhookId: webhook.id };
        unwrap((await ctx.api.request(DELETE_WEBHOOK, variables)).deleteWebhook);
        messages.info(`Webhook ${webhook.url} deleted.`);
        await list.reload();
        focusInList(cards(), index, add);
      },
      messages,
    );
  }

  // The Deliveries button and the panel it shows; an open log survives the list's reloads.
  function logPanel(webhook) {
    const panel = h("div", {
      id: uniqueId("deliveries"),
      className: "delivery-log",
      hidden: !logs.has(webhook.id),
    });
    const fill = (log) =>
      clear(
        panel,
        h(
          "div",
          { className: "toolbar" },
          h("h3", {}, "Delivery log"),
          h("span", { className: "grow" }),
          h("button", { type: "button", onclick: () => log.reload() }, "Refresh log"),
        ),
        log.el,
      );
    if (logs.has(webhook.id)) fill(logs.get(webhook.id));
    const toggle = h(
      "button",
      {
        type: "button",
        testid: "deliveries-button",
        "aria-expanded": String(logs.has(webhook.id)),
        "aria-controls": panel.id,
        "aria-label": `Deliveries of ${webhook.url}`,
      },
      "Deliveries",
    );
    toggle.addEventListener("click", () => {
      const show = panel.hidden;
      if (show) {
        const log = deliveryLog(ctx, domain, webhook);
        logs.set(webhook.id, log);
        fill(log);
        log.reload();
      } else {
        logs.get(webhook.id)?.stop();
        logs.delete(webhook.id);
        clear(panel);
      }
      panel.hidden = !show;
      toggle.setAttribute("aria-expanded", String(show));
    });
    return { toggle, panel };
  }

  function actions(webhook) {
    const button = (label, testid, props = {}) =>
      h(
        "button",
        { type: "button", testid, "aria-label": `${label} ${webhook.url}`, ...props },
        label,
      );
    const edit = button("Edit", "edit-webhook");
    const enable = button(webhook.enabled ? "Disable" : "Enable", "toggle-webhook");
    const rotating = button("Rotate secret", "rotate-secret");
    const deleting = button("Delete", "delete-webhook", { className: "danger" });
    edit.addEventListener("click", () =>
      webhookDialog(ctx, { domain, webhook, onSaved: () => list.reload() }),
    );
    enable.addEventListener("click", () =>
      change(
        enable,
        { webhookId: webhook.id, enabled: !webhook.enabled },
        webhook.enabled ? `Webhook ${webhook.url} disabled.` : `Webhook ${webhook.url} enabled.`,
      ),
    );
    rotating.addEventListener("click", () => rotate(rotating, webhook));
    deleting.addEventListener("click", () => remove(deleting, webhook));
    return [edit, enable, rotating, deleting];
  }

  function card(webhook) {
    const log = logPanel(webhook);
    return h(
      "li",
      { className: "card webhook", testid: "webhook-card", "data-id": webhook.id },
      h(
        "div",
        { className: "webhook-head" },
        h("h2", { className: "webhook-url" }, clip(webhook.url)),
        stateBadge(webhook),
      ),
      disabledNote(webhook),
      webhook.description
        ? h("p", { className: "wrap", testid: "webhook-description" }, webhook.description)
        : null,
      h(
        "ul",
        { className: "tags", "aria-label": "Events" },
        webhook.events.map((event) => h("li", {}, h("code", {}, eventName(event)))),
      ),
      h("p", { className: "muted small" }, "Added ", when(webhook.createdAt)),
      h("div", { className: "row-actions" }, log.toggle, actions(webhook)),
      log.panel,
    );
  }

  function render(webhooks) {
    for (const [id, log] of logs) {
      if (webhooks.some((webhook) => webhook.id === id)) continue;
      log.stop();
      logs.delete(id);
    }
    if (!webhooks.length) {
      return h(
        "p",
        { className: "empty", testid: "empty-state" },
        "No webhooks yet. Add one to have this domain's events POSTed to your server, each " +
          "signed with a secret only it knows.",
      );
    }
    return h("ul", { className: "webhooks" }, webhooks.map(card));
  }

  function reloadLogs() {
    for (const log of logs.values()) log.reload();
  }

  function reloadAll() {
    reloadLogs();
    return list.reload();
  }

  add.addEventListener("click", () => webhookDialog(ctx, { domain, onSaved: () => list.reload() }));
  const refresh = h(
    "button",
    { type: "button", onclick: () => busy(refresh, reloadAll) },
    "Refresh",
  );
  list.reload();
  // Each invitation event makes a delivery for the webhooks that receive it: open logs
  // show it as soon as it exists.
  const note = liveNote();
  const stop = can(domain, "INVITATION_READ") ? keepCurrent(ctx, domain, reloadLogs, note) : null;
  return {
    el: h(
      "div",
      {},
      h("div", { className: "toolbar" }, h("span", { className: "grow" }), refresh, add),
      note,
      messages.el,
      list.el,
    ),
    refresh: reloadAll,
    cleanup() {
      stop?.();
      for (const log of logs.values()) log.stop();
    },
  };
}
