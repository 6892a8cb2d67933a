"""Word forms for search: which prefixes a query word stands for, in Swedish and English.

Pure.  Both full-text backends search each query word as a few prefixes: the Swedish and
English Snowball stems (a stem only ever drops a suffix, so it is a prefix of every form,
and of the compounds that start with the word: `nyckel` → `nyckelskåp`), plus the Swedish
syncope the stemmer does not undo: `nyckel` ↔ `nycklar`, `vinter` ↔ `vintrar`, `öken` ↔
`öknar` (an unstressed e before l, r or n drops when an ending starts with a vowel).
"""

from __future__ import annotations

from snowballstemmer import stemmer

_SWEDISH = stemmer("swedish")
_ENGLISH = stemmer("english")
_VOWELS = set("aeiouyåäö")
MIN_PREFIX = 3  # a shorter prefix matches nearly everything


def _syncope(stem: str) -> list[str]:
    """The other side of the e-drop: `nyckel` → `nyckl`, and `nyckl` → `nyckel`."""
    if len(stem) < 4 or stem[-1] not in "lrn":
        return []
    if stem[-2] == "e" and stem[-3] not in _VOWELS:
        return [stem[:-2] + stem[-1]]
    if stem[-2] not in _VOWELS and stem[-2] != stem[-1]:
        return [stem[:-1] + "e" + stem[-1]]
    return []


def prefixes(word: str) -> list[str]:
    """The prefixes that stand for `word` (lower case, shortest-covering first, no dups)."""
    word = word.lower()
    found: list[str] = []
    swedish, english = str(_SWEDISH.stemWord(word)), str(_ENGLISH.stemWord(word))
    for stem, other_forms in ((swedish, True), (english, False)):
        stem = stem if len(stem) >= MIN_PREFIX else word
        for candidate in (stem, *(_syncope(stem) if other_forms else [])):
            if len(candidate) >= MIN_PREFIX and candidate not in found:
                found.append(candidate)
    if not found:
        found.append(word)
    # A prefix covered by a shorter one adds nothing.
    return [p for p in found if not any(o != p and p.startswith(o) for o in found)]
