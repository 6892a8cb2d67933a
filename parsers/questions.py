"""Question, deflection, answered and kudos signals on a message's own words (pure)."""

from __future__ import annotations

import re

_INTERROGATIVE = re.compile(
    r"^\s*(vet någon|hur gör man|vem kan|var finns|does anyone know|who owns|how do i|"
    r"can anyone|where can i)\b",
    re.IGNORECASE | re.MULTILINE,
)


def is_question(text: str) -> bool:
    """True when the text asks something (a first version; see issue 4 for the full signal)."""
    if "?" in text:
        return True
    return bool(_INTERROGATIVE.search(text))
