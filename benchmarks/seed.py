"""A big archive, fast: the database the scale benchmarks run against (issues 11 and 12).

    python benchmarks/seed.py --threads 100000 --posts 10 [--database sqlite|postgresql]

Publishing 1M posts through the worker takes hours; this writes the same rows in bulk
(SQLite `executemany`, PostgreSQL `COPY`): people, threads (a third answered, some
hidden, question/discussion/idea), posts with Swedish and English text, the mails they
came in (`mail_message`), the Message-IDs replies thread by (`message_ref`), the link
replies already sent (`outbound_mail`), likes and readers.  What the schema maintains by
itself — the full-text index, the feed counters — is kept by the database's own triggers
and indexes, which stay live for the rows (PostgreSQL's plain indexes are dropped for the
load and built again from their own definitions), so the seeded state is what the app's
publishing would have left.  `check` proves it for a sample.

A seeded database is cached (`MAILFEED_BENCH_CACHE`, default ~/.cache/mailfeed-bench; on
PostgreSQL a template database) under a key of its size, the schema head and this
file's text; `checkout` hands out a fresh copy, so a benchmark may write to it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import ASK_EN, ASK_SV, FIRST, LAST, REPLY_EN, REPLY_SV, TOPICS_EN, TOPICS_SV  # noqa: E402

PG = os.environ.get("MAILFEED_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CACHE = Path(os.environ.get("MAILFEED_BENCH_CACHE", Path.home() / ".cache" / "mailfeed-bench"))
END = datetime(2026, 12, 1, 8, 0)  # the archive's newest thread; fixed, so the bytes are too
SPAN = timedelta(days=3 * 365)  # ...and its oldest, three years before
BATCH = 5000  # threads per insert batch
# The words the benchmarks search for: each is the topic of about 1 thread in 25.
SEARCH_WORDS = ("projektor", "faktura", "budget")
TICKET = {"sv": "Ärende", "en": "Ticket"}


def ticket(thread_id: int) -> str:
    return f"INC{thread_id:08d}"


@dataclass(frozen=True)
class Size:
    threads: int
    posts: int  # per thread, on average

    @property
    def people(self) -> int:
        return max(len(FIRST) * len(LAST), self.threads // 20)

    @property
    def tag(self) -> str:
        return f"{self.threads}x{self.posts}"


# -- text ---------------------------------------------------------------------------------

SYLLABLES = "ka ri lo me tu san ber vik ho la en dal ström fo ne gri pa sel mo ti".split()
COMMON_SV = "och att det som en på är av för med till den har de inte om ett vi jag kan".split()
COMMON_EN = "the and to of a in is it you that for on was with as have be at this we".split()


def _sentences(rng: random.Random, common: list[str], count: int) -> list[str]:
    """A pool of filler sentences over a long-tailed vocabulary (a few words everywhere,
    most words rare), so search finds what real text would give it."""
    rare = ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(4000)]
    weights = [1 / (i + 1) for i in range(len(rare))]
    out = []
    for _ in range(count):
        words = rng.choices(common, k=rng.randint(3, 6)) + rng.choices(
            rare, weights, k=rng.randint(4, 9)
        )
        rng.shuffle(words)
        out.append(" ".join(words).capitalize() + ".")
    return out


# -- rows ---------------------------------------------------------------------------------


def _address(i: int) -> tuple[str, str]:
    """Person i: the corpus's people first (the pipeline's mails come from them)."""
    if i < len(FIRST) * len(LAST):
        first, last = FIRST[i % len(FIRST)], LAST[i // len(FIRST)]
        local = f"{first}.{last}".lower().translate(str.maketrans("åäöé", "aaoe"))
        return f"{first} {last}", f"{local}@firma.se"
    return f"Person {i}", f"person{i}@firma.se"


def rows(size: Size, seed: int = 1) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The archive, a batch of threads at a time: {table: [row, ...]}, people first."""
    from mailfeed.publisher.publish import slugify

    rng = random.Random(seed)
    pools = {
        "sv": (TOPICS_SV, ASK_SV, REPLY_SV, _sentences(rng, COMMON_SV, 3000)),
        "en": (TOPICS_EN, ASK_EN, REPLY_EN, _sentences(rng, COMMON_EN, 3000)),
    }
    people = [_address(i) for i in range(size.people)]
    yield {
        "person": [
            {"id": i + 1, "email": email, "name": name, "internal": True, "created": END - SPAN}
            for i, (name, email) in enumerate(people)
        ]
    }
    post_id = mail_id = out_id = like_id = view_id = 0
    step = SPAN / size.threads
    for start in range(0, size.threads, BATCH):
        batch: dict[str, list[dict[str, Any]]] = {t: [] for t in LOADED if t != "person"}
        for t in range(start, min(size.threads, start + BATCH)):
            tid = t + 1
            lang = "sv" if rng.random() < 0.6 else "en"
            topics, asks, replies, sentences = pools[lang]
            topic = rng.choice(topics)
            subject = rng.choice(asks).format(t=topic)[:70]
            created = END - SPAN + step * t
            count = min(60, 1 + int(rng.expovariate(1 / max(size.posts - 1, 0.01)) + 0.5))
            chain = rng.randint(1, count)  # posts in the first mail; one mail per later post
            # Authors are mostly a small team per thread, as in a reply-all chain.
            team = [rng.randrange(size.people) for _ in range(rng.randint(2, 5))]
            kind = rng.choices(("question", "discussion", "idea"), (70, 25, 5))[0]
            answered = t % 3 == 0
            hidden = t % 199 == 5
            when = created
            mails: list[int] = []
            for p in range(count):
                author = team[0] if p == 0 else rng.choice(team)
                if p == 0 or p >= chain:
                    mail_id += 1
                    mails.append(mail_id)
                    batch["mail_message"].append(
                        {
                            "id": mail_id,
                            "message_id": f"<seed.{tid}.{p}@firma.se>",
                            "content_hash": hashlib.sha256(f"{tid}.{p}".encode()).hexdigest(),
                            "raw_path": f"raw/seed/{tid}.{p}.eml",
                            "received": when,
                            "source": "smtp",
                            "mail_from": people[author][1],
                            "rcpts": "feed@firma.se",
                            "sender": people[author][1],
                            "subject": subject if p == 0 else f"Re: {subject}",
                            "action": "publish" if p == 0 else "append",
                            "kind": kind,
                            "reason": "seeded",
                            "thread_id": tid,
                        }
                    )
                post_id += 1
                opener = (rng.choice(asks) if p == 0 else rng.choice(replies)).format(t=topic)
                body = " ".join([opener, *rng.sample(sentences, rng.randint(1, 4))])
                if p == 0:  # a ticket number, as people quote them: one thread has it
                    body += f" {TICKET[lang]} {ticket(tid)}."
                batch["post"].append(
                    {
                        "id": post_id,
                        "thread_id": tid,
                        "author_id": author + 1,
                        "date": when,
                        "date_text": when.isoformat(),
                        "body": body,
                        "trimmed": f"-- \n{people[author][0]}" if rng.random() < 0.4 else "",
                        "source": "mail",
                        "kind": "post",
                        "position": p,
                        "fingerprint": hashlib.md5(f"{tid}.{p}".encode()).hexdigest(),
                        "mail_id": mails[-1],
                        "hidden": False,
                        "created": when,
                    }
                )
                batch["message_ref"].append(
                    {"message_id": f"<seed.{tid}.{p}@firma.se>", "thread_id": tid}
                )
                for liker in {
                    rng.randrange(size.people) for _ in range(rng.choice((0, 0, 0, 1, 2)))
                }:
                    like_id += 1
                    batch["post_like"].append(
                        {"id": like_id, "post_id": post_id, "person_id": liker + 1, "created": when}
                    )
                if p + 1 < count:
                    when += timedelta(minutes=rng.randint(2, 600))
            for reader in sorted({rng.randrange(size.people) for _ in range(rng.randint(0, 8))}):
                view_id += 1
                batch["thread_view"].append(
                    {"id": view_id, "thread_id": tid, "person_id": reader + 1, "created": when}
                )
            for person in sorted(set(team[: min(len(team), chain)])):
                out_id += 1
                batch["outbound_mail"].append(
                    {
                        "id": out_id,
                        "idempotency_key": f"link:{tid}:{people[person][1]}",
                        "purpose": "link",
                        "recipient": people[person][1],
                        "thread_id": tid,
                        "message_id": f"<link.{tid}.{person}@firma.se>",
                        "raw": f"Subject: {subject}\r\n\r\n/t/{tid}\r\n".encode(),
                        "state": "sent",
                        "attempts": 1,
                        "next_attempt": created,
                        "created": created,
                        "sent_at": created,
                    }
                )
            batch["thread"].append(
                {
                    "id": tid,
                    "subject": subject,
                    "slug": slugify(subject),
                    "kind": kind,
                    "state": "answered" if answered else "open",
                    "origin": "forward" if t % 10 == 7 else "cc",
                    "language": lang,
                    "asker_id": team[0] + 1,
                    "created": created,
                    "last_activity": when,
                    "mail_first": created,
                    "mail_last": when,
                    "mail_messages": count,
                    "mail_people": len(set(team)),
                    "answer_post_id": post_id if answered and count > 1 else None,
                    "hidden": hidden,
                }
            )
        yield batch


