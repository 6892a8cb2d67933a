"""Text similarity for "This may already be answered" (pure).

Owns: turning a question into comparable terms (Swedish and English: lower case,
stop words out, a light stemmer) and ranking answered threads by TF-IDF cosine.
Must not: read the database; the publisher passes the candidates (thread id and text).

The stemmer is deliberately crude: strip the commonest inflection suffix, then keep
the first `PREFIX` letters, so "lösenordet", "lösenord" and "lösenordsbyte" meet, as do
"install", "installing" and "installation".  Each word also brings its character
trigrams (of the whole word, not the prefix) at a lower weight, which lets the last part
of a Swedish compound ("mobilabonnemang") meet the word alone ("abonnemang").  There is
no translation and no synonym list: a Swedish question does not find an English thread,
and "wifi" does not find "wireless network".

Measured on tests/data/similar/pairs.json with benchmarks/similar_precision.py:
precision@1 0.82 (33/40) at DEFAULT_THRESHOLD; without the trigrams 0.80, without the
prefix 0.80, without both 0.78.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")

PREFIX = 6  # letters kept of each stem
NGRAM = 3
NGRAM_WEIGHT = 0.3  # of a trigram relative to a whole term
DEFAULT_THRESHOLD = 0.2  # measured on tests/data/similar/pairs.json, see benchmarks/

# Function words, the words every question shares ("vet någon", "does anyone know"),
# and days: a question about Thursdays is not like every other question about Thursdays.
_STOPWORDS = frozenset(
    """
    och i att det som en på är av för med till den har de inte om ett han men var jag sig
    från vi så kan man när år säger hon under också efter eller nu sin där vid mot ska
    skulle kommer ut får finns vara hade alla andra mycket än här då sedan över bara in blir
    upp även vad få två vill ha många hur mer går detta nya
    hans utan sina något allt första fick måste mellan blev bli dag någon några sitt
    stora varit dem bland bra tre ta genom del hela annat fram gör ingen göra enligt
    mig redan inom än dig du ni vem vet hej tack någon nån nåt finns fråga undrar snälla
    era er ert min mitt mina din ditt dina vår vårt våra dess deras ju väl lite jo ja nej
    the a an and or but if then else of to in on at by for with from as is are was were be
    been being have has had do does did doing i me my we our you your he she it its they
    them their this that these those who whom which what when where why how can could would
    should will shall may might must not no yes so than too very just about into over again
    further once here there all any both each few more most other some such only own same
    anyone anybody someone somebody know knows please thanks thank hi hello hey question
    there's i'm it's what's get got way
    måndag tisdag onsdag torsdag fredag lördag söndag måndagar tisdagar onsdagar torsdagar
    fredagar lördagar söndagar idag imorgon igår monday tuesday wednesday thursday friday
    saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays today
    tomorrow yesterday
    """.split()
)

# Longest first; a suffix is only stripped if at least three letters remain.
_SUFFIXES = sorted(
    """
    arnas ernas ornas andes endes andet andets arna erna orna ande ende heten heter
    ningen ningar ning ingen ingar ings ing ation ations ions ion edly ies ied ed es er
    ar or en et na a e s ly
    """.split(),
    key=len,
    reverse=True,
)

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


def _strip(word: str) -> str:
    """The word without its commonest inflection suffix."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).casefold()
    found: list[str] = []
    for match in _WORD.finditer(text):
        for word in match.group(0).split("-"):
            word = word.strip("'")
            if len(word) >= 2 and word not in _STOPWORDS:
                found.append(_strip(word))
    return found


def terms(text: str) -> list[str]:
    """The stemmed content words of a text, in order."""
    return [word[:PREFIX] for word in _content_words(text)]


def features(text: str) -> Counter[str]:
    """Term counts plus character trigrams of each whole word ("#" marks trigrams,
    weighted in `_vector`), so a compound's tail meets the word alone."""
    bag: Counter[str] = Counter()
    for word in _content_words(text):
        bag[word[:PREFIX]] += 1
        padded = f"<{word}>"
        for i in range(len(padded) - NGRAM + 1):
            bag["#" + padded[i : i + NGRAM]] += 1
    return bag


def _vector(bag: Mapping[str, int], idf: Mapping[str, float] | None) -> dict[str, float]:
    vec: dict[str, float] = {}
    for feature, count in bag.items():
        weight = NGRAM_WEIGHT if feature.startswith("#") else 1.0
        vec[feature] = weight * (1.0 + math.log(count)) * (idf.get(feature, 1.0) if idf else 1.0)
    return vec


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def similarity(a_text: str, b_text: str) -> float:
    """Cosine similarity (0..1) of two texts' features, without corpus weights."""
    return _cosine(_vector(features(a_text), None), _vector(features(b_text), None))


