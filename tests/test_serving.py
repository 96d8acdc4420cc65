"""What `python -m app serve` runs in each worker (the servers the process tests start
run it too)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from starlette.applications import Starlette

from app.main import serving_app


def test_the_serving_app_keeps_its_start_up_objects_out_of_the_collectors_scans(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'serving.sqlite3'}")
    before = gc.get_freeze_count()
    try:
        app = serving_app()
        assert isinstance(app, Starlette)
        # Modules, the schema and the app: many thousands of objects, none scanned again.
        assert gc.get_freeze_count() - before > 10_000
    finally:
        gc.unfreeze()
