"""Command line: `python -m app serve | migrate | schema`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

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

    # Once, before any worker starts: workers never migrate.
    asyncio.run(migrate(settings))
    workers = f" with {settings.workers} workers" if settings.workers > 1 else ""
    print(f"Serving on http://{settings.host}:{settings.port}/graphql{workers}", flush=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=False,
        ws_max_size=settings.ws_max_message_bytes,
        # Each worker process builds its own app (and reads the same environment).
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
    )


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
    if args.command == "migrate":
        asyncio.run(migrate(settings))
    else:
        serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
