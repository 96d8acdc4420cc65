// Adding a webhook or changing one: its URL, the events it receives and a note. A new
// webhook's secret is shown once, in the same dialog.
import { modal } from "../dialogs.js";
import { h, uniqueId } from "../dom.js";
import { field, lengthLimit } from "../fields.js";
import { ApiError, isUserError } from "../graphql.js";
import { CREATE_WEBHOOK, UPDATE_WEBHOOK } from "../operations.js";
import { busy, messageBox } from "../states.js";
import { secretPanel } from "./secret.js";

const URL_MAX = 2048;
const DESCRIPTION_MAX = 500;

// The API's WebhookEventType values, in its order, by group.
export const EVENT_GROUPS = [
  [
    "Invitations",
    [
      ["INVITATION_SENT", "An invitation was sent"],
      ["INVITATION_RESENT", "A declined or expired invitation was resent"],
      ["INVITATION_ACCEPTED", "An invitee accepted"],
      ["INVITATION_REJECTED", "An invitee declined"],
      ["INVITATION_DELETED", "A pending invitation was deleted"],
      ["INVITATION_EXPIRED", "A pending invitation expired"],
      ["INVITATION_CLAIMED", "An invitation by e-mail was claimed"],
    ],
  ],
  [
    "Members",
    [
      ["MEMBER_JOINED", "Someone became a member"],
      ["MEMBER_ROLE_CHANGED", "A member's role was changed"],
      ["MEMBER_REMOVED", "A member was removed"],
      ["MEMBER_LEFT", "A member left the domain"],
    ],
  ],
];

// The `type` a delivery's payload carries: INVITATION_SENT is "invitation.sent".
export function eventName(value) {
  return value.toLowerCase().replace("_", ".");
}

function eventChoices(chosen) {
  const boxes = [];
  const groups = EVENT_GROUPS.map(([legend, events]) =>
    h(
      "fieldset",
      { className: "event-group" },
      h("legend", {}, legend),
      events.map(([value, meaning]) => {
        const box = h("input", {
          type: "checkbox",
          value,
          checked: chosen.has(value),
          testid: "event-option",
        });
        boxes.push(box);
        return h(
          "label",
          { className: "choice" },
          box,
          h(
            "span",
            { className: "event-text" },
            h("code", {}, eventName(value)),
            h("span", { className: "muted small" }, meaning),
          ),
        );
      }),
    ),
  );
  return { boxes, el: h("div", { className: "event-groups" }, groups) };
}

function sameEvents(a, b) {
  return a.length === b.length && a.every((value) => b.includes(value));
}

// What to send: everything for a new webhook; for a change, only what changed.
function changes(webhook, values) {
  if (!webhook) return values;
  const changed = {};
  if (values.url !== webhook.url) changed.url = values.url;
  if (!sameEvents(values.events, webhook.events)) changed.events = values.events;
  if (values.description !== (webhook.description ?? "")) changed.description = values.description;
  return changed;
}

// `webhook` null adds one to `domain`. `onSaved(webhook)` runs after each success.
export function webhookDialog(ctx, { domain, webhook = null, onSaved }) {
  const messages = messageBox();
  const url = h("input", {
    name: "url",
    type: "url",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://example.com/webhooks",
    value: webhook?.url ?? null,
    testid: "webhook-url",
  });
  const urlLimit = lengthLimit(url, { max: URL_MAX, what: "A URL" });
  const description = h("textarea", {
    name: "description",
    rows: 2,
    testid: "webhook-description",
  });
  description.value = webhook?.description ?? "";
  const descriptionLimit = lengthLimit(description, {
    max: DESCRIPTION_MAX,
    what: "A description",
  });
  const events = eventChoices(new Set(webhook?.events ?? []));
  const eventsHint = h("p", { className: "field-hint", role: "alert", hidden: true });
  const fields = { url, events: events.boxes[0], description };
  const submit = h(
    "button",
    { type: "submit", className: "primary", testid: "webhook-submit" },
    webhook ? "Save changes" : "Add webhook",
  );
  const formId = uniqueId("webhook-form");

  function chosenEvents() {
    const chosen = events.boxes.filter((box) => box.checked).map((box) => box.value);
    eventsHint.textContent = chosen.length ? "" : "Choose at least one event.";
    eventsHint.hidden = Boolean(chosen.length);
    return chosen;
  }

  // The field the API refused, marked and focused; the message goes to the form.
  function refused(result) {
    const target = fields[result.field];
    target?.setAttribute("aria-invalid", "true");
    target?.focus();
    return new ApiError(result.message, result.code);
  }

  async function save(values) {
    if (!webhook) {
      const variables = { domainId: domain.id, ...values };
      const result = (await ctx.api.request(CREATE_WEBHOOK, variables)).createWebhook;
      if (isUserError(result)) throw refused(result);
      return result;
    }
    const changed = changes(webhook, values);
    if (!Object.keys(changed).length) return { webhook };
    const variables = { webhookId: webhook.id, ...changed };
    const result = (await ctx.api.request(UPDATE_WEBHOOK, variables)).updateWebhook;
    if (isUserError(result)) throw refused(result);
    return { webhook: result };
  }

  async function onsubmit(event) {
    event.preventDefault();
    const chosen = chosenEvents();
    if (!chosen.length) return events.boxes[0].focus();
    if (!urlLimit.check() || !descriptionLimit.check()) return;
    for (const input of [url, description]) input.removeAttribute("aria-invalid");
    await busy(
      submit,
      async () => {
        const values = { url: url.value.trim(), events: chosen, description: description.value };
        const saved = await save(values);
        // Closed first, so that focus is back on the opener when the list is redrawn.
        if (saved.secret) showSecret(saved.secret);
        else dialog.close();
        await onSaved(saved.webhook);
      },
      messages,
    );
  }

  function showSecret(secret) {
    const panel = secretPanel(secret);
    const done = h("button", { type: "button", onclick: () => dialog.close() }, "Done");
    dialog.replace({ title: "Webhook added", body: panel.el, actions: [done] });
    panel.focus.focus();
  }

  const form = h(
    "form",
    { className: "stack", id: formId, onsubmit },
    field("URL", url, urlLimit.hint),
    h(
      "div",
      { className: "field", role: "group", "aria-labelledby": `${formId}-events` },
      h("span", { id: `${formId}-events` }, "Events"),
      events.el,
      eventsHint,
    ),
    field("Description (optional)", description, descriptionLimit.hint),
    messages.el,
  );
  submit.setAttribute("form", formId);
  const dialog = modal({
    title: webhook ? "Edit webhook" : `Add a webhook to ${domain.name}`,
    body: form,
    actions: [h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"), submit],
    testid: "webhook-dialog",
  });
  url.focus();
  return dialog;
}
