"""Command line: `python -m app serve | migrate | schema`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import logging
import logging.config
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.migrations.api import migrate as run_migrations

from app import logs, metrics
from app.db import ensure_sqlite_directory, tortoise_config
from app.health import probe_write
from app.settings import Settings, SettingsError


async def migrate(settings: Settings) -> None:
    """Apply pending migrations to the configured database, then check that it accepts
    writes: a server on a database it cannot write would fail every mutation."""
    ensure_sqlite_directory(settings.database_url)
    timeout = settings.db_timeout_seconds
    # A migration may take long on a big table; connecting and the check may not.
    config = tortoise_config(settings.database_url, timeout, long_statements=True)
    try:
        await run_migrations(config=config)
        async with asyncio.timeout(timeout):
            await probe_write(get_connection("default"))
    finally:
        await Tortoise.close_connections()


def database_problem(settings: Settings, exc: Exception) -> str:
    """One line for an operator: which database, what went wrong, what to check."""
    url = settings.database_url
    reason = (
        f"no answer within {settings.db_timeout_seconds:g} s"
        if isinstance(exc, TimeoutError)
        else f"{exc} ({type(exc).__name__})"
    )
    if settings.sqlite:
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        return (
            f"cannot use the SQLite database {path}: {reason}. Check that the file and "
            "its folder are writable by this user and that the disk is not full."
        )
    parts = urlsplit(url)  # named without its credentials
    where = f"{parts.hostname}:{parts.port or 5432}{parts.path}"
    return f"cannot use the PostgreSQL database {where}: {reason}"


def serve(settings: Settings) -> None:
    import uvicorn

    log_config = logs.uvicorn_log_config(settings)
    logging.config.dictConfig(log_config)
    from app.protocol import TimedHttpToolsProtocol

    # uvicorn builds one per connection, calling it as it would the class.
    protocol = functools.partial(
        TimedHttpToolsProtocol,
        header_timeout=settings.http_header_timeout_seconds,
        body_timeout=settings.http_body_timeout_seconds,
    )
    workers = f" with {settings.workers} workers" if settings.workers > 1 else ""
    with metrics_directory(settings.workers):
        serving = f"Serving on http://{settings.host}:{settings.port}/graphql{workers}"
        if settings.log_format != "json":
            print(serving, flush=True)
        else:
            logging.getLogger("app").info(serving)
        uvicorn.run(
            "app.main:serving_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            log_config=log_config,
            proxy_headers=False,
            ws_max_size=settings.ws_max_message_bytes,
            # Each worker process builds its own app (and reads the same environment).
            workers=settings.workers,
            loop="uvloop",
            http=cast(type[asyncio.Protocol], protocol),
        )


@contextmanager
def metrics_directory(workers: int) -> Iterator[None]:
    """Where the workers' metrics meet: $PROMETHEUS_MULTIPROC_DIR emptied of an earlier
    run's values, or with several workers and no such variable, a temporary directory
    removed at exit. One worker without the variable counts in memory. The workers are
    new processes (spawned), so they see the variable from their first import."""
    given = metrics.multiprocess_directory()
    if given is not None:
        metrics.prepare_directory(given)
        yield
    elif workers > 1:
        directory = Path(tempfile.mkdtemp(prefix="invitations-metrics-"))
        os.environ[metrics.MULTIPROCESS_VARIABLE] = str(directory)
        try:
            yield
        finally:
            del os.environ[metrics.MULTIPROCESS_VARIABLE]
            shutil.rmtree(directory, ignore_errors=True)
    else:
        yield


def write_artifacts() -> None:
    """The schema, Apollo Client's possibleTypes and the web app's trusted documents."""
    from app.graphql.artifacts import artifacts

    for path, text in artifacts().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app")
    parser.add_argument("command", choices=["serve", "migrate", "schema"])
    parser.add_argument(
        "--workers",
        type=int,
        help="serve: number of server processes (default: $WEB_CONCURRENCY or 1); "
        "more than one needs PostgreSQL and Redis",
    )
    args = parser.parse_args(argv)
    if args.command == "schema":
        write_artifacts()
        return 0
    try:
        settings = Settings.from_env()
        if args.workers is not None:
            settings = dataclasses.replace(settings, workers=args.workers)
            settings.validate()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        # Once, before any worker starts: workers never migrate.
        asyncio.run(migrate(settings))
    except Exception as exc:
        print(f"database error: {database_problem(settings, exc)}", file=sys.stderr)
        return 1
    if args.command == "serve":
        serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
