"""The web role for any WSGI server: `gunicorn 'mailfeed.wsgi:create_app()'`.

A no-argument factory that does what `mailfeed web` does: settings from the environment
(and `mailfeed.toml`), the database with the schema rule of `mailfeed.serve`, a
connection pool sized for the worker's threads, and the local spool for /metrics and the
admin page when one is on this host.  Each gunicorn worker calls it after the fork, so
no connection crosses processes.
"""

from __future__ import annotations

from flask import Flask

from mailfeed.settings import Settings, build_web_config, load_settings


def create_app(settings: Settings | None = None) -> Flask:
    from mailfeed.gateway.spool import Spool
    from mailfeed.serve import open_database
    from mailfeed.web import create_app as web_app

    settings = settings or load_settings()
    db = open_database(settings, pool_size=settings.web_threads)
    spool_dir = settings.data_dir / "spool"
    spool = Spool(spool_dir) if spool_dir.is_dir() else None
    return web_app(build_web_config(settings), db, spool=spool)
