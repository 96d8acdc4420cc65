"""The migrations build exactly the schema the models describe, plus the partial index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise import Tortoise
from tortoise.connection import get_connection

from app.__main__ import migrate
from app.db import tortoise_config
from app.settings import Settings
from tests.conftest import PARTIAL_INDEX_SQL


def schema_of(path: Path) -> dict[str, set[str]]:
    """Tables with their columns, and index definitions, as SQLite reports them."""
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name != 'tortoise_migrations'"
            )
        ]
        shape = {
            t: {f"{c[1]} {c[2]} notnull={c[3]}" for c in db.execute(f"PRAGMA table_info('{t}')")}
            for t in tables
        }
        shape["indexes"] = {
            f"{tbl}({','.join(c[2] for c in db.execute(f'PRAGMA index_info({name!r})'))})"
            f" unique={unique} partial={partial}"
            for tbl in tables
            for _, name, unique, _, partial in db.execute(f"PRAGMA index_list('{tbl}')")
        }
    return shape


async def test_migrations_match_the_models(tmp_path: Path) -> None:
    migrated, generated = tmp_path / "migrated.sqlite3", tmp_path / "generated.sqlite3"
    await migrate(Settings(database_url=f"sqlite://{migrated}"))
    await Tortoise.init(config=tortoise_config(f"sqlite://{generated}"))
    try:
        await Tortoise.generate_schemas()
        await get_connection("default").execute_script(PARTIAL_INDEX_SQL)
    finally:
        await Tortoise.close_connections()

    assert schema_of(migrated) == schema_of(generated)
    assert "invitation(domain_id,invitee_id) unique=1 partial=1" in schema_of(migrated)["indexes"]


async def test_migrate_twice_is_a_no_op(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite://{tmp_path}/app.sqlite3")
    await migrate(settings)
    before = schema_of(tmp_path / "app.sqlite3")

    await migrate(settings)

    assert schema_of(tmp_path / "app.sqlite3") == before
