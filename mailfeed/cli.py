"""The `mailfeed` console script: thin subcommands that wire settings to library calls."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from mailfeed.gateway.spool import Spool
from mailfeed.publisher.db import Database
from mailfeed.settings import (
    Settings,
    SettingsError,
    build_gateway_config,
    build_site,
    load_settings,
)

SETTINGS_ERROR = 2  # exit status for a bad setting, as for a bad command line


def _settings() -> Settings:
    """The settings, read once per command; a bad one ends the command naming its key."""
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"mailfeed: bad setting: {exc}", err=True)
        sys.exit(SETTINGS_ERROR)


def _existing_database(settings: Settings) -> Database | None:
    """The configured database when there is one to consult (`parse` creates none)."""
    url = settings.db_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    return Database(url)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def main(verbose: bool) -> None:
    """Mailfeed: move reply-all questions from mail to a feed."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # aiosmtpd logs every SMTP line with addresses at INFO; keep addresses out of logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)


@main.command()
@click.option("--demo", is_flag=True, help="Demo threads, open access on loopback.")
def serve(demo: bool) -> None:
    """Run the SMTP listener, worker, outbound sender and web app."""
    from mailfeed.serve import Gateway, SchemaOutdated, demo_settings

    settings = _settings()
    if demo:
        settings = demo_settings(settings)
    try:
        gateway = Gateway(settings)
    except SchemaOutdated as exc:
        raise click.ClickException(str(exc)) from exc
    gateway.serve_forever()


def _run_roles(*roles: str) -> None:
    from mailfeed.serve import Gateway, SchemaOutdated

    try:
        gateway = Gateway(_settings(), roles)
    except SchemaOutdated as exc:
        raise click.ClickException(str(exc)) from exc
    gateway.serve_forever()


@main.command()
def smtp() -> None:
    """Run the SMTP listener alone: acknowledge mail into this host's spool."""
    _run_roles("smtp")


@main.command()
def imap() -> None:
    """Run the IMAP poller alone (MAILFEED_IMAP_URL): fetch mail into this host's spool."""
    if not _settings().imap_url:
        raise click.ClickException("MAILFEED_IMAP_URL is not set")
    _run_roles("imap")


@main.command()
def worker() -> None:
    """Run the ingest worker alone: this host's spool -> parse -> publish."""
    _run_roles("worker")


@main.command()
def sender() -> None:
    """Run the outbound sender alone: the queue -> the relay (or the local outbox)."""
    _run_roles("sender")


@main.command()
def web() -> None:
    """Run the web app under gunicorn: MAILFEED_WEB_WORKERS processes, each with
    MAILFEED_WEB_THREADS threads and as many database connections."""
    from mailfeed.serve import SchemaOutdated, open_database
    from mailfeed.webserver import serve_gunicorn

    settings = _settings()
    try:
        open_database(settings, pool_size=1).dispose()  # refuse before forking workers
    except SchemaOutdated as exc:
        raise click.ClickException(str(exc)) from exc
    serve_gunicorn(settings)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract.")
