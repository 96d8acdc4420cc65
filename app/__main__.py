"""Command line: `python -m app serve | migrate | schema`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import logging.config
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from app import logs, metrics
from app.db import ensure_sqlite_directory, tortoise_config
from app.settings import Settings, SettingsError


async def migrate(settings: Settings) -> None:
    """Apply pending migrations to the configured database."""
    ensure_sqlite_directory(settings.database_url)
    try:
        await run_migrations(config=tortoise_config(settings.database_url))
    finally:
        await Tortoise.close_connections()


def serve(settings: Settings) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    log_config = logs.uvicorn_log_config(settings)
    if log_config is not None:
        logging.config.dictConfig(log_config)
    # Once, before any worker starts: workers never migrate.
    asyncio.run(migrate(settings))
    workers = f" with {settings.workers} workers" if settings.workers > 1 else ""
    with metrics_directory(settings.workers):
        serving = f"Serving on http://{settings.host}:{settings.port}/graphql{workers}"
        if log_config is None:
            print(serving, flush=True)
        else:
            logging.getLogger("app").info(serving)
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            log_config=log_config or LOGGING_CONFIG,
            proxy_headers=False,
            ws_max_size=settings.ws_max_message_bytes,
            # Each worker process builds its own app (and reads the same environment).
            workers=settings.workers,
            loop="uvloop",
            http="httptools",
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


def write_schema(path: Path) -> None:
    from app.graphql.schema import schema

    path.write_text(schema.as_str() + "\n")
    print(f"wrote {path}")


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
        write_schema(Path("schema.graphql"))
        return 0
    try:
        settings = Settings.from_env()
        if args.workers is not None:
            settings = dataclasses.replace(settings, workers=args.workers)
            settings.validate()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        asyncio.run(migrate(settings))
    else:
        serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
