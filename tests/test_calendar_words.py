"""parsers/calendar_words.py is generated from Babel's CLDR data: regenerating it must give
the committed file, so no one edits it by hand and a Babel upgrade shows up here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_regenerating_calendar_words_gives_the_committed_file() -> None:
    spec = importlib.util.spec_from_file_location(
        "calendar_words_script", ROOT / "scripts" / "calendar_words.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    committed = (ROOT / "parsers" / "calendar_words.py").read_text(encoding="utf-8")
    assert script.render() == committed, "run .venv/bin/python scripts/calendar_words.py"


def test_calendar_words_cover_languages_no_one_typed() -> None:
    from mailfeed.parsers.calendar_words import MERIDIEMS, MONTHS, WEEKDAYS

    assert MONTHS["listopadu"] == 11  # Czech
    assert MONTHS["lapkričio"] == 11  # Lithuanian
    assert MONTHS["νοεμβρίου"] == 11  # Greek
    assert MONTHS["בנובמבר"] == 11  # Hebrew, the pattern's "ב" glued on
    assert "perşembe" in WEEKDAYS  # Turkish
    assert MERIDIEMS["오후"] == "pm"
    assert MERIDIEMS["π.μ."] == "am"