@click.option("--text", "as_text", is_flag=True, help="Files are bare plain-text bodies.")
@click.option("--rcpt", multiple=True, help="Envelope recipient (as RCPT TO would give).")
@click.option("--demo", is_flag=True, help="Decide under `serve --demo`'s settings.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def parse(
    as_json: bool, as_text: bool, rcpt: tuple[str, ...], demo: bool, files: tuple[str, ...]
) -> None:
    """Show what the gateway understands of mail files, storing nothing."""
    from mailfeed.gateway.intake import Arrival, take_in
    from mailfeed.parsers.mail import parse_mail, parse_text
    from mailfeed.parsers.model import ParsedMail
    from mailfeed.serve import demo_settings

    def read_text(data: bytes) -> ParsedMail:
        return parse_text(data.decode("utf-8", "replace"))

    settings = _settings()
    if demo:
        settings = demo_settings(settings)
    site = build_gateway_config(settings).site
    arrival = Arrival(source="cli", rcpts=tuple(a.lower() for a in rcpt))
    database = _existing_database(settings)
    results = []
    try:
        for name in files:
            data = Path(name).read_bytes()
            with database.sessions() if database else nullcontext() as session:
                taken = take_in(
                    data,
                    arrival,
                    site=site,
                    session=session,
                    raw_store=None,
                    parse=read_text if as_text else parse_mail,
                )
            results.append(taken.parsed.to_json(taken.outcome.decision))
    finally:
        if database is not None:
            database.dispose()
    if as_json:
        out = results[0] if len(results) == 1 else results
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for name, result in zip(files, results, strict=True):
        click.echo(f"== {name}")
        click.echo(f"subject:  {result['subject']}")
        click.echo(f"from:     {result['from']['name']} <{result['from']['email']}>")
        click.echo(f"decision: {result['decision']['action']} ({result['decision']['reason']})")
        if result["note"]:
            click.echo(f"note:     {result['note']}")
        for i, message in enumerate(result["chain"], 1):
            author = message["from"]
            click.echo(f"--- {i}. {author['name']} <{author['email']}> {message['date']}")
            click.echo(message["body"])


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (Alembic) to MAILFEED_DATABASE_URL."""

    settings = _settings()
    database = Database(settings.db_url)
    database.upgrade()
    click.echo(f"schema up to date: {database.engine.url.render_as_string(hide_password=True)}")


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--batch", default=200, show_default=True, help="Messages per transaction.")
@click.option(
    "--jobs",
    default=min(2, os.cpu_count() or 1),
    show_default=True,
    help="Processes that parse while this one writes (1: parse here).",
)
def import_(path: Path, batch: int, jobs: int) -> None:
    """Thread and publish an archive: an mbox file, a Maildir, or a folder of .eml files."""
    from mailfeed.gateway.importer import archive_size, import_archive

    settings = _settings()
    database = Database(settings.db_url)
    if settings.db_url.startswith("sqlite"):
        database.upgrade()
    with click.progressbar(
        length=archive_size(path) or 0, label="importing", file=sys.stderr, show_pos=True
    ) as bar:
        stats = import_archive(
            build_gateway_config(settings), database, path, batch=batch, jobs=jobs, progress=bar
        )
    click.echo(
        f"{stats.messages} messages: {stats.published} new threads, "
        f"{stats.appended} appended, {stats.duplicates} duplicates, "
        f"{stats.skipped} skipped; {len(stats.threads or ())} threads touched"
    )


@main.command("erase-person")
@click.argument("address")
@click.option("--yes", is_flag=True, help="Do it (without this, nothing is changed).")
def erase_person(address: str, yes: bool) -> None:
    """Erase a person (GDPR): their posts' words, address, reactions and sent raw mail."""
    from mailfeed.publisher.erase import erase_person as erase

    if not yes:
        raise click.ClickException(f"this erases {address} for good; add --yes to go ahead")
    database = Database(_settings().db_url)
    with database.session() as session:
        result = erase(session, address)
    for path in result.files:  # only after the commit: no record points at a missing file
        path.unlink(missing_ok=True)
    click.echo(
        f"erased {result.address}: {result.posts} posts emptied, {result.mails} raw "
        f"mails deleted, {result.outbound} queued mails dropped"
    )


@main.command("news")
@click.option("--once", is_flag=True, help="Poll every feed once, then exit.")
def news_command(once: bool) -> None:
    """Poll MAILFEED_NEWS_FEEDS (every MAILFEED_NEWS_INTERVAL s): one thread per entry."""
    import signal
    import threading

    from mailfeed.gateway.news import NewsPoller
    from mailfeed.publisher.db import Database

    settings = _settings()
    if not settings.news_feeds:
        raise click.ClickException("no feeds: set MAILFEED_NEWS_FEEDS (comma-separated URLs)")
    database = Database(settings.db_url)
    if settings.db_url.startswith("sqlite"):
        database.upgrade()
    poller = NewsPoller(build_gateway_config(settings), database)
    if once:
        click.echo(f"{poller.poll_all()} new news threads")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    poller.run(stop)


