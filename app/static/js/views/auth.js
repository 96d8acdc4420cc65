// Sign in and sign up.
import { busy, h, messageBox } from "../dom.js";
import { unwrap } from "../graphql.js";
import { SIGN_IN, SIGN_UP } from "../operations.js";

function field(label, input) {
  return h("label", { className: "field" }, h("span", {}, label), input);
}

export function authView(ctx, mode) {
  const signingUp = mode === "signup";
  const messages = messageBox();
  const name = h("input", { name: "name", autocomplete: "name", required: true, maxlength: 100 });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
  const password = h("input", {
    name: "password",
    type: "password",
    autocomplete: signingUp ? "new-password" : "current-password",
    required: true,
    minlength: signingUp ? 8 : null,
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
        const payload = signingUp
          ? unwrap(
              (
                await ctx.api.request(SIGN_UP, {
                  name: name.value,
                  email: email.value,
                  password: password.value,
                })
              ).signUp,
            )
          : unwrap(
              (await ctx.api.request(SIGN_IN, { email: email.value, password: password.value }))
                .signIn,
            );
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
      signingUp ? field("Name", name) : null,
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
  queueMicrotask(() => (signingUp ? name : email).focus());
  return { el };
}