# -- writing ------------------------------------------------------------------------------


def _columns(table: Any, sample: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The columns to write and the values for those a row leaves out: the model's
    scalar default, else NULL; a column with a server default is left to the database.
    A column added to the schema later is so filled without this file knowing it."""
    names, fill = [], {}
    for column in table.columns:
        if column.name in sample:
            names.append(column.name)
        elif column.server_default is not None:
            continue
        elif column.default is not None and column.default.is_scalar:
            names.append(column.name)
            fill[column.name] = column.default.arg
        elif column.default is not None and column.default.is_callable:
            names.append(column.name)
            fill[column.name] = END
        elif column.nullable:
            names.append(column.name)
            fill[column.name] = None
        else:
            raise ValueError(f"seed: {table.name}.{column.name} needs a value")
    return names, fill


def _sqlite_value(value: Any) -> Any:
    # As SQLAlchemy's SQLite DateTime stores it: the app compares these as text.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def load(url: str, size: Size) -> dict[str, int]:
    """Seed the (freshly migrated, empty) database at `url`; returns rows per table."""
    from mailfeed.publisher.models import Base

    tables = Base.metadata.tables
    counts: dict[str, int] = {}
    layouts: dict[str, tuple[list[str], dict[str, Any]]] = {}

    def prepared(name: str, batch: list[dict[str, Any]]) -> tuple[list[str], Iterator[tuple]]:
        if name not in layouts:
            layouts[name] = _columns(tables[name], batch[0])
        names, fill = layouts[name]
        counts[name] = counts.get(name, 0) + len(batch)
        return names, (tuple(r[c] if c in r else fill[c] for c in names) for r in batch)

    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")
        dropped = _sqlite_drop_indexes(conn)
        for batch in rows(size):
            for name, data in batch.items():
                if data:
                    names, values = prepared(name, data)
                    conn.executemany(
                        f"INSERT INTO {name} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' * len(names))})",
                        ([_sqlite_value(v) for v in row] for row in values),
                    )
            conn.commit()
        for sql in dropped:
            conn.execute(sql)
        conn.execute("ANALYZE")
        conn.commit()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.close()
        return counts
    import psycopg

    with psycopg.connect(_plain(url)) as conn:
        dropped = _pg_drop_indexes(conn)
        for batch in rows(size):
            with conn.cursor() as cur:
                for name, data in batch.items():
                    if data:
                        names, values = prepared(name, data)
                        with cur.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy:
                            for row in values:
                                copy.write_row(row)
            conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for sql in dropped:
            conn.execute(sql)
        for name in counts:
            if "id" in tables[name].columns and tables[name].columns["id"].autoincrement:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
        conn.commit()
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return counts


LOADED = (
    "person",
    "thread",
    "mail_message",
    "post",
    "message_ref",
    "outbound_mail",
    "post_like",
    "thread_view",
)


def _sqlite_drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Plain indexes on the loaded tables, dropped for the load; their SQL to rebuild.
    Triggers (the FTS index, the feed counters) stay: they keep what they keep."""
    found = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(LOADED))})",
        LOADED,
    ).fetchall()
    for name, _sql in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _pg_drop_indexes(conn: Any) -> list[str]:
    """Indexes on the loaded tables that no constraint owns (the GIN full-text indexes
    among them): dropped for the COPY, built again after from their own definitions."""
    found = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public' "
        "AND tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(LOADED),),
    ).fetchall()
    for name, _sql in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