@main.group()
def token() -> None:
    """Personal API tokens (Authorization: Bearer) for integrations and bots."""


@token.command("create")
@click.argument("address")
def token_create(address: str) -> None:
    """Make a token for ADDRESS and print it (it is shown only this once)."""
    from mailfeed.publisher import tokens
    from mailfeed.publisher.db import Database

    settings = _settings()
    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    if "@" not in address or domain not in settings.publish_domains:
        raise click.ClickException(
            f"{address} is not an address in the organisation's domains "
            f"({', '.join(settings.publish_domains)})"
        )
    database = Database(settings.db_url)
    if settings.db_url.startswith("sqlite"):
        database.upgrade()
    with database.session() as session:
        made = tokens.create(session, address)
    click.echo(made)


@token.command("revoke")
@click.argument("value", required=False)
@click.option("--all", "every", metavar="ADDRESS", help="Revoke every token of ADDRESS.")
def token_revoke(value: str | None, every: str | None) -> None:
    """Revoke one TOKEN, or with --all ADDRESS every token of that person."""
    from mailfeed.publisher import tokens
    from mailfeed.publisher.db import Database

    if bool(value) == bool(every):
        raise click.ClickException("give either a TOKEN or --all ADDRESS")
    database = Database(_settings().db_url)
    with database.session() as session:
        if every:
            click.echo(f"revoked {tokens.revoke_all(session, every)} token(s) of {every}")
            return
        assert value is not None
        if not tokens.revoke(session, value):
            raise click.ClickException("no such active token")
    click.echo("revoked")


