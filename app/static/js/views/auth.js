// Sign in and sign up: the pages, and the form the invitation page uses too.
import { h } from "../dom.js";
import { field, lengthLimit } from "../fields.js";
import { unwrap } from "../graphql.js";
import { SIGN_IN, SIGN_UP } from "../operations.js";
import { busy, messageBox } from "../states.js";

const NAME_MAX = 100;
const PASSWORD_MIN = 8;

// The sign-in or sign-up form. `done(payload)` gets the AuthPayload; `extra` goes with signUp
// (an invitation link's secret); `explain(err)` may put an error in better words.
export function credentialsForm(
  ctx,
  { signingUp, email: address = "", extra = {}, done, explain = (err) => err },
) {
  const messages = messageBox();
  const name = h("input", { name: "name", autocomplete: "name", required: true });
  const limit = lengthLimit(name, { max: NAME_MAX, what: "A name" });
  const email = h("input", {
    name: "email",
    type: "email",
    autocomplete: "email",
    required: true,
    value: address || null,
  });
  const password = h("input", {
    name: "password",
    type: "password",
    autocomplete: signingUp ? "new-password" : "current-password",
    required: true,
    minlength: signingUp ? PASSWORD_MIN : null,
  });
  const submit = h(
    "button",
    { type: "submit", className: "primary" },
    signingUp ? "Create account" : "Sign in",
  );

  async function signIn(credentials) {
    if (!signingUp) return unwrap((await ctx.api.request(SIGN_IN, credentials)).signIn);
    const variables = { ...credentials, name: name.value, ...extra };
    return unwrap((await ctx.api.request(SIGN_UP, variables)).signUp);
  }

  async function onsubmit(event) {
    event.preventDefault();
    await busy(
      submit,
      async () => {
        try {
          await done(await signIn({ email: email.value, password: password.value }));
        } catch (err) {
          throw explain(err);
        }
      },
      messages,
    );
  }

  const form = h(
    "form",
    { onsubmit, className: "stack" },
    signingUp ? field("Name", name, limit.hint) : null,
    field("Email", email),
    field("Password", password),
    messages.el,
    submit,
  );
  return { form, focus: signingUp ? name : email };
}

export function authView(ctx, mode) {
  const signingUp = mode === "signup";
  const { form, focus } = credentialsForm(ctx, {
    signingUp,
    done: (payload) => ctx.signedIn(payload.token, payload.user),
  });
  const el = h(
    "section",
    { className: "card narrow" },
    h("h1", {}, signingUp ? "Create an account" : "Sign in"),
    form,
    h(
      "p",
      { className: "muted" },
      signingUp ? "Already have an account? " : "New here? ",
      h(
        "a",
        { href: signingUp ? "#/signin" : "#/signup" },
        signingUp ? "Sign in" : "Create an account",
      ),
    ),
  );
  return { el, focus };
}
