"""Webhook signing secrets: Standard Webhooks `whsec_` keys derived from a stored seed.

The database keeps only a random seed per webhook; the signing key is
HMAC-SHA256(SECRET_KEY, seed). A copy of the database (a backup, a read replica) is not
enough to forge deliveries, just as it is not enough to use a sign-in token or an
invitation link. The price: changing SECRET_KEY changes every webhook's secret, so each
must be rotated (rotateWebhookSecret) and its receiver updated afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
_CONTEXT = b"webhook-signing-secret:"


def new_seed() -> str:
    """A fresh seed: 256 random bits."""
    return secrets.token_urlsafe(32)


def signing_secret(secret_key: str, seed: str) -> str:
    """The `whsec_…` secret of a webhook with this seed: what its receiver verifies with."""
    key = hmac.new(secret_key.encode(), _CONTEXT + seed.encode(), hashlib.sha256).digest()
    return PREFIX + base64.b64encode(key).decode()
