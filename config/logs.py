"""Logs as one JSON object per line, each with the id of its request.

``RequestIdMiddleware`` (config/middleware.py) sets the id for the duration of
a request; ``RequestIdFilter`` copies it onto every record, so a line logged
anywhere below a view (a query timeout, a failed import, a 500) names the
request it belongs to, as does the ``X-Request-ID`` response header.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="")

# Attributes every LogRecord has: anything else came through ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# django.request and django.server pass the request (or the socket) itself.
_SKIPPED = {"request", "server_time", "request_id"}


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` (empty outside a request) to every record.

    django.request logs a 404 or another 4xx response once the middleware
    has returned, but passes the request along: its id is taken from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            request = getattr(record, "request", None)
            record.request_id = (
                getattr(request, "request_id", "") or request_id_var.get()
            )
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _SKIPPED:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
