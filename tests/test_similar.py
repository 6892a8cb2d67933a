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
import math
import random
import sys
from collections import Counter
from types import ModuleType

import pytest

from mailfeed.parsers.similar import (
    DEFAULT_THRESHOLD,
    NGRAM_WEIGHT,
    CandidateIndex,
    features,
    rank_features,
    rank_similar,
    similarity,
    terms,
)
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


def _direct(
    query: Counter[str], candidates: list[tuple[int, Counter[str]]], limit: int, threshold: float
) -> list[tuple[int, float]]:
    """The ranking computed the plain way: IDF over the question and the candidates, each
    candidate's whole vector and its cosine with the question's."""
    df: Counter[str] = Counter()
    for bag in [query, *(bag for _, bag in candidates)]:
        df.update(bag.keys())
    n = len(candidates) + 1

    def vector(bag: Counter[str]) -> dict[str, float]:
        return {
            f: (NGRAM_WEIGHT if f.startswith("#") else 1.0)
            * (1.0 + math.log(c))
            * (math.log((1 + n) / (1 + df[f])) + 1.0)
            for f, c in bag.items()
        }

    q = vector(query)
    qnorm = math.sqrt(sum(v * v for v in q.values()))
    scored = []
    for key, bag in candidates:
        v = vector(bag)
        norm = math.sqrt(sum(x * x for x in v.values()))
        dot = sum(x * q[f] for f, x in v.items() if f in q)
        scored.append((key, dot / (norm * qnorm) if norm and qnorm else 0.0))
    return sorted((p for p in scored if p[1] >= threshold), key=lambda p: -p[1])[:limit]


WORDS = (
    "projektor konferensrum nyckel faktura resa parkering skrivare möte budget semester "
    "lön kort inloggning lösenord kund leverans printer meeting holiday salary"
).split()


def test_the_prepared_index_ranks_as_the_plain_computation() -> None:
    rng = random.Random(12)
    for _ in range(200):
        candidates = [
            (i, features(" ".join(rng.choices(WORDS, k=rng.randint(0, 10)))))
            for i in range(rng.randint(0, 40))  # duplicates among them: ties keep the order
        ]
        index = CandidateIndex(candidates)
        for _question in range(3):
            query = features(" ".join(rng.choices(WORDS, k=rng.randint(0, 6))))
            for threshold in (DEFAULT_THRESHOLD, 0.05, 0.0):
                expected = _direct(query, candidates, 5, threshold)
                got = index.rank(query, 5, threshold)
                assert [k for k, _ in got] == [k for k, _ in expected]
                assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-12)
                assert rank_features(query, candidates, 5, threshold) == got


def test_a_question_visits_only_the_candidates_sharing_its_features() -> None:
    """The work per question follows the candidates that share a term or trigram with it,
    not the size of the candidate set."""
    related = [
        (i, features(text))
        for i, text in enumerate(
            ["Projektorn i rum 4 startar inte", "Projektor saknas", "Parkering vid kontoret"]
        )
    ]
    query = features("Hur startar man projektorn?")
    visits = []
    for unrelated in (0, 50, 400):
        # Words sharing no letter sequence with the question: no term, no trigram.
        noise = [(100 + i, features(f"qx{i}zv wq{i}kj")) for i in range(unrelated)]
        index = CandidateIndex(related + noise)
        assert [k for k, _ in index.rank(query)] == [0, 1]
        visits.append(index.visited)
    assert visits[0] == visits[1] == visits[2] > 0
