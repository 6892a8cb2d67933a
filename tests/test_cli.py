"""`mailfeed parse --json`: the contract others check from outside, exactly as printed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import DATA
from tests.gateway_support import mailfeed_command

CHAIN = DATA / "e2e" / "outlook_sv_five_days.eml"


def parse(tmp_path: Path, *args: str, **env: str) -> dict:  # type: ignore[type-arg]
    environment = {
        "MAILFEED_DATA_DIR": str(tmp_path / "data"),
        "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
        **env,
    }
    done = subprocess.run(
        [*mailfeed_command(), "parse", "--json", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_parse_json_contract(tmp_path: Path) -> None:
    out = parse(tmp_path, str(CHAIN))
    assert set(out) == {
        "message_id",
        "subject",
        "from",
        "chain",
        "new_text",
        "note",
        "participants",
        "is_question",
        "decision",
    }
    assert out["message_id"] == (
        "DB9PR07MB7771A0C5B2E8F1A0D3C4E5F6A7B8@DB9PR07MB7771.eurprd07.prod.outlook.com"
    )
    assert out["subject"] == "Boka stora konferensrummet för externa gäster?"
    assert out["from"] == {"name": "Johan Lind", "email": "johan.lind@firma.se"}
    assert [set(m) for m in out["chain"]] == [{"from", "date", "body"}] * 5
    assert out["chain"][0]["from"] == {"name": "Anna Berg", "email": "anna.berg@firma.se"}
    assert out["chain"][0]["date"] == "2026-11-19T09:12:00"  # as written: no offset given
    assert out["chain"][-1]["date"] == "2026-11-23T16:40:11+01:00"  # Date: keeps its offset
    assert out["new_text"].startswith("Jag lägger in frågan i flödet")
    assert out["note"] is None
    assert set(out["participants"]) >= {
        "anna.berg@firma.se",
        "johan.lind@firma.se",
        "erik.sandberg@firma.se",
        "maria.holm@firma.se",
    }
    assert out["is_question"] is True
    assert out["decision"] == {
        "action": "publish",
        "kind": "question",
        "reason": out["decision"]["reason"],
    }
    assert not (tmp_path / "data" / "mailfeed.sqlite3").exists()  # stores nothing


def test_parse_decision_follows_settings_and_rcpt(tmp_path: Path) -> None:
    elsewhere = parse(tmp_path, str(CHAIN), MAILFEED_ALLOWED_DOMAINS="kommun.se")
    assert elsewhere["decision"]["action"] == "reject"
    journal = parse(
        tmp_path,
        "--rcpt",
        "journal@firma.se",
        str(CHAIN),
        MAILFEED_MONITOR_ADDRESSES="journal@firma.se",
    )
    assert journal["decision"]["action"] == "suggest"


def test_parse_text_body(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(
        "Tack, det löste sig!\n\nDen tis 24 nov. 2026 kl 09:12 skrev Anna Berg "
        "<anna.berg@firma.se>:\n> Vet någon var nyckeln finns?\n",
        encoding="utf-8",
    )
    out = parse(tmp_path, "--text", str(body))
    assert out["new_text"] == "Tack, det löste sig!"
    assert out["chain"][0]["from"] == {"name": "Anna Berg", "email": "anna.berg@firma.se"}
    assert out["chain"][0]["date"] == "2026-11-24T09:12:00"
    assert out["chain"][0]["body"] == "Vet någon var nyckeln finns?"
    assert out["chain"][-1]["from"] == {"name": None, "email": None}  # the text does not say
