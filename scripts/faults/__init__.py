"""The server under faults, tried as an operator would; loopback only, bounded, every
process it starts stopped (see __main__ for the three scenarios)."""

from __future__ import annotations

import os

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