# -- the cache ----------------------------------------------------------------------------


def key(size: Size) -> str:
    """Size + schema head + the code that makes the rows: a change to any seeds anew."""
    from alembic.script import ScriptDirectory

    from mailfeed.publisher.db import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    source = Path(__file__).read_text()
    made = source[source.index("# -- text") : source.index("# -- the cache")]
    digest = hashlib.sha256(("".join(sorted(heads)) + made).encode())
    return f"{size.tag}_{digest.hexdigest()[:10]}"


def _migrated(url: str) -> None:
    from mailfeed.publisher.db import Database

    db = Database(url)
    db.upgrade()
    db.dispose()


@dataclass
class Seeded:
    url: str
    kind: str
    name: str  # the PostgreSQL database, for `drop`
    seconds: float  # how long seeding took when it was made (0.0: from the cache)
    counts: dict[str, int]

    def drop(self) -> None:
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(_plain(PG), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            path = Path(self.url.split("///", 1)[1])
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)


def _cached(kind: str, size: Size) -> tuple[str, float]:
    """The cached seeded database for `size` (made now if missing): (file or template
    database name, seconds spent seeding it now)."""
    k = key(size)
    if kind == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"seed-{k}.sqlite3"
        if path.exists():
            return str(path), 0.0
        for old in CACHE.glob(f"seed-{size.tag}_*.sqlite3"):
            old.unlink()  # an older schema or seeder: never read again
        part = CACHE / f"seed-{k}.{uuid.uuid4().hex[:6]}.part"
        start = time.perf_counter()
        try:
            _migrated(f"sqlite:///{part}")
            load(f"sqlite:///{part}", size)
            part.rename(path)
        finally:
            for leftover in CACHE.glob(f"{part.name}*"):
                leftover.unlink()  # a failed seed, or the migration's lock file
        return str(path), time.perf_counter() - start
    import psycopg

    name = f"mailfeed_seed_{k}".lower()
    with psycopg.connect(_plain(PG), autocommit=True) as admin:
        have = {r[0] for r in admin.execute("SELECT datname FROM pg_database").fetchall()}
        if name in have:
            return name, 0.0
        for old in have:
            if old.startswith(f"mailfeed_seed_{size.tag}_"):
                admin.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
        part = f"mailfeed_seedpart_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{part}"')
        start = time.perf_counter()
        url = PG.rsplit("/", 1)[0] + "/" + part
        try:
            _migrated(url)
            load(url, size)
        except BaseException:
            admin.execute(f'DROP DATABASE IF EXISTS "{part}" WITH (FORCE)')
            raise
        admin.execute(f'ALTER DATABASE "{part}" RENAME TO "{name}"')
        return name, time.perf_counter() - start


