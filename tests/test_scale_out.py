"""Operating several processes: PostgreSQL migrations, workers, health and readiness."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.documents import SIGN_UP
from tests.external import drop_postgres_database
from tests.polling import wait_until
from tests.processes import ROOT, redis_server, running_server


def ann(n: int) -> dict[str, str]:
    return {"email": f"ann{n}@example.com", "name": "Ann", "password": "password1"}


def run_app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def sqlite_schema(path: Path) -> tuple[set[tuple[str, str]], set[str]]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        ]
        columns = {
            (table, row[1])
            for table in tables
            for row in db.execute(f'PRAGMA table_info("{table}")')
        }
        indexes = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    return columns, indexes


async def postgres_schema(url: str) -> tuple[set[tuple[str, str]], dict[str, str]]:
    db = await asyncpg.connect(url)
    try:
        columns = await db.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
        indexes = await db.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
    finally:
        await db.close()
    return (
        {(r["table_name"], r["column_name"]) for r in columns},
        {r["indexname"]: r["indexdef"] for r in indexes},
    )


@pytest.mark.postgres
def test_migrate_gives_postgresql_the_same_schema_as_sqlite_with_the_partial_index(
    postgres_database: str, tmp_path: Path
) -> None:
    sqlite_file = tmp_path / "app.sqlite3"

    on_postgres = run_app("migrate", env={"DATABASE_URL": postgres_database})
    on_sqlite = run_app("migrate", env={"DATABASE_URL": f"sqlite://{sqlite_file}"})

    assert on_postgres.returncode == 0, on_postgres.stderr
    assert on_sqlite.returncode == 0, on_sqlite.stderr
    pg_columns, pg_indexes = asyncio.run(postgres_schema(postgres_database))
    sqlite_columns, sqlite_indexes = sqlite_schema(sqlite_file)
    assert pg_columns == sqlite_columns
    one_pending = pg_indexes["uq_invitation_one_pending"]
    assert one_pending.startswith(
        "CREATE UNIQUE INDEX uq_invitation_one_pending ON public.invitation"
    )
    assert "(domain_id, invitee_id) WHERE ((status)::text = 'PENDING'::text)" in one_pending
    assert "uq_invitation_one_pending" in sqlite_indexes


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--workers", "2"], {}), ([], {"WEB_CONCURRENCY": "3"})],
    ids=["flag", "WEB_CONCURRENCY"],
)
def test_sqlite_refuses_more_than_one_worker(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    result = run_app(
        "serve", *args, env={"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3", **env}
    )

    assert result.returncode == 2
    assert "workers need PostgreSQL" in result.stderr
    assert not (tmp_path / "app.sqlite3").exists()  # refused before migrating


def test_several_workers_without_redis_are_refused() -> None:
    env = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/unused", "REDIS_URL": ""}

    result = run_app("serve", "--workers", "2", env=env)

    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_on_postgresql_and_redis_serve_one_address(
    postgres_database: str, redis_url: str
) -> None:
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_url}

    with running_server(env, args=["--workers", "2"]) as base, httpx.Client(base_url=base) as http:
        ready = http.get("/readyz").json()
        # Sign-ups land on whichever worker accepts the connection; all share one database.
        tokens = [
            http.post("/graphql", json={"query": SIGN_UP, "variables": ann(i)}).json()
            for i in range(6)
        ]

    assert ready == {"status": "ready", "database": "ok", "redis": "ok"}
    assert all(t["data"]["signUp"]["token"] for t in tokens)


def answer_changes(http: httpx.Client, path: str, before: httpx.Response) -> httpx.Response:
    """The first answer that differs from `before`: health is checked in the background
    every second, and the probes answer what the last check found."""
    answers = [before]

    def changed() -> bool:
        answers.append(http.get(path))
        return bool(answers[-1].json() != before.json())

    wait_until(changed, timeout=10, what=f"{path} to change from {before.json()}")
    return answers[-1]


@pytest.mark.redis
def test_readyz_fails_while_redis_is_down_and_healthz_reports_it(
    server_database_url: str, tmp_path: Path
) -> None:
    with redis_server(tmp_path) as redis:
        env = {"DATABASE_URL": server_database_url, "REDIS_URL": redis.url}
        with running_server(env) as base, httpx.Client(base_url=base) as http:
            before = http.get("/readyz")
            redis.kill()
            down_ready = answer_changes(http, "/readyz", before)
            down_health = http.get("/healthz")
            redis.start()
            after = answer_changes(http, "/readyz", down_ready)

    assert before.status_code == 200
    assert down_ready.status_code == 503
    assert down_ready.json() == {"status": "unavailable", "database": "ok", "redis": "down"}
    assert down_health.status_code == 200
    assert down_health.json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "down",
        "subscriptions": 0,
    }
    assert after.status_code == 200  # ready again once the app has reconnected


@pytest.mark.postgres
def test_healthz_and_readyz_fail_while_the_database_is_gone(postgres_database: str) -> None:
    with (
        running_server({"DATABASE_URL": postgres_database}) as base,
        httpx.Client(base_url=base) as http,
    ):
        before = http.get("/readyz")
        drop_postgres_database(postgres_database)  # terminates the server's connections too
        down_ready = answer_changes(http, "/readyz", before)
        down_health = http.get("/healthz")

    assert before.status_code == 200
    assert down_ready.status_code == 503
    assert down_ready.json() == {"status": "unavailable", "database": "down"}
    assert down_health.status_code == 503
    assert down_health.json()["database"] == "down"
