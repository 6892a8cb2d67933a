"""Question, deflection, answered and kudos signals on messages' own words (pure).

Owns: reading one message's own words (quotes and signatures already removed) for what
it does in a conversation: asks (`is_question`), passes the question on without
answering (`is_deflection`), says it got its answer (`is_answer_ack`), or praises a
colleague (`is_kudos`); and, over a whole chain, `chain_signals` and `classify_kind`.
Must not: look at headers or decide what to do with the mail (that is `policy.py`).

Swedish and English are covered phrase by phrase; the patterns are plain regular
expressions over normalized sentences so that a missed phrase is one line to add, with
its test.  Opinion prompts ("Vad tycker ni?", "Thoughts?") open a discussion and are not
counted as questions; courtesy closings ("Any questions?", "Hör av dig om du undrar
något") are removed before anything is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailfeed.parsers.model import ChainMessage, Kind

_FLAGS = re.IGNORECASE | re.UNICODE


def _phrases(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?:" + "|".join(alternatives) + r")", _FLAGS)


# ------------------------------------------------------------------- normalization

_URL = re.compile(r"\b(?:https?://|www\.)\S+", _FLAGS)
# Starts only where a run of non-space begins (or after an "@"), so that a long run
# without an "@" is read once, not once per starting position (issue 15).
_EMAIL = re.compile(r"(?<![^\s@])[^\s@]+@[^\s@]+\.\w+")
# A sentence ends at . ! ? followed by a space (kept, for the question mark), or at a line
# break; "14.00" and "t.ex." stay inside their sentence.
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))+(?:[.!?]+|$)", re.MULTILINE)
_GREETING = re.compile(
    r"^\s*(?:hej|hejsan|hallå|tjena|tja|god morgon|hi|hello|hey|dear|good morning)\b"
    r"[^.!?\n]{0,40}[,!:]?\s*$",
    _FLAGS,
)


# Sentence ends of other scripts read as ours: the full-width marks of Chinese and
# Japanese, the Arabic question mark, the Greek question mark (U+037E).
# (Chinese and Japanese put no space after them: one is added to end the sentence.)
_SENTENCE_ENDS = str.maketrans({"？": "? ", "؟": "?", "\u037e": "?", "！": "! ", "。": ". "})
# Greek writes its question mark as ";" too, right after a Greek word.
_GREEK_QUESTION = re.compile(r"(?<=[\u0370-\u03ff\u1f00-\u1fff]);")
# Japanese and Chinese ask with a particle and a full stop: "…できますか。", "…好吗。".
_PARTICLE_QUESTION = re.compile(r"(?<=[\u3040-\u309f])か。|(?<=[吗嗎])。")


def _clean(text: str) -> str:
    """Drop links and addresses: `?` in a URL query is not a question."""
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    if text.isascii():
        return text
    text = _PARTICLE_QUESTION.sub(lambda m: m.group(0)[:-1] + "? ", text)
    return _GREEK_QUESTION.sub("?", text.translate(_SENTENCE_ENDS))


def sentences(text: str) -> list[str]:
    """The sentences of a message, trimmed, greetings dropped, closings dropped."""
    found: list[str] = []
    for match in _SENTENCE.finditer(_clean(text)):
        sentence = " ".join(match.group(0).split())
        if not sentence or _GREETING.match(sentence) or _CLOSING.search(sentence):
            continue
        found.append(sentence)
    return found


def _words(text: str) -> int:
    return len(re.findall(r"\w+", _clean(text)))


# ---------------------------------------------------------------------- questions

# Courtesy closings that end a message that is not a question, sv and en.
_CLOSING = _phrases(
    r"^(?:några|har ni några|har du några|övriga) frågor\s*\?",
    r"^frågor\s*\?",
    r"^any (?:other |further )?questions\s*\?",
    r"^questions\s*\?",
    r"\bhör av dig(?: till mig)?,? (?:om|ifall) (?:du|ni) (?:undrar|har|vill|behöver)",
    r"\bhör (?:gärna )?av er,? (?:om|ifall) (?:ni|du) (?:undrar|har|vill|behöver)",
    r"\b(?:undrar|har) (?:du|ni) (?:något|några frågor|frågor),? (?:så )?hör av",
    r"\btveka inte att (?:höra av dig|höra av er|fråga|kontakta)",
    r"\bsäg till om (?:du|ni) (?:undrar|har|vill|behöver)",
    r"\b(?:let me|let us) know if (?:you|there)",
    r"\bfeel free to (?:reach out|ask|contact|get in touch)",
    r"\bdon'?t hesitate to (?:reach out|ask|contact|get in touch)",
    r"\bif you have (?:any )?(?:questions|concerns)",
    r"\bom (?:du|ni) har (?:några )?frågor",
    r"^(?:tack på förhand|thanks in advance|tia)\b",
)

# Opinion prompts open a discussion, rhetorical openers announce, small talk greets;
# none waits for an answer.
_NOT_ASKING = _phrases(
    r"^(?:vet ni vad|vet du vad|gissa vad|you know what|guess what)\b",
    # small talk
    r"^(?:hur är läget|hur mår (?:du|ni)|hur har (?:du|ni) det|allt väl|läget)\s*\?",
    r"^(?:how are you|how'?s it going|how are things|how was your (?:weekend|vacation))"
    r"\b[^?]*\?",
    r"^(?:vad tycker (?:ni|du|folk)|vad säger (?:ni|du)|synpunkter|tankar|åsikter|"
    r"några (?:tankar|synpunkter|invändningar|åsikter))\b",
    r"^(?:what do you (?:all |guys )?think|thoughts|any thoughts|comments|any comments|"
    r"opinions|any objections|any feedback|feedback welcome|objections)\b",
    r"\b(?:vad tycker ni|what do you think)\s*\?\s*$",
)

# Sentences that ask or request without (always) a question mark, sv and en.
_REQUEST = _phrases(
    # Swedish
    r"^(?:\w+ )?(?:vet|känner) (?:någon|ni|du|nån)\b",
    r"^(?:är det |finns det )?(?:någon|nån) som (?:vet|har|kan|känner|minns|hittat|sitter)\b",
    r"^finns det (?:någon|nån|något|nåt|några|en|ett)\b",
    r"^hur (?:gör|får|ändrar|byter|lägger|hittar|kommer|ska|bör|kan) (?:man|jag|vi|ni|du)\b",
    r"^(?:vem|vilka) (?:kan|vet|äger|ansvarar|har|sköter|ska|bör|jobbar)\b",
    r"^(?:var|vart) (?:finns|hittar|ligger|ska|kan|lägger)\b",
    r"^vilken (?:\w+ )?(?:ska|bör|gäller|använder)\b",
    r"^(?:kan|skulle|kunde) (?:någon|nån|ni|du) (?:hjälpa|förklara|tipsa|kolla|titta)\b",
    r"^(?:jag|vi) (?:undrar|funderar på) (?:om|hur|var|vem|vad|när|varför|vilken)\b",
    r"^(?:jag|vi) (?:behöver|skulle behöva|söker) (?:hjälp|tips|råd)\b",
    r"^(?:tips|råd) på\b",
    r"^går det att\b",
    # English
    r"^(?:\w+ )?(?:does|do) (?:anyone|anybody|someone|you|any of you) know\b",
    r"^(?:is there|are there) (?:anyone|anybody|someone|a|an|any)\b",
    r"^(?:has|have) (?:anyone|anybody|someone|any of you)\b",
    r"^(?:can|could|would) (?:someone|somebody|anyone|anybody|you) "
    r"(?:help|explain|tell|point|check|confirm|share|look)\b",
    r"^(?:who|which team) (?:owns|knows|is responsible|maintains|handles|can|should|runs)\b",
    r"^how (?:do|can|should|would) (?:i|we|you|one)\b",
    r"^(?:where|what) (?:do|can|should) (?:i|we) (?:find|get|put|use|do|ask)\b",
    r"^i(?:'m| am)? (?:wondering|wonder) (?:if|whether|how|where|who|what|why|when)\b",
    r"^(?:i|we) (?:need|would need|could use) (?:help|some help|advice|a hand)\b",
    r"^any (?:idea|ideas|tips|pointers|advice) (?:on|about|how|where|who|why|what)\b",
    r"^please advise\b",
)


# "Hej alla, vet någon…", "Quick question: does anyone…": a short lead-in before the ask.
_LEAD_IN = re.compile(r"^[^,:;—–]{1,30}[,:;—–]\s*|^[^-]{1,30}\s-\s+")


def is_question(text: str) -> bool:
    """True when a message's own words ask something someone should answer.

    A sentence asks when it ends with "?" or opens with a request phrase ("Vet någon…",
    "Does anyone know…"); courtesy closings and opinion prompts do not count.
    """
    for sentence in sentences(text):
        lead_in = _LEAD_IN.match(sentence)
        readings = (sentence, sentence[lead_in.end() :]) if lead_in else (sentence,)
        if any(_NOT_ASKING.search(r) for r in readings):
            continue
        if sentence.endswith("?") or any(_REQUEST.search(r) for r in readings):
            return True
    return False


# -------------------------------------------------------------------- deflections

# "I don't know": the replier has no answer.
_IGNORANCE = _phrases(
    r"\b(?:jag )?vet (?:tyvärr |faktiskt |inte heller |dessvärre )?(?:inte|ej)\b",
    r"\bingen (?:aning|koll|susning)\b",
    r"\bhar (?:tyvärr |inte heller |dessvärre )?(?:ingen|inte någon|ingen aning|inte koll)\b",
    r"\binte (?:mitt|min) (?:område|bord|grej|avdelning)\b",
    r"\bkan (?:tyvärr |dessvärre )?inte (?:svara|hjälpa)\b",
    r"^nej,? inte jag\b",
    r"\b(?:i )?(?:don'?t|do not) know\b",
    r"\bno (?:idea|clue)\b",
    r"\bnot (?:sure|me|my area|my team|something i)\b",
    r"\bi(?:'m| am) not (?:sure|the right person|familiar)\b",
    r"\bhave(?:n'?t| not) (?:a clue|the faintest|any idea)\b",
    r"\bcan'?t help\b",
)

# Passing it on: "ask…", "check with…", "adding X", "+Anna".
_REDIRECT = _phrases(
    r"\b(?:fråga|testa att fråga|prova att fråga|försök fråga|kolla med|hör med|"
    r"stäm av med|prata med|maila|mejla)\b",
    r"\b(?:\w+ )?(?:borde|kanske|nog) (?:veta|vet|kunna svara|ha koll)\b",
    r"\b(?:lägger till|lägger på|lägger in|kopierar in|cc:ar|ccar|skickar vidare till|"
    r"vidarebefordrar till)\b",
    r"\b(?:ask|try asking|check with|talk to|ping|reach out to|contact)\b",
    r"\b(?:might|may|should|would|probably) (?:know|be able to (?:help|answer))\b",
    r"\b(?:adding|looping in|cc'?ing|forwarding to|passing (?:this|it) to|copying in)\b",
    r"(?:^|\s)\+[A-ZÅÄÖ]\w+",
)

# Words that carry an answer: instructions, a place, a name with a verb of ownership.
_SUBSTANCE = _phrases(
    r"\b(?:du|ni|man) (?:måste|behöver|ska|kan|bör) (?:gå|öppna|klicka|logga|köra|"
    r"installera|starta|ändra|lägga|välja|skriva)\b",
    r"\b(?:you|one) (?:need to|have to|must|should|can) (?:go|open|click|log|run|install|"
    r"restart|change|set|select|type|use)\b",
    r"\b(?:det|it|that) (?:ligger|finns|står|is|lives|sits) (?:i|på|under|in|on|at)\b",
    r"\b(?:i think|i believe|pretty sure) (?:it'?s|it is|you|the)\b",
    r"\bjag tror (?:att )?(?:det (?:är|ligger|finns)|du (?:måste|behöver|ska))\b",
)


def is_deflection(text: str) -> bool:
    """True when a reply passes the question on without answering it.

    A deflection redirects ("fråga…", "ask the network team", "+Anna") or admits not
    knowing, and carries no answer of its own: no instructions, no "it is in…".
    Long replies are taken to hold an answer somewhere.
    """
    if is_answer_ack(text) or _words(text) > 80:
        return False
    joined = " ".join(sentences(text))
    if _SUBSTANCE.search(joined):
        return False
    return bool(_IGNORANCE.search(joined) or _REDIRECT.search(joined))


# ----------------------------------------------------------------------- answered

# "It works" only counts where it opens a clause: "jag vet inte hur det funkar" does not.
_CLAUSE = r"(?:^|[,!;:—–-]\s*|\b(?:och|nu|ja|jo|yes|and|now|ok|okay) )"

_ACK = _phrases(
    # Swedish
    _CLAUSE + r"(?:det|allt) (?:löste sig|är löst|funkar|fungerar|funkade|fungerade)\b",
    r"\b(?:det|detta|du|ni) löste (?:det|problemet|saken|biffen)\b",
    r"\bnu (?:funkar|fungerar|går) det\b",
    r"\b(?:problemet|saken) (?:är )?löst\b",
    r"\b(?:perfekt|toppen|kanon|super|grymt|utmärkt|klockrent|härligt),? tack\b",
    r"\btack,? (?:det var|precis) (?:precis )?(?:det|vad) jag (?:behövde|letade efter|sökte)\b",
    r"\btack (?:så mycket |så jättemycket )?för (?:hjälpen|svaret|tipset)\b"
    r".*\b(?:funka|fungera|löst)",
    r"\b(?:då|nu) vet jag\b",
    # English
    _CLAUSE + r"(?:that|this|it) (?:worked|works|did the trick|fixed it|solved it|sorted it)\b",
    r"\b(?:works|working) now\b",
    r"\b(?:problem|issue) (?:is )?(?:solved|resolved|fixed)\b",
    r"\ball sorted\b",
    r"\b(?:perfect|great|awesome|brilliant|excellent),? thanks?\b",
    r"\bthanks?,? (?:that'?s|that is) (?:exactly )?what i (?:needed|was looking for)\b",
    r"\bgot it,? thanks?\b",
)

# "…but it still does not work": thanks without a solution.
_NOT_SOLVED = _phrases(
    r"\b(?:funkar|fungerar|funkade|fungerade|gick|går) (?:tyvärr |fortfarande |ändå )*inte\b",
    r"\bfortfarande (?:samma|problem|fel)\b",
    r"\b(?:still|doesn'?t|does not|didn'?t|did not) (?:work|help|fix)",
    r"\bstill (?:broken|failing|the same|getting)\b",
    r"\b(?:no|not) luck\b",
)


def is_answer_ack(text: str) -> bool:
    """True when a reply says the question got its answer ("Tack, det löste sig!").

    Questions in the reply are not read: "Funkar det om…?" asks, it does not confirm.
    """
    joined = " ".join(s for s in sentences(text) if not s.endswith("?"))
    return bool(_ACK.search(joined)) and not _NOT_SOLVED.search(joined)


# -------------------------------------------------------------------------- kudos

_KUDOS = _phrases(
    # Swedish
    r"\b(?:ett )?(?:stort|jättestort|varmt|extra|särskilt|enormt) tack till\b",
    r"\b(?:vill|ville) (?:bara )?(?:tacka|ge en eloge till|lyfta|berömma)\b",
    r"\beloge till\b",
    r"\bhatten av (?:för|till)\b",
    r"\bcreds? till\b",
    r"\btummen upp (?:för|till)\b",
    # English
    r"\bshout[- ]?outs? to\b",
    r"\bkudos to\b",
    r"\b(?:a )?(?:big|huge|massive|special|warm) (?:thanks|thank you) to\b",
    r"\bhats off to\b",
    r"\bprops to\b",
    r"\b(?:i|we) (?:want|would like|'d like) to (?:thank|recognize|recognise|give a shout)\b",
)


def is_kudos(text: str) -> bool:
    """True when a message praises a colleague ("Stort tack till Erik som…", "Kudos to…")."""
    return bool(_KUDOS.search(" ".join(sentences(text))))


# ------------------------------------------------------------------ whole chains


@dataclass(frozen=True)
class ChainSignals:
    """What a reply chain shows, read message by message (oldest first)."""

    question: bool  # the root asks something
    kind: Kind
    deflections: int  # replies that passed the question on without answering
    handoffs: int  # short replies that added people who had not been on the chain
    answered: bool  # a reply after the root says it is resolved
    answered_by: str | None  # address of the first reply that says so
    messages: int
    participants: int  # distinct authors and recipients
    asker: str | None  # the root's author


def classify_kind(chain_texts: Sequence[str]) -> Kind:
    """The kind of thread a chain becomes, read from its root (the first text).

    A root that asks is a question; a root that praises someone and asks nothing is
    praise; anything else is a discussion.
    """
    root = chain_texts[0] if chain_texts else ""
    if is_question(root):
        return "question"
    if is_kudos(root):
        return "praise"
    return "discussion"


def _addresses(message: ChainMessage) -> set[str]:
    people = (message.author, *message.to, *message.cc)
    return {p.email.lower() for p in people if p.email}


def root_text(root: ChainMessage, subject: str = "") -> str:
    """What the signals read of a chain's root: the subject as its first line."""
    return f"{subject}\n{root.body}" if subject else root.body