@main.command()
@click.option("--since", default="30d", show_default=True, help="Period: 30d, 12w, 6m or all.")
@click.option("--department", default=None, help="Only people of this department.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def stats(since: str, department: str | None, as_json: bool) -> None:
    """Whether the feed pays off: participation, mail versus feed, ambassadors."""
    from datetime import UTC, datetime

    from mailfeed.publisher.db import Database
    from mailfeed.publisher.outcomes import build_report, parse_since

    try:
        period = parse_since(since, datetime.now(UTC).replace(tzinfo=None))
    except ValueError as exc:
        raise click.BadParameter(
            f"{since!r}: use e.g. 30d, 12w, 6m or all", param_hint="--since"
        ) from exc
    with Database(_settings().db_url).session() as session:
        report = build_report(session, period, department)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    p, data = report.participation, report.as_json()
    click.echo(
        f"people {p.people}: {p.creators} created ({p.share(p.creators):.0%}), "
        f"{p.engagers} engaged ({p.share(p.engagers):.0%}), "
        f"{p.readers} only read ({p.share(p.readers):.0%})"
    )
    times = data["mail_vs_feed"]
    click.echo(
        f"median time to answer: feed {_hours(times['feed'])}, "
        f"mail {_hours(times['mail'])} (unanswered while there)"
    )
    click.echo(
        f"reached beyond the mail: {report.reach_beyond_mail} people; "
        f"{report.answerers_beyond_mail} answers from someone never on the mail"
    )
    click.echo(
        f"questions: {report.answered}/{report.questions} answered; "
        f"{report.unanswered_after_day} without a reply after a day; "
        f"{report.came_back_by_mail} came back by mail after the move"
    )
    for dept, people in report.ambassadors.items():
        names = ", ".join(f"{c.name}{' (ambassador)' if c.ambassador else ''}" for c in people)
        click.echo(f"ambassadors {dept or '(all)'}: {names}")


@main.command()
def digest() -> None:
    """Queue this week's digest mail for everyone who wants one (safe to run hourly)."""
    from datetime import UTC, datetime

    from mailfeed.publisher.db import Database
    from mailfeed.publisher.digest import queue_digests

    settings = _settings()
    with Database(settings.db_url).session() as session:
        count = queue_digests(session, build_site(settings), datetime.now(UTC).replace(tzinfo=None))
    click.echo(f"{count} digests queued")


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


@main.group()
def people() -> None:
    """The people directory (names, titles, departments)."""


@people.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def people_import(path: Path) -> None:
    """Add or update people from a CSV with columns email, name, title, department, manager.

    All or nothing: with any bad row, nothing is imported and every bad line is listed."""
    from mailfeed.publisher.db import Database
    from mailfeed.publisher.directory import import_directory

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text: {exc}") from exc
    settings = _settings()
    database = Database(settings.db_url)
    if settings.db_url.startswith("sqlite"):
        database.upgrade()
    with database.session() as session:
        report = import_directory(session, text)
        if not report.ok:
            session.rollback()
            for error in report.errors:
                click.echo(f"{path}: {error}", err=True)
            raise click.ClickException(f"{len(report.errors)} bad row(s); nothing was imported")
    for change in report.changes:
        click.echo(change)
    click.echo(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged")


@main.group()
def spool() -> None:
    """Mail waiting in the spool or quarantined."""


def _spool(settings: Settings) -> Spool:
    return Spool(build_gateway_config(settings).spool_dir)


@spool.command("list")
def spool_list() -> None:
    """List pending and quarantined mail."""
    s = _spool(_settings())
    for state, entries in (("pending", s.pending()), ("quarantined", s.quarantined())):
        for e in entries:
            click.echo(f"{e.id}\t{state}\t{e.source}\t{e.error.splitlines()[0] if e.error else ''}")


@spool.command("show")
@click.argument("entry_id")
def spool_show(entry_id: str) -> None:
    """Show one entry's envelope, error and raw mail."""
    entry = _spool(_settings()).get(entry_id)
    if entry is None:
        raise click.ClickException(f"no spool entry {entry_id}")
    click.echo(
        f"id: {entry.id}\nsource: {entry.source}\nmail from: {entry.mail_from}\n"
        f"rcpts: {', '.join(entry.rcpts)}\nattempts: {entry.attempts}\n"
        f"error: {entry.error}\n"
    )
    sys.stdout.buffer.write(entry.read())


@spool.command("retry")
@click.argument("entry_id", required=False)
@click.option("--all", "retry_all", is_flag=True, help="Retry every quarantined mail.")
def spool_retry(entry_id: str | None, retry_all: bool) -> None:
    """Move quarantined mail back to the queue (the running gateway picks it up)."""
    s = _spool(_settings())
    if not retry_all and not entry_id:
        raise click.ClickException("name an entry id or use --all")
    ids = [e.id for e in s.quarantined()] if retry_all else [entry_id or ""]
    if not ids:
        click.echo("nothing is quarantined")  # --all with nothing to do has succeeded
        return
    for i in ids:
        click.echo(f"{i}: {'queued again' if s.retry(i) else 'not quarantined'}")


@main.group()
def outbound() -> None:
    """Mail the gateway sends: the outbound queue."""


@outbound.command("retry")
@click.argument("row_id", required=False, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Queue every failed mail again.")
def outbound_retry(row_id: int | None, retry_all: bool) -> None:
    """Queue failed outbound mail again (the running gateway sends it)."""
    from mailfeed.publisher.db import Database
    from mailfeed.publisher.outbox import requeue

    if not retry_all and row_id is None:
        raise click.ClickException("name a mail id or use --all")
    database = Database(_settings().db_url)
    with database.session() as session:
        done = requeue(session, None if retry_all else [row_id])  # type: ignore[list-item]
    if row_id is not None and not done:
        raise click.ClickException(f"no failed outbound mail {row_id}")
    click.echo(f"{len(done)} mails queued again")


if __name__ == "__main__":
    main()
