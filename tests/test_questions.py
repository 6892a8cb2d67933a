"""Question, deflection, answered and kudos signals, Swedish and English."""

from __future__ import annotations

import pytest

from mailfeed.parsers.model import ChainMessage, Person
from mailfeed.parsers.questions import (
    chain_signals,
    classify_kind,
    is_answer_ack,
    is_deflection,
    is_kudos,
    is_question,
    sentences,
)

QUESTIONS = [
    # Swedish, with and without a question mark
    "Hej alla,\n\nVet någon var nyckeln till förrådet på plan 3 har tagit vägen?\n\n/Anna",
    "Hej,\nvet någon vem som har hand om avtalet med Telia nu när Lars har slutat.\nMvh Anna",
    "Hur gör man för att lägga in en ny leverantör i Visma när man inte har attestbehörighet",
    "Vem kan hjälpa mig att få tillgång till delade mappen Ekonomi/2024",
    "Finns det någon som har erfarenhet av att koppla Jira mot Teams? Vi vill få "
    "notiser i kanalen när ett ärende eskaleras.",
    "Snabb fråga: går det att boka konferensrummet Kajen för fler än 12 personer",
    "Hej! Jag undrar om vi får ta med gäster på julbordet den 13:e.",
    "Någon som vet om parkeringen i garaget är öppen under helgen",
    "Hej Lars, hur är läget? Vet du vem som har nyckeln till serverrummet?",
    # English
    "Hi all,\n\nDoes anyone know the SLA for the shared build servers?\n\nThanks,\nTom",
    "Who owns the staging database these days — is it still the data team",
    "Can someone explain how the VPN split tunnel is configured for the Oslo office.",
    "Quick question - is there a way to export the Grafana dashboards as PDF",
    "Hi Priya, I'm wondering whether the Q3 budget template changed.",
    "Any idea why the nightly backup job fails on Sundays only",
]

