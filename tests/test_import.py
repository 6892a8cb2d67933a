"""`mailfeed import`: an archive becomes threads, whatever order its messages come in."""

from __future__ import annotations

import mailbox
import subprocess
import sys
from email.feedparser import FeedParser
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mailfeed.gateway.importer import CHUNK, import_archive, iter_mbox
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail, Post, Thread
from mailfeed.settings import Settings, build_gateway_config
from tests.gateway_support import mailfeed_command


def message(
    mid: str,
    sender: str,
    subject: str,
    body: str,
    parent: str | None = None,
    refs: tuple[str, ...] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "lista@firma.se"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{mid}>"
    msg["Date"] = "Tue, 24 Nov 2026 09:00:00 +0100"
    msg["List-Id"] = "<lista.firma.se>"
    if parent:
        msg["In-Reply-To"] = f"<{parent}>"
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    msg.set_content(body)
    return msg


def archive(tmp_path: Path) -> list[EmailMessage]:
    # The reply comes before its question, as mbox order often is after a merge.
    return [
        message(
            "r1@firma.se",
            "Johan Lind <johan.lind@firma.se>",
            "Re: Nyckel till förrådet?",
            "Receptionen har den.",
            parent="q1@firma.se",
            refs=("q1@firma.se",),
        ),
        message(
            "q1@firma.se",
            "Anna Berg <anna.berg@firma.se>",
            "Nyckel till förrådet?",
            "Vet någon vem som har nyckeln till förrådet?",
        ),
        message(
            "q2@partner.example",
            "Kim <kim@partner.example>",
            "Leverans i december?",
            "Does anyone know when the December delivery arrives?",
        ),
        message(
            "r2@firma.se",
            "Erik Sandberg <erik.sandberg@firma.se>",
            "Re: Leverans i december?",
            "Vecka 50.",
            parent="q2@partner.example",
            refs=("q2@partner.example",),
        ),
    ]


def run_import(data: Path, path: Path, *options: str) -> str:
    env = {
        "MAILFEED_DATA_DIR": str(data),
        "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
        "PATH": str(Path(sys.executable).parent),
    }
    done = subprocess.run(
        [*mailfeed_command(), "import", *options, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def check(data: Path) -> None:
    db = Database(f"sqlite:///{data / 'mailfeed.sqlite3'}")
    with db.session() as s:
        threads = s.scalars(select(Thread).order_by(Thread.id)).all()
        assert sorted(t.subject for t in threads) == [
            "Leverans i december?",
            "Nyckel till förrådet?",
        ]
        assert s.scalar(select(func.count()).select_from(Post)) == 4
        assert s.scalar(select(func.count()).select_from(OutboundMail)) == 0  # import is silent
        delivery = next(t for t in threads if t.subject.startswith("Leverans"))
        assert [p.author_name if p.author is None else p.author.email for p in delivery.posts] == [
            "Kim",
            "erik.sandberg@firma.se",
        ]  # the outsider by name only
    db.dispose()


def test_import_mbox(tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "archive.mbox")
    for msg in archive(tmp_path):
        box.add(msg)
    box.close()
    out = run_import(tmp_path / "data", tmp_path / "archive.mbox")
    assert out.startswith("4 messages: 2 new threads, 2 appended")
    check(tmp_path / "data")
    # Importing the same archive again changes nothing.
    assert "4 duplicates" in run_import(tmp_path / "data", tmp_path / "archive.mbox")
    check(tmp_path / "data")


def test_import_maildir_and_eml_folder(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir")
    msgs = archive(tmp_path)
    for msg in msgs[:2]:
        box.add(msg)
    folder = tmp_path / "Maildir" / "more"
    folder.mkdir()
    for i, msg in enumerate(msgs[2:]):
        (folder / f"{i}.eml").write_bytes(msg.as_bytes())
    run_import(tmp_path / "data", tmp_path / "Maildir")
    check(tmp_path / "data")


def test_mbox_is_read_as_mailbox_reads_it(tmp_path: Path) -> None:
    # The streaming reader against the standard library's, on the corners of the format:
    # text before the first "From " line, a message of no lines, a missing blank line
    # before "From ", CRLF lines, an escaped ">From " body line, no newline at the end.
    data = (
        b"junk before\n"
        b"From a@x Tue Nov 24 09:00:00 2026\nSubject: one\n\nbody\n>From here\n\n\n"
        b"From b@x Tue Nov 24 09:00:00 2026\n"
        b"From c@x Tue Nov 24 09:00:00 2026\r\nSubject: three\r\n\r\nbody\r\n"
        b"From d@x Tue Nov 24 09:00:00 2026\nSubject: four\n\nlast line"
    )
    path = tmp_path / "tricky.mbox"
    path.write_bytes(data)
    box = mailbox.mbox(path, create=False)
    expected = [box.get_bytes(key) for key in box.iterkeys()]
    box.close()
    assert len(expected) == 4
    assert list(iter_mbox(path)) == expected


def test_parsing_processes_change_nothing(tmp_path: Path) -> None:
    # More than one chunk of mail, so `--jobs 2` parses in child processes; replies come
    # before their questions, so the order the results are taken in matters.
    box = mailbox.mbox(tmp_path / "archive.mbox")
    for i in range(CHUNK + 8):
        box.add(
            message(
                f"r{i}@firma.se",
                "Johan Lind <johan.lind@firma.se>",
                f"Re: Fråga {i}?",
                f"Svar {i}.",
                parent=f"q{i}@firma.se",
                refs=(f"q{i}@firma.se",),
            )
        )
        box.add(
            message(f"q{i}@firma.se", "Anna Berg <anna.berg@firma.se>", f"Fråga {i}?", "Vet någon?")
        )
    box.close()
    outputs, rows = [], []
    for jobs in ("1", "2"):
        data = tmp_path / f"data{jobs}"
        outputs.append(run_import(data, tmp_path / "archive.mbox", "--jobs", jobs))
        db = Database(f"sqlite:///{data / 'mailfeed.sqlite3'}")
        with db.session() as s:
            rows.append(
                s.execute(
                    select(Thread.subject, Post.position, Post.body)
                    .join(Post, Post.thread_id == Thread.id)
                    .order_by(Thread.id, Post.position)
                ).all()
            )
        db.dispose()
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(f"{2 * (CHUNK + 8)} messages: {CHUNK + 8} new threads")
    assert len(rows[0]) == 2 * (CHUNK + 8)
    assert rows[0] == rows[1]


def test_each_mail_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Parsing is most of an import's work: no stage may parse the same bytes again (the
    # calendar-reply check did, for every mail).  Counted at the standard library's
    # parser, which every MIME parse in the code base ends in.
    box = mailbox.mbox(tmp_path / "archive.mbox")
    for msg in archive(tmp_path):
        box.add(msg)
    box.close()
    settings = Settings(
        data_dir=tmp_path / "data", gateway_addresses=("feed@firma.se",), secret_key="test"
    )
    db = Database(settings.db_url)
    db.upgrade()
    parses = 0
    close = FeedParser.close

    def counted(self: FeedParser) -> object:
        nonlocal parses
        parses += 1
        return close(self)

    monkeypatch.setattr(FeedParser, "close", counted)
    stats = import_archive(build_gateway_config(settings), db, tmp_path / "archive.mbox", jobs=1)
    db.dispose()
    assert stats.messages == 4
    assert parses == 4
