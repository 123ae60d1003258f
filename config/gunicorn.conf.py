"""Gunicorn, as the Procfile's web process runs it (docs/deploiement.md).

Environment: PORT (8000), WEB_CONCURRENCY (workers, 2), GUNICORN_TIMEOUT
(seconds, 30: the database's statement timeout is 30 s too), LOG_FORMAT.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deployment, a scale-down), requests under way get this long.
graceful_timeout = 20
# A worker is replaced after about a thousand requests: memory stays flat.
max_requests = 1000
max_requests_jitter = 100
# No runtime control socket (gunicornc): nothing uses it, and every
# gunicorn of a machine would share its default path.
control_socket_disable = True
# The access log is Django's (bassins.access: one line per request, with its
# id); gunicorn's own messages go to stderr, as JSON like the rest.
accesslog = None
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["error_console"],
                "propagate": False,
            }
        },
    }