def asks(chain: Sequence[ChainMessage], subject: str = "") -> bool:
    """`chain_signals(chain, subject).question`, without reading the replies."""
    return bool(chain) and is_question(root_text(chain[0], subject))


def chain_signals(chain: Sequence[ChainMessage], subject: str = "") -> ChainSignals:
    """Question, deflections, hand-offs and answered, over a chain oldest first.

    `subject` (normalized, without "SV:"/"Re:") is read as the root's first line: many
    asks are only in the subject ("Vem äger avtalet med Telia?" / "Se rubriken").
    """
    if not chain:
        return ChainSignals(False, "discussion", 0, 0, False, None, 0, 0, None)
    root = chain[0]
    text = root_text(root, subject)
    seen = _addresses(root)
    everyone = set(seen)
    deflections = handoffs = 0
    answered_by: str | None = None
    answered = False
    for message in chain[1:]:
        addresses = _addresses(message)
        added = addresses - seen - {message.author.email or ""}
        seen |= addresses
        everyone |= addresses
        if is_answer_ack(message.body):
            if not answered:
                answered, answered_by = True, message.author.email
            continue
        if is_deflection(message.body):
            deflections += 1
        elif added and _words(message.body) <= 25:
            handoffs += 1
    return ChainSignals(
        question=is_question(text),
        kind=classify_kind([text]),
        deflections=deflections,
        handoffs=handoffs,
        answered=answered,
        answered_by=answered_by,
        messages=len(chain),
        participants=len(everyone),
        asker=root.author.email,
    )
