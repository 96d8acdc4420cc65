"""Log lines: `LOG_FORMAT=json` writes one JSON object per line, uvicorn's included.

Each line logged while the GraphQL view serves a request carries that request's id
(`X-Request-ID`, or one made up): the view sets REQUEST_ID for the request's task, and
the filter copies it onto every record, so the line of the service that failed and
uvicorn's access line of the same request can be matched.

    {"time": "2026-01-05T10:00:00.123Z", "level": "INFO", "logger": "uvicorn.access",
     "message": "127.0.0.1:50312 - \"POST /graphql HTTP/1.1\" 200", "request_id": "…",
     "client": "127.0.0.1:50312", "method": "POST", "path": "/graphql", "status": 200}
"""

from __future__ import annotations

import contextvars
import copy
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from uvicorn.config import LOGGING_CONFIG

from app.settings import Settings

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def outside_requests() -> contextvars.Context:
    """The current context without a request id: for a task started while serving a
    request that goes on working for others (its lines must not name that request)."""
    context = contextvars.copy_context()
    context.run(REQUEST_ID.set, None)
    return context


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            entry.update(_access_fields(record.args))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def _access_fields(args: tuple[Any, ...]) -> dict[str, Any]:
    """uvicorn's access record arguments: client, method, path, HTTP version, status."""
    if len(args) != 5:
        return {}
    client, method, path, _, status = args
    return {"client": client, "method": method, "path": path, "status": status}


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """The logging configuration uvicorn applies in every worker process: with
    `LOG_FORMAT=json`, JSON lines for uvicorn's loggers and the application's; otherwise
    uvicorn's own text lines, and the application's in the same style. Either way the
    application's loggers log at `LOG_LEVEL` (without a handler of their own, Python
    would print only their warnings)."""
    level = settings.log_level.upper()
    if settings.log_format != "json":
        config = copy.deepcopy(LOGGING_CONFIG)
        config["formatters"]["app"] = {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(name)s: %(message)s",
        }
        config["handlers"]["app"] = {
            "class": "logging.StreamHandler",
            "formatter": "app",
            "stream": "ext://sys.stderr",
        }
        config["root"] = {"handlers": ["app"], "level": level}
        return config
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "app.logs.JsonFormatter"}},
        "filters": {"request_id": {"()": "app.logs.RequestIdFilter"}},
        "handlers": {
            "stderr": {**handler, "stream": "ext://sys.stderr"},
            "stdout": {**handler, "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["stdout"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }
