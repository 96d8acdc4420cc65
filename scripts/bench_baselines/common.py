"""What both baselines share: the database, a health check, the app shell and its launcher."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.db import tortoise_config

DATABASE_URL = os.environ["DATABASE_URL"]


async def healthz(request: Request) -> Response:
    await get_connection("default").execute_query("SELECT 1")
    return Response(b'{"status":"ok"}', media_type="application/json")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with RegisterTortoise(app, config=tortoise_config(DATABASE_URL)):
        yield


def baseline_app(graphql: Route) -> Starlette:
    """A Starlette app serving `graphql` and /healthz on the benchmark's database."""
    return Starlette(routes=[graphql, Route("/healthz", healthz)], lifespan=lifespan)


def serve(app: Starlette) -> None:
    """Serve like ours: one process, uvloop and httptools, on $PORT."""
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )
