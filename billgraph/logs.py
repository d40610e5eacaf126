"""Log lines: text in development, one JSON object per line in production.

Every line logged while a request runs carries that request's id, the API key id of the
caller and the GraphQL operation (when known), through a context variable that the HTTP
middleware sets. Secrets never enter a log line: the context holds the key's id only.
"""

import json
import logging
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from billgraph.services.db_failures import is_unavailable


@dataclass
class RequestLogContext:
    """What every log line of one request says about it; filled in as the request goes."""

    request_id: str
    key_id: int | str | None = None
    operation: str | None = None


_current: ContextVar[RequestLogContext | None] = ContextVar("billgraph_request", default=None)


def bind_request(request_id: str) -> RequestLogContext:
    """Start the log context of a request (in the task that serves it) and return it."""
    context = RequestLogContext(request_id=request_id)
    _current.set(context)
    return context


def current_request() -> RequestLogContext | None:
    """Return the log context of the request being served, if any."""
    return _current.get()


def note_key(key_id: int | str | None) -> None:
    """Record the caller's key id (never the secret) on the current request's log lines."""
    context = _current.get()
    if context is not None:
        context.key_id = key_id


def note_operation(operation: str | None) -> None:
    """Record the GraphQL operation on the current request's log lines."""
    context = _current.get()
    if context is not None and operation:
        context.operation = operation


class _RequestFields(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.request_id = context.request_id if context else None
        record.key_id = context.key_id if context else None
        record.operation = context.operation if context else None
        return True


class _OutageWithoutTraceback(logging.Filter):
    """asyncpg's pool logs every failed reconnect with a traceback while the database is
    down. An outage is expected (requests meanwhile get UNAVAILABLE): one line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("asyncpg") and error is not None and is_unavailable(error):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "key_id", "operation"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        for name in ("method", "path", "status", "duration_ms"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{text} [request {request_id}]" if request_id else text


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of each line."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        del value


def configure_logging(*, level: str, as_json: bool) -> None:
    """Send every log line (uvicorn's included) through one handler on stderr."""
    handler = _StderrHandler()
    handler.addFilter(_RequestFields())
    handler.addFilter(_OutageWithoutTraceback())
    handler.setFormatter(
        JsonFormatter() if as_json else _TextFormatter("%(levelname)s:  %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _StderrHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # billgraph writes its own access log line (with the request's fields); uvicorn's
    # would be a second line per request without them.
    logging.getLogger("uvicorn.access").disabled = True
