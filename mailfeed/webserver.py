"""`mailfeed web`: the web role under gunicorn, configured from the settings.

The same as `gunicorn -w N --threads T -k gthread -b HOST:PORT 'mailfeed.wsgi:create_app()'`
(what docs/deploy.md shows for operators who run gunicorn themselves).  `mailfeed serve`
keeps waitress inside its one process; gunicorn forks workers, so each has its own
connection pool, sized to its threads.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from mailfeed.settings import Settings, parse_hostport


class MailfeedGunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from mailfeed.wsgi import create_app

        return create_app(self.settings)


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    host, port = parse_hostport(settings.web_listen)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": max(1, settings.web_workers),
        "threads": max(1, settings.web_threads),
        "worker_class": "gthread",
        "timeout": max(60, settings.statement_timeout * 2),
        "graceful_timeout": 10,
        # X-Forwarded-* only from the proxies the settings trust (as for the SSO header).
        "forwarded_allow_ips": ",".join(settings.trusted_proxies),
        "proc_name": "mailfeed-web",
    }


def serve_gunicorn(settings: Settings) -> None:
    MailfeedGunicorn(settings, gunicorn_options(settings)).run()
