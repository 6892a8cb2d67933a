"""Similarity for "This may already be answered", and its precision on paired questions.

The pairs (tests/data/similar/pairs.json, 40 pairs, 20 Swedish and 20 English, among
them 10 deliberately hard paraphrases with few shared words, plus 20 distractor threads
and 6 questions without a twin) were measured with benchmarks/similar_precision.py at
the default threshold 0.2: precision@1 0.82 (33/40; sv 16/20, en 17/20), recall@3
0.85, and one of the six unmatched questions still got a suggestion.  Six of the seven
misses are the hard paraphrases (a purely lexical method cannot know that "wifi" is
"wireless network"); the seventh ranks another Telia thread first.  The bars below sit
just under the measurement, so a change that makes matching worse fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from mailfeed.parsers.similar import DEFAULT_THRESHOLD, rank_similar, similarity, terms
from tests.conftest import ROOT


def _benchmark() -> ModuleType:
    path = ROOT / "benchmarks" / "similar_precision.py"
    spec = importlib.util.spec_from_file_location("similar_precision", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_terms_drop_stopwords_and_meet_across_inflections() -> None:
    assert terms("Vet någon hur man byter lösenordet?") == terms("byta lösenord")
    assert terms("Does anyone know how to install it?") == ["instal"]
    assert terms("installation") == terms("installing")
    assert terms("Lösenordsbyte")[0] == terms("lösenord")[0]
    assert terms("på fredagar") == []


def test_similarity_is_symmetric_and_bounded() -> None:
    a = "Hur byter man lösenord i Visma?"
    b = "Byta utgånget lösenord i Visma lönesystem"
    assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert 0.0 < similarity(a, b) < 1.0
    assert similarity(a, a) == pytest.approx(1.0)
    assert similarity(a, "") == 0.0
    assert similarity(a, b) > similarity(a, "Julbordet: kan man bjuda med en gäst?")


def test_compound_tail_meets_the_word_alone() -> None:
    # "mobilabonnemang" shares no stem with "abonnemang", only trigrams.
    assert similarity("mobilabonnemang", "abonnemang") > 0.3


def test_rank_similar_limit_threshold_and_order() -> None:
    threads = [
        (1, "Julbordet: kan man bjuda med en gäst?"),
        (2, "Byta utgånget lösenord i Visma lönesystem"),
        (3, "Visma: ny version av attestflödet"),
        (4, "Lösenord till Visma spärrat efter tre försök"),
    ]
    ranked = rank_similar("Hur byter jag lösenord i Visma?", threads, limit=2)
    assert [key for key, _ in ranked] == [2, 4]
    assert ranked[0][1] >= ranked[1][1] >= DEFAULT_THRESHOLD
    assert rank_similar("Hur byter jag lösenord i Visma?", threads, threshold=0.99) == []
    assert rank_similar("Vem lagar kaffemaskinen?", threads) == []
    assert rank_similar("Hur byter jag lösenord i Visma?", []) == []


def test_precision_on_paired_questions() -> None:
    bench = _benchmark()
    overall = bench.measure(DEFAULT_THRESHOLD)
    assert overall.queries >= 20
    assert overall.precision_at_1 >= 0.80, overall.misses
    for lang in ("sv", "en"):
        assert bench.measure(DEFAULT_THRESHOLD, lang).precision_at_1 >= 0.75
    assert overall.unmatched_shown <= 1
