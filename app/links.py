"""One-time invitation links: the secret in `{PUBLIC_URL}/#/invite/{secret}`.

    nonce   128 random bits, kept in the outbox row of the e-mail that carries the link
    secret  HMAC-SHA256(SECRET_KEY, "invitation-link:" + nonce) in base64url (43
            characters, 256 bits): computed when the e-mail is rendered, never stored
    digest  HMAC-SHA256(SECRET_KEY, "invitation-secret:" + secret) in hex: the only trace
            of the secret on the invitation (`secret_hash`, unique), and what a presented
            secret is looked up by

So the database alone never holds a usable secret: the outbox holds a nonce that is
worthless without SECRET_KEY (and is erased once the e-mail is sent or given up), the
invitation holds a keyed hash. Looking a presented secret up by its keyed hash is
constant-time with respect to the secret, for the reason `app.auth.Authenticator.hash_token`
gives for sign-in tokens. The two labels keep a secret and its digest from ever being the
same function of the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

NONCE_BYTES = 16
# Longer than any secret issued; a longer string is unknown without being hashed.
MAX_SECRET_LENGTH = 128
# What a secret is made of (URL-safe base64); anything else cannot be one.
SECRET_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_SECRET_LENGTH}}}")


class LinkKeys:
    def __init__(self, secret_key: str) -> None:
        self._key = secret_key.encode()

    def _mac(self, label: str, value: str) -> bytes:
        return hmac.new(self._key, f"{label}:{value}".encode(), hashlib.sha256).digest()

    def issue(self) -> tuple[str, str]:
        """A new link: the nonce its e-mail keeps, and the digest its invitation keeps."""
        nonce = secrets.token_hex(NONCE_BYTES)
        return nonce, self.digest(self.secret(nonce))

    def secret(self, nonce: str) -> str:
        """The secret of the link issued with `nonce` (URL-safe, no padding)."""
        mac = self._mac("invitation-link", nonce)
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def digest(self, secret: str) -> str:
        """The keyed hash an invitation stores for `secret`."""
        return self._mac("invitation-secret", secret).hex()

    def lookup_digest(self, presented: str) -> str | None:
        """The digest to look a presented secret up by; None when it cannot be one."""
        secret = presented.strip()
        if not SECRET_PATTERN.fullmatch(secret):
            return None
        return self.digest(secret)
