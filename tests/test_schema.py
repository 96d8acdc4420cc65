from __future__ import annotations

from pathlib import Path

import pytest

from app.graphql.artifacts import artifacts


@pytest.mark.parametrize(
    ("path", "text"), artifacts().items(), ids=lambda p: getattr(p, "name", "")
)
def test_generated_file_is_current(path: Path, text: str) -> None:
    assert path.read_text(encoding="utf-8") == text, (
        f"{path.name} is stale: run scripts/schema and commit the result"
    )
