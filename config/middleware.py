"""Request ids and the access log."""

from __future__ import annotations

import logging
import re
import time
import uuid

from config.logs import request_id_var

access_log = logging.getLogger("bassins.access")

# A proxy's id (a router or load balancer that sets X-Request-ID) is kept when
# it is a plain token; anything else (too long, spaces, quotes) could forge
# log lines.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class RequestIdMiddleware:
    """Give every request an id, log it and echo it in ``X-Request-ID``.

    The id is the incoming ``X-Request-ID`` header when valid, else a new
    UUID. It is on ``request.request_id``, on every log record written while
    the request runs (config/logs.py), and on one access-log line per request
    (method, path without the query string, status, milliseconds until the
    view returned). First in MIDDLEWARE, so static files get one too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = (
            incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        )
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
