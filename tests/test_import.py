"""`mailfeed import`: an archive becomes threads, whatever order its messages come in."""

from __future__ import annotations

import mailbox
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import func, select

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail, Post, Thread
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


def run_import(data: Path, path: Path) -> str:
    env = {
        "MAILFEED_DATA_DIR": str(data),
        "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
        "PATH": str(Path(sys.executable).parent),
    }
    done = subprocess.run(
        [*mailfeed_command(), "import", str(path)],
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