NOT_QUESTIONS = [
    # Announcements with courtesy closings
    "Hej alla!\n\nHär kommer protokollet från gårdagens möte. Frågor? Hör av dig.\n\n/Eva",
    "Release 4.2 är ute i produktion sedan 14.00. Hör av dig om du undrar något!",
    "Vi flyttar till nya lokaler den 1 mars. Har ni några frågor så hör av er till Karin.",
    "Tveka inte att höra av dig om något är oklart. Trevlig helg!",
    "Here are the slides from today's all-hands. Any questions?",
    "The new expense policy is attached. Let me know if you have questions.",
    "Please find the minutes attached. Feel free to reach out if anything is unclear.",
    # Opinion prompts and rhetorical openers
    "Jag tycker vi ska byta till två veckors sprintar. Vad tycker ni?",
    "Proposal: we move the standup to 9:30. Thoughts?",
    "Vet ni vad? Vi slog försäljningsrekordet i oktober!",
    # Small talk
    "Hej Lars, hur är läget? Här kommer rapporten för september.",
    "Hi Tom, how was your weekend? Attached are the notes from Friday.",
    # A question mark inside a link is not a question
    "Rapporten finns här: https://intranet.firma.se/rapporter?id=2024-10&view=full",
    "",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_questions(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_announcements_and_closings_are_not_questions(text: str) -> None:
    assert not is_question(text)


def test_sentences_drop_greetings_and_closings() -> None:
    text = "Hej Anna,\n\nMötet är flyttat till 14.00. Hör av dig om du undrar något!\n"
    assert sentences(text) == ["Mötet är flyttat till 14.00."]


DEFLECTIONS = [
    "Nej, jag vet tyvärr inte, men fråga Lisa på ekonomi.",
    "Ingen aning, testa att fråga IT-supporten.",
    "Det är inte mitt bord, hör med Per på fastighet.",
    "+Johan som kanske vet",
    "Lägger till Karin, hon borde ha koll.",
    "Not me — maybe ask the network team?",
    "No idea, sorry. Try asking in #platform.",
    "Adding Priya, she might know.",
    "I'm not the right person for this, looping in Marcus.",
]

NOT_DEFLECTIONS = [
    "Du måste logga in på portalen och klicka på Byt lösenord, sen går det.",
    "Det ligger i Teams under Ekonomi > Filer > 2024.",
    "Not sure, but I think it is in the shared drive under Finance/2024.",
    "You need to open a ticket in ServiceNow, the platform team owns the servers.",
    "Tack, det löste sig!",
    "Thanks, that worked!",
]


@pytest.mark.parametrize("text", DEFLECTIONS)
def test_deflections(text: str) -> None:
    assert is_deflection(text)


@pytest.mark.parametrize("text", NOT_DEFLECTIONS)
def test_answers_and_thanks_are_not_deflections(text: str) -> None:
    assert not is_deflection(text)


def test_a_long_reply_is_taken_to_hold_an_answer() -> None:
    long_reply = "Jag vet inte exakt, men " + "så här brukar vi göra när det händer. " * 12
    assert not is_deflection(long_reply)


ACKS = [
    "Tack, det löste sig!",
    "Perfekt, tack!",
    "Nu funkar det, tusen tack Erik!",
    "Tack, det var precis vad jag behövde.",
    "That worked, thanks",
    "Works now — thanks a lot for the quick help.",
    "Great, thanks! Problem solved.",
]

NOT_ACKS = [
    "Tack för tipset, men det funkar fortfarande inte.",
    "Thanks, but it still does not work after the restart.",
    "Tack på förhand!",
    "Thanks for the suggestion, I will try it tomorrow.",
    "Vet någon hur det funkar med friskvårdsbidraget?",
    "Jag vet inte hur det funkar, fråga Lisa.",
    "I don't know if that works on Windows, ask Marcus.",
]


@pytest.mark.parametrize("text", ACKS)
def test_answer_acknowledgements(text: str) -> None:
    assert is_answer_ack(text)


@pytest.mark.parametrize("text", NOT_ACKS)
def test_thanks_without_a_solution_is_not_an_ack(text: str) -> None:
    assert not is_answer_ack(text)


KUDOS = [
    "Stort tack till Erik som fixade VPN:en mitt i natten när allt låg nere!",
    "Vill ge en eloge till supporten som löste skrivarkaoset på rekordtid.",
    "Hatten av för Sara och hela lagerteamet som körde extra pass i helgen.",
    "Shout-out to Maria for running the migration without a single minute of downtime.",
    "Kudos to the infra team for the new build cache!",
    "A big thank you to Ahmed, who stayed late to get the demo working.",
]

NOT_KUDOS = [
    "Thanks to the new cache, builds are twice as fast.",
    "Tack för svaret!",
    "Tack vare Eriks fix fungerar VPN:en igen.",
    "Tack på förhand för hjälpen.",
]


@pytest.mark.parametrize("text", KUDOS)
def test_kudos(text: str) -> None:
    assert is_kudos(text)


@pytest.mark.parametrize("text", NOT_KUDOS)
def test_thanks_that_praise_no_one_are_not_kudos(text: str) -> None:
    assert not is_kudos(text)


def test_classify_kind() -> None:
    assert classify_kind([QUESTIONS[0], "Fråga Lisa."]) == "question"
    assert classify_kind([KUDOS[0], "Instämmer!"]) == "praise"
    assert classify_kind([NOT_QUESTIONS[0]]) == "discussion"
    assert classify_kind(["Proposal: we move the standup to 9:30. Thoughts?"]) == "discussion"
    assert classify_kind([]) == "discussion"


def _person(name: str) -> Person:
    return Person(name.title(), f"{name}@firma.se")


def _msg(author: str, body: str, *cc: str) -> ChainMessage:
    return ChainMessage(
        _person(author), None, body, to=(_person("anna"),), cc=tuple(_person(c) for c in cc)
    )


def test_chain_of_deflections_stays_open() -> None:
    chain = [
        _msg("anna", "Hej, vet någon vem som äger avtalet med Telia?", "lars"),
        _msg("lars", "Nej, jag vet tyvärr inte, men fråga Karin.", "karin"),
        _msg("karin", "Ingen aning, testa att fråga Per på inköp.", "per"),
        _msg("per", "+Sofia", "sofia"),
        _msg("sofia", "Inte mitt område, hör med Jonas.", "jonas"),
    ]
    signals = chain_signals(chain)
    assert signals.question
    assert signals.kind == "question"
    assert signals.deflections == 4
    assert not signals.answered
    assert signals.messages == 5
    assert signals.participants == 6
    assert signals.asker == "anna@firma.se"


def test_chain_answered_by_the_asker() -> None:
    chain = [
        _msg("tom", "Does anyone know how to reset the Jenkins agent on build-03?"),
        _msg("lisa", "Not me — maybe ask the network team?"),
        _msg("omar", "You need to run the restart job in the ops folder."),
        _msg("tom", "That worked, thanks!"),
    ]
    signals = chain_signals(chain)
    assert signals.answered
    assert signals.answered_by == "tom@firma.se"
    assert signals.deflections == 1


def test_a_short_reply_adding_someone_new_is_a_handoff() -> None:
    chain = [
        _msg("anna", "Vem kan hjälpa mig med fakturan från Telia?"),
        _msg("lars", "Karin?", "karin"),
    ]
    assert chain_signals(chain).handoffs == 1


def test_empty_chain() -> None:
    signals = chain_signals([])
    assert not signals.question and signals.messages == 0 and signals.asker is None
