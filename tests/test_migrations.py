"""The migrations build exactly the schema the models describe, plus the partial index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.migrations.api import migrate as run_migrations

from app.__main__ import migrate
from app.db import generate_schema, tortoise_config
from app.settings import Settings


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
        await generate_schema()
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


FIRST_WAVE_ROWS = [
    'INSERT INTO "user" (id, email, name, password_hash, created_at) VALUES '
    "('01a2009b-0000-7000-8000-000000000001', 'ada@example.com', 'Ada', '-', {t}), "
    "('01a2009b-0000-7000-8000-000000000002', 'bob@example.com', 'Bob', '-', {t})",
    "INSERT INTO domain (id, name, created_at) VALUES "
    "('01a2009b-0000-7000-8000-0000000000d1', 'Acme', {t})",
    "INSERT INTO role (id, domain_id, name, actions, built_in, created_at) VALUES "
    "('01a2009b-0000-7000-8000-0000000000a1', '01a2009b-0000-7000-8000-0000000000d1', 'admin', "
    "'[\"DOMAIN_READ\"]', TRUE, {t}), "
    "('01a2009b-0000-7000-8000-0000000000a2', '01a2009b-0000-7000-8000-0000000000d1', 'member', "
    '\'["DOMAIN_READ","MEMBER_READ"]\', TRUE, {t})',
    "INSERT INTO invitation (id, domain_id, invitee_id, invited_by_id, role_id, status, "
    "created_at, updated_at, confirmed_at, resend_count) VALUES "
    "('01a2009b-0000-7000-8000-0000000000e1', '01a2009b-0000-7000-8000-0000000000d1', "
    "'01a2009b-0000-7000-8000-000000000002', '01a2009b-0000-7000-8000-000000000001', "
    "'01a2009b-0000-7000-8000-0000000000a2', 'ACCEPTED', {t}, {t}, {t}, 0)",
    "INSERT INTO invitation_event (id, invitation_id, kind, at, actor_id, domain_id, invitee_id, "
    "role_id) VALUES ('01a2009b-0000-7000-8000-0000000000f1', "
    "'01a2009b-0000-7000-8000-0000000000e1', 'SENT', {t}, "
    "'01a2009b-0000-7000-8000-000000000001', '01a2009b-0000-7000-8000-0000000000d1', "
    "'01a2009b-0000-7000-8000-000000000002', '01a2009b-0000-7000-8000-0000000000a2')",
    "INSERT INTO membership (id, domain_id, user_id, role_id, joined_at, invitation_id) VALUES "
    "('01a2009b-0000-7000-8000-0000000000c1', '01a2009b-0000-7000-8000-0000000000d1', "
    "'01a2009b-0000-7000-8000-000000000002', '01a2009b-0000-7000-8000-0000000000a2', {t}, "
    "'01a2009b-0000-7000-8000-0000000000e1')",
]


async def test_upgrading_a_first_wave_database_keeps_every_row(server_database_url: str) -> None:
    config = tortoise_config(server_database_url)
    await run_migrations(config=config, target="models.0002_one_pending_invitation")
    sqlite = server_database_url.startswith("sqlite")
    moment = "'2026-11-01 10:00:00.123456+00:00'"
    await Tortoise.init(config=config)
    try:
        connection = get_connection("default")
        for statement in FIRST_WAVE_ROWS:
            await connection.execute_script(statement.format(t=moment))
    finally:
        await Tortoise.close_connections()

    await migrate(Settings(database_url=server_database_url))

    await Tortoise.init(config=config)
    try:
        connection = get_connection("default")
        _, [invitation] = await connection.execute_query(
            "SELECT invitee_email, expires_at, status FROM invitation"
        )
        _, [membership] = await connection.execute_query("SELECT invitation_id FROM membership")
        _, [event] = await connection.execute_query(
            "SELECT invitee_email, position FROM invitation_event"
        )
        _, [admin] = await connection.execute_query(
            "SELECT actions, holds_all_actions FROM role WHERE name = 'admin'"
        )
        _, [cursor] = await connection.execute_query("SELECT assigned FROM relay_cursor")
    finally:
        await Tortoise.close_connections()
    expires = str(invitation[1])
    assert invitation[0] == "bob@example.com" and invitation[2] == "ACCEPTED"
    assert expires.startswith("2026-11-08 10:00:00.123456")
    assert not sqlite or expires == "2026-11-08 10:00:00.123456+00:00"
    assert str(membership[0]) == "01a2009b-0000-7000-8000-0000000000e1"
    assert (event[0], event[1], cursor[0]) == ("bob@example.com", 1, 1)
    assert "WEBHOOK_MANAGE" in str(admin[0]) and admin[1]


@pytest.mark.parametrize(
    ("query", "level", "pages"),
    [("", 1, 10000), ("?synchronous=FULL", 2, 10000), ("?wal_autocheckpoint=1000", 1, 1000)],
)
async def test_sqlite_syncs_at_checkpoints_unless_the_url_asks_for_every_commit(
    tmp_path: Path, query: str, level: int, pages: int
) -> None:
    await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path}/app.sqlite3{query}"))
    try:
        connection = Tortoise.get_connection("default")
        _, [[mode]] = await connection.execute_query("PRAGMA journal_mode")
        _, [[synchronous]] = await connection.execute_query("PRAGMA synchronous")
        _, [[checkpoint]] = await connection.execute_query("PRAGMA wal_autocheckpoint")
    finally:
        await Tortoise.close_connections()
    assert (mode, synchronous) == ("wal", level)  # 1 is NORMAL, 2 is FULL
    assert checkpoint == pages  # every 10,000 pages of WAL unless the URL says otherwise
