// Sign in and sign up.
import { h } from "../dom.js";
import { field, lengthLimit } from "../fields.js";
import { unwrap } from "../graphql.js";
import { SIGN_IN, SIGN_UP } from "../operations.js";
import { busy, messageBox } from "../states.js";

const NAME_MAX = 100;
const PASSWORD_MIN = 8;

export function authView(ctx, mode) {
  const signingUp = mode === "signup";
  const messages = messageBox();
  const name = h("input", { name: "name", autocomplete: "name", required: true });
  const limit = lengthLimit(name, { max: NAME_MAX, what: "A name" });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
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

  async function onsubmit(event) {
    event.preventDefault();
    await busy(
      submit,
      async () => {
        const credentials = { email: email.value, password: password.value };
        const payload = signingUp
          ? unwrap((await ctx.api.request(SIGN_UP, { ...credentials, name: name.value })).signUp)
          : unwrap((await ctx.api.request(SIGN_IN, credentials)).signIn);
        await ctx.signedIn(payload.token, payload.user);
      },
      messages,
    );
  }

  const el = h(
    "section",
    { className: "card narrow" },
    h("h1", {}, signingUp ? "Create an account" : "Sign in"),
    h(
      "form",
      { onsubmit, className: "stack" },
      signingUp ? field("Name", name, limit.hint) : null,
      field("Email", email),
      field("Password", password),
      messages.el,
      submit,
    ),
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
  return { el, focus: signingUp ? name : email };
}