def rank_similar(
    question: str,
    candidates: Iterable[tuple[K, str]],
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[K, float]]:
    """The `limit` candidates most like `question`, best first, each scoring at least
    `threshold` (TF-IDF cosine, IDF over the question and the candidates).

    `candidates` are (key, text) pairs, e.g. (thread id, subject and first post).
    Ties keep the candidates' order.
    """
    return rank_features(
        features(question),
        [(key, features(text)) for key, text in candidates],
        limit=limit,
        threshold=threshold,
    )


def rank_features(
    query: Mapping[str, int],
    candidates: Sequence[tuple[K, Mapping[str, int]]],
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[K, float]]:
    """`rank_similar` over features computed before (`features(text)`), so a caller can
    keep each candidate's features instead of deriving them again for every question."""
    return CandidateIndex(candidates).rank(query, limit, threshold)


class CandidateIndex(Generic[K]):
    """A candidate set prepared for many questions: `rank` gives what `rank_features`
    over the same candidates gives, but visits only the candidates sharing a feature
    with the question (a candidate sharing none scores 0, under any positive threshold).

    The cosine's IDF is over the question and the candidates, so a candidate's norm
    depends on the question only through the features the two share.  Each candidate's
    norm is computed once as if the question had none of its features; `rank` corrects
    it for the shared ones.  The sums run in another order than a direct computation,
    so a score may differ from it in the last bits, never more.
    """

    def __init__(self, candidates: Sequence[tuple[K, Mapping[str, int]]]) -> None:
        self.keys = [key for key, _ in candidates]
        self.n = len(candidates) + 1  # the question is one of the documents too
        df: Counter[str] = Counter()
        for _key, bag in candidates:
            df.update(bag.keys())
        self.df = df
        # feature -> [(candidate position, weight * (1 + log count))]
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.norms2 = []
        n = self.n
        for position, (_key, bag) in enumerate(candidates):
            norm2 = 0.0
            for feature, count in bag.items():
                weight = (NGRAM_WEIGHT if feature[0] == "#" else 1.0) * (1.0 + math.log(count))
                value = weight * (math.log((1 + n) / (1 + df[feature])) + 1.0)
                norm2 += value * value
                self.postings.setdefault(feature, []).append((position, weight))
            self.norms2.append(norm2)
        self.visited = 0  # postings visited by the last `rank`: its work, for tests

    def rank(
        self, query: Mapping[str, int], limit: int = 3, threshold: float = DEFAULT_THRESHOLD
    ) -> list[tuple[K, float]]:
        """The `limit` candidates most like `query` (features), best first, each scoring
        at least `threshold`; ties keep the candidates' order."""
        n, df = self.n, self.df
        qnorm2 = 0.0
        dots: dict[int, float] = {}
        corrections: dict[int, float] = {}
        visited = 0
        for feature, count in query.items():
            shared = df.get(feature, 0)
            idf = math.log((1 + n) / (2 + shared)) + 1.0  # the question counts
            qvalue = (NGRAM_WEIGHT if feature[0] == "#" else 1.0) * (1.0 + math.log(count)) * idf
            qnorm2 += qvalue * qvalue
            postings = self.postings.get(feature)
            if not postings:
                continue
            alone = math.log((1 + n) / (1 + shared)) + 1.0  # the idf in the stored norm
            change = idf * idf - alone * alone
            visited += len(postings)
            for position, weight in postings:
                dots[position] = dots.get(position, 0.0) + weight * idf * qvalue
                corrections[position] = corrections.get(position, 0.0) + weight * weight * change
        self.visited = visited
        qnorm = math.sqrt(qnorm2)
        scored: list[tuple[K, float]] = []
        for position in sorted(dots) if threshold > 0 else range(len(self.keys)):
            norm2 = self.norms2[position] + corrections.get(position, 0.0)
            dot = dots.get(position, 0.0)
            score = dot / (math.sqrt(norm2) * qnorm) if norm2 > 0 and qnorm else 0.0
            scored.append((self.keys[position], score))
        ranked = sorted(
            (pair for pair in scored if pair[1] >= threshold), key=lambda p: p[1], reverse=True
        )
        return ranked[:limit]