def checkout(kind: str, size: Size, tmp: Path) -> Seeded:
    """A fresh, writable copy of the seeded database (seeding it first if not cached)."""
    source, seconds = _cached(kind, size)
    if kind == "sqlite":
        path = tmp / f"seeded-{uuid.uuid4().hex[:6]}.sqlite3"
        shutil.copyfile(source, path)
        url = f"sqlite:///{path}"
        name = ""
    else:
        import psycopg

        name = f"mailfeed_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_plain(PG), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        url = PG.rsplit("/", 1)[0] + "/" + name
    seeded = Seeded(url, kind, name, seconds, {})
    seeded.counts = table_counts(url)
    return seeded


def table_counts(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0)
                for t in LOADED
            }
    finally:
        engine.dispose()


def check(url: str, data_dir: Path, samples: int = 5) -> dict[str, Any]:
    """What publishing would guarantee, on a sample: the feed counters equal a recount
    (publisher.counters.rebuild, rolled back), seeded thread pages render with their
    subject, and search finds a seeded thread by its topic.  Raises AssertionError."""
    from html import escape

    from sqlalchemy import select

    from mailfeed.publisher import counters
    from mailfeed.publisher.db import Database
    from mailfeed.publisher.models import Thread
    from mailfeed.settings import Settings, build_web_config
    from mailfeed.web import create_app

    db = Database(url)
    try:
        with db.engine.connect() as conn:
            kept = counters.read(conn)
            counters.rebuild(conn)
            recount = counters.read(conn)
            conn.rollback()
        assert kept == recount, f"feed counters {kept} != recount {recount}"
        with db.session() as session:
            total = session.scalar(select(Thread.id).order_by(Thread.id.desc()).limit(1)) or 0
            ids = sorted({1 + (i * 7919) % max(total, 1) for i in range(samples)})
            threads = session.scalars(
                select(Thread).where(Thread.id.in_(ids), Thread.hidden.is_(False))
            ).all()
        settings = Settings(
            data_dir=data_dir,
            database_url=url,
            secret_key="seed-check",
            gateway_addresses=("feed@firma.se",),
            auth="open",
        )
        client = create_app(build_web_config(settings), db).test_client()
        for thread in threads:
            page = client.get(thread.path)
            assert page.status_code == 200, (thread.path, page.status_code)
            assert escape(thread.subject) in page.get_data(as_text=True), thread.path
        for thread in threads:
            found = client.get(f"/search?q={ticket(thread.id)}").get_data(as_text=True)
            assert thread.path in found, f"search for {ticket(thread.id)} missed {thread.path}"
        assert client.get("/").status_code == 200
        return {"counters": kept, "pages": len(threads), "searched": len(threads)}
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=10, help="per thread, on average")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--check", action="store_true", help="verify a copy of the result")
    args = parser.parse_args()
    size = Size(args.threads, args.posts)
    source, seconds = _cached(args.database, size)
    print(f"{source}: seeded in {seconds:.0f} s" if seconds else f"{source}: cached")
    if args.check:
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="mailfeed-seed-"))
        seeded = checkout(args.database, size, tmp)
        try:
            print(seeded.counts)
            print(check(seeded.url, tmp))
        finally:
            seeded.drop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
