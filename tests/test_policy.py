"""`decide`: one test per rule, each on a realistic mail from tests/data/policy/."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import ChainMessage, ParsedMail, Person
from mailfeed.parsers.policy import RULES, PolicyContext, decide, recipients
from tests.conftest import DATA

POLICY = DATA / "policy"

SITE = PolicyContext(
    gateway_addresses=("feed@firma.se",),
    monitor_addresses=("monitor@firma.se",),
    allowed_domains=("firma.se",),
)
AUTHENTICATED = replace(SITE, trusted_authserv_ids=("mx.firma.se",))


@cache
def load(name: str) -> ParsedMail:
    return parse_mail((POLICY / f"{name}.eml").read_bytes())


def with_headers(mail: ParsedMail, *extra: tuple[str, str]) -> ParsedMail:
    drop = {name for name, _ in extra}
    kept = tuple((k, v) for k, v in mail.headers if k not in drop)
    return replace(mail, headers=(*extra, *kept))


def test_rules_run_in_the_documented_order() -> None:
    names = [rule.__name__ for rule in RULES]
    assert names == [
        "automatic",
        "sensitivity",
        "sensitivity_label",
        "encrypted",
        "confidential_subject",
        "imported",
        "authentication",
        "sender_domain",
        "known_thread",
        "explicit",
        "monitor",
        "unaddressed",
    ]


# ------------------------------------------------------------------ automatic mail


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("outlook-oof-sv", "Auto-Submitted: auto-generated"),
        ("gmail-vacation", "Auto-Submitted: auto-replied"),
        ("precedence-bulk", "Precedence: bulk"),
        ("newsletter-list", "List-Id"),
        ("dsn-bounce", "delivery or read report (multipart/report)"),
        ("read-receipt", "delivery or read report (multipart/report)"),
        ("noreply-sender", "automatic sender (no-reply@"),
        ("null-return-path", "null return path"),
        ("out-of-office-no-header", "out-of-office reply"),
    ],
)
def test_automatic_mail_is_ignored_silently(name: str, reason: str) -> None:
    decision = decide(load(name), SITE)
    assert (decision.action, decision.kind) == ("ignore", None)
    assert reason in decision.reason


def test_null_reverse_path_in_the_envelope() -> None:
    mail = load("explicit-question-sv")
    decision = decide(mail, replace(SITE, envelope_from=""))
    assert decision.action == "ignore"
    assert "null return path" in decision.reason


def test_auto_submitted_no_is_a_person() -> None:
    mail = with_headers(load("explicit-question-sv"), ("auto-submitted", "no"))
    assert decide(mail, SITE).action == "publish"


def test_exim_autoreply_header() -> None:
    mail = with_headers(load("discussion-sv"), ("x-autoreply", "yes"))
    decision = decide(mail, SITE)
    assert decision.action == "ignore"
    assert "x-autoreply" in decision.reason


OUT_OF_OFFICE_SUBJECTS = [
    "Frånvaro: Vem äger avtalet med Telia?",
    "Frånvarande: Budget Q3",
    "Automatiskt svar: Vem äger avtalet med Telia?",
    "Autosvar: Budget Q3",
    "[Autosvar] Budget Q3",
    "Out of Office: Budget template for Q3",
    "Out of Office AutoReply: Budget template for Q3",
    "Automatic reply: Budget template for Q3",
    "Auto-Reply: Budget template for Q3",
    "Abwesend: Budgetvorlage Q3",
    "Automatische Antwort: Budgetvorlage Q3",
    "Abwesenheitsnotiz: Budgetvorlage Q3",
    "Automatisk svar: Budsjett Q3",  # Norwegian and Danish
    "Fravær: Budsjett Q3",
    "Ikke til stede: Budget Q3",
    "Automaattinen vastaus: Budjetti Q3",
    "Poissa: Budjetti Q3",
    "Réponse automatique : Budget T3",
    "Absent(e) du bureau : Budget T3",
    "Respuesta automática: Presupuesto T3",
    "Fuera de la oficina: Presupuesto T3",
    "Automatisch antwoord: Begroting Q3",
    "Afwezig: Begroting Q3",
]


@pytest.mark.parametrize("subject", OUT_OF_OFFICE_SUBJECTS)
def test_out_of_office_subjects_in_our_languages(subject: str) -> None:
    mail = replace(load("out-of-office-no-header"), raw_subject=subject)
    decision = decide(mail, SITE)
    assert decision.action == "ignore"
    assert "out-of-office" in decision.reason


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Frånvaro: vem tar jouren i jul?",  # a person replying about an absence
        "Frånvarorapportering i Agda – hur gör man?",
        "Automatic reply settings in Outlook do not work for me",
        "Semester: vem tar jouren vecka 29?",
    ],
)
def test_people_writing_about_absence_are_not_silenced(subject: str) -> None:
    mail = replace(load("out-of-office-no-header"), raw_subject=subject)
    assert decide(mail, SITE).action == "publish"


def test_automatic_comes_before_confidential() -> None:
    # An auto-reply to a confidential mail must never be answered, not even with a
    # rejection notice: it is ignored.
    mail = with_headers(load("outlook-oof-sv"), ("sensitivity", "Private"))
    assert decide(mail, SITE).action == "ignore"


# ---------------------------------------------------------------- confidential mail


@pytest.mark.parametrize("value", ["Private", "Personal", "Confidential", "Company-Confidential"])
def test_sensitivity_rejects(value: str) -> None:
    mail = with_headers(load("sensitivity-confidential"), ("sensitivity", value))
    decision = decide(mail, SITE)
    assert decision.action == "reject"
    assert f"Sensitivity: {value.lower()}" in decision.reason


def test_sensitivity_normal_publishes() -> None:
    mail = with_headers(load("sensitivity-confidential"), ("sensitivity", "Normal"))
    assert decide(mail, SITE).action == "publish"


def test_confidential_comes_before_authentication() -> None:
    # The confidential mail carries no Authentication-Results; the operator should see
    # the reason that matters most for what is kept of it.
    decision = decide(load("sensitivity-confidential"), AUTHENTICATED)
    assert "confidential" in decision.reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("smime-encrypted", "S/MIME"),
        ("pgp-encrypted", "PGP/MIME"),
    ],
)
def test_encrypted_mail_is_rejected(name: str, reason: str) -> None:
    decision = decide(load(name), SITE)
    assert decision.action == "reject"
    assert reason in decision.reason


def test_opaque_signed_smime_is_not_encrypted() -> None:
    decision = decide(load("smime-signed-opaque"), SITE)
    assert (decision.action, decision.kind) == ("publish", "question")


def test_inline_pgp_is_rejected() -> None:
    mail = replace(
        load("discussion-sv"),
        new_text="-----BEGIN PGP MESSAGE-----\n\nhQEMA5Jb1lEs0lN2AQf/\n-----END PGP MESSAGE-----",
    )
    assert decide(mail, SITE).reason == "encrypted mail (inline PGP)"


def test_confidential_subject_marker_any_case() -> None:
    decision = decide(load("confidential-subject"), SITE)
    assert decision.action == "reject"
    assert "[konfidentiell]" in decision.reason


def test_confidential_decisions_say_so_and_others_do_not() -> None:
    """Redaction reads this flag, set by the rule itself, never the rule's name."""
    for name in ("sensitivity-confidential", "confidential-subject"):
        decision = decide(load(name), SITE)
        assert decision.action == "reject" and decision.confidential, name
    assert not decide(
        with_headers(load("sensitivity-confidential"), ("sensitivity", "Normal")), SITE
    ).confidential
    refused = decide(load("discussion-sv"), replace(SITE, allowed_domains=("kommun.se",)))
    assert refused.action == "reject" and not refused.confidential


def test_operator_markers_replace_the_defaults() -> None:
    context = replace(SITE, confidential_markers=("Internt:",))
    assert decide(load("confidential-subject"), context).action == "publish"
    mail = replace(load("discussion-sv"), raw_subject="INTERNT: Förslag om sprintar")
    assert decide(mail, context).action == "reject"


# ------------------------------------------------------------------ authentication


def test_trusted_dmarc_pass_publishes() -> None:
    decision = decide(load("explicit-question-sv"), AUTHENTICATED)
    assert (decision.action, decision.kind) == ("publish", "question")


def test_aligned_dkim_pass_publishes() -> None:
    assert decide(load("kudos-en"), AUTHENTICATED).action == "publish"


def test_spoofed_sender_is_rejected_even_with_a_smuggled_pass() -> None:
    # The mail carries a second, forged header in the trusted verifier's name saying
    # dmarc=pass; the verifier's own fail still wins.
    decision = decide(load("spoofed-ceo"), AUTHENTICATED)
    assert decision.action == "reject"
    assert decision.reason == "sender not authenticated: DMARC fail for firma.se"


def test_results_from_an_untrusted_verifier_do_not_count() -> None:
    decision = decide(load("forged-authres-untrusted"), AUTHENTICATED)
    assert decision.action == "reject"
    assert "no DMARC or aligned DKIM/SPF pass for firma.se (dkim=none, spf=softfail)" in (
        decision.reason
    )


def test_missing_results_are_rejected_when_verifiers_are_trusted() -> None:
    decision = decide(load("discussion-sv"), AUTHENTICATED)
    assert decision.action == "reject"
    assert "no Authentication-Results header from a trusted verifier" in decision.reason


def test_without_trusted_verifiers_authentication_is_not_checked() -> None:
    assert decide(load("spoofed-ceo"), SITE).action == "publish"


# ---------------------------------------------------------------------- domains


def test_external_sender_is_rejected() -> None:
    decision = decide(load("external-partner"), SITE)
    assert decision == decide(load("external-partner"), SITE)
    assert decision.action == "reject"
    assert decision.reason == "sender domain partner.example may not publish"


def test_subdomains_of_an_allowed_domain_may_publish() -> None:
    mail = replace(load("discussion-sv"), sender=Person("Eva", "eva@sales.firma.se"))
    assert decide(mail, SITE).action == "publish"
    mail = replace(load("discussion-sv"), sender=Person("Eva", "eva@firma.se.evil.example"))
    assert decide(mail, SITE).action == "reject"


def test_without_allowed_domains_the_gateway_domain_is_allowed() -> None:
    context = replace(SITE, allowed_domains=())
    assert decide(load("discussion-sv"), context).action == "publish"
    assert decide(load("external-partner"), context).action == "reject"


# ------------------------------------------------------------------------ routes


@pytest.mark.parametrize(
    ("name", "kind"),
    [("explicit-question-sv", "question"), ("kudos-en", "praise"), ("discussion-sv", "discussion")],
)
def test_explicit_mail_publishes_with_its_kind(name: str, kind: str) -> None:
    decision = decide(load(name), SITE)
    assert (decision.action, decision.kind) == ("publish", kind)
    assert decision.reason == f"sent to the gateway address; published as a {kind}"


def test_reply_to_a_feed_thread_is_appended() -> None:
    decision = decide(load("reply-to-feed-thread"), replace(SITE, known_thread=True))
    assert (decision.action, decision.kind) == ("append", None)


def test_subaddress_of_the_gateway_is_the_gateway() -> None:
    context = replace(SITE, envelope_rcpts=("Feed+Ekonomi@firma.se",))
    assert decide(load("discussion-sv"), context).action == "publish"


def test_envelope_recipient_wins_over_the_headers() -> None:
    # The mail names feed@ in Cc, but this copy was delivered to the monitor address
    # (e.g. an always-BCC rule): it is a monitor copy, and a short one.
    context = replace(SITE, envelope_rcpts=("monitor@firma.se",))
    decision = decide(load("explicit-question-sv"), context)
    assert decision.action == "ignore"
    assert decision.reason.startswith("monitor copy: chain too short (3 < 4 messages")


def test_recipients_fall_back_to_delivered_to_then_to_and_cc() -> None:
    assert recipients(load("monitor-five-sv-open"), SITE) == ("monitor@firma.se",)
    assert "feed@firma.se" in recipients(load("explicit-question-sv"), SITE)


def test_mail_for_no_gateway_or_monitor_address_is_ignored() -> None:
    context = replace(SITE, envelope_rcpts=("anna.lindqvist@firma.se",))
    decision = decide(load("discussion-sv"), context)
    assert decision == decide(load("discussion-sv"), context)
    assert decision.action == "ignore"
    assert decision.reason == "not addressed to a gateway or monitor address"


# ------------------------------------------------------------------ monitor copies


def test_five_message_unanswered_swedish_chain_is_suggested_to_its_asker() -> None:
    mail = load("monitor-five-sv-open")
    assert len(mail.chain) == 5
    assert mail.chain[0].author.email == "anna.lindqvist@firma.se"
    decision = decide(mail, SITE)
    assert (decision.action, decision.kind) == ("suggest", "question")
    assert decision.reason == "monitor copy: open question (5 messages, 4 deflections)"


def test_the_asker_is_invited_only_once() -> None:
    decision = decide(load("monitor-five-sv-open"), replace(SITE, already_suggested=True))
    assert (decision.action, decision.reason) == (
        "ignore",
        "monitor copy: the asker was already invited",
    )


@pytest.mark.parametrize(
    ("policy", "action"), [("suggest", "suggest"), ("publish", "publish"), ("off", "ignore")]
)
def test_monitor_policy(policy: str, action: str) -> None:
    decision = decide(load("monitor-five-sv-open"), replace(SITE, monitor_policy=policy))
    assert decision.action == action


def test_answered_chain_is_left_alone() -> None:
    mail = load("monitor-five-sv-open")
    anna = mail.chain[0].author
    answered = replace(
        mail, chain=(*mail.chain, ChainMessage(anna, None, "Tack, det löste sig! /Anna"))
    )
    decision = decide(answered, SITE)
    assert decision == decide(answered, SITE)
    assert (decision.action, decision.reason) == (
        "ignore",
        "monitor copy: the question is already answered",
    )


def test_answered_on_the_feed_is_left_alone() -> None:
    decision = decide(load("monitor-five-sv-open"), replace(SITE, answered=True))
    assert decision.reason == "monitor copy: the question is already answered"


def test_short_chain_with_few_people_is_ignored_with_numbers() -> None:
    mail = load("monitor-five-sv-open")
    short = replace(mail, chain=mail.chain[:2], participants=mail.participants[:3])
    decision = decide(short, SITE)
    assert decision.action == "ignore"
    assert decision.reason == ("monitor copy: chain too short (2 < 4 messages, 3 < 4 participants)")


def test_many_participants_make_a_short_chain_long_enough() -> None:
    mail = load("monitor-five-sv-open")
    short = replace(mail, chain=mail.chain[:2])  # still six participants
    assert decide(short, SITE).action == "suggest"


def test_a_chain_that_asks_nothing_is_ignored() -> None:
    mail = load("monitor-five-sv-open")
    statement = ChainMessage(
        mail.chain[0].author, None, "Hej! Avtalet med Telia är nu uppsagt. /Anna"
    )
    no_question = replace(mail, subject="Telia", chain=(statement, *mail.chain[1:]))
    decision = decide(no_question, SITE)
    assert (decision.action, decision.reason) == (
        "ignore",
        "monitor copy: the first message asks no question",
    )


# --------------------------------------------------------- refusals of monitor copies


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("external-partner", "sender domain partner.example may not publish"),
        ("sensitivity-confidential", "Sensitivity: company-confidential"),
        ("spoofed-ceo", "DMARC fail"),
    ],
)
def test_a_refused_monitor_copy_is_ignored_without_a_reply(name: str, reason: str) -> None:
    # The sender of a monitor copy never wrote to the feed: a rejection notice would be
    # news to them (and to a partner outside the company, a leak).
    context = replace(AUTHENTICATED, envelope_rcpts=("monitor@firma.se",))
    decision = decide(load(name), context)
    assert decision.action == "ignore"
    assert decision.reason.startswith("not sent to the gateway, no reply: ")
    assert reason in decision.reason


def test_a_refused_reply_to_a_feed_thread_is_still_rejected() -> None:
    context = replace(SITE, envelope_rcpts=("monitor@firma.se",), known_thread=True)
    assert decide(load("external-partner"), context).action == "reject"


def test_an_import_publishes_list_mail_from_any_domain_but_not_robots() -> None:
    from mailfeed.parsers.model import ChainMessage, ParsedMail, Person
    from mailfeed.parsers.policy import PolicyContext, decide

    def mail(headers: tuple[tuple[str, str], ...], sender: str) -> ParsedMail:
        person = Person("Carl Worth", sender)
        root = ChainMessage(author=person, date=None, body="How do I tag a thread in notmuch?")
        return ParsedMail(
            message_id="x@cworth.org",
            subject="Tagging threads",
            raw_subject="Tagging threads",
            sender=person,
            date=None,
            chain=(root,),
            new_text=root.body,
            note=None,
            participants=(sender,),
            headers=headers,
        )

    context = PolicyContext(
        gateway_addresses=("feed@firma.se",), allowed_domains=("firma.se",), source="import"
    )
    listed = mail(
        (("list-id", "<notmuch.notmuchmail.org>"), ("precedence", "list")), "cworth@cworth.org"
    )
    assert decide(listed, context).action == "publish"
    bounce = mail((("auto-submitted", "auto-replied"),), "mailer-daemon@cworth.org")
    assert decide(bounce, context).action == "ignore"
    live = PolicyContext(
        gateway_addresses=("feed@firma.se",),
        allowed_domains=("firma.se",),
        envelope_rcpts=("feed@firma.se",),
    )
    assert decide(listed, live).action == "ignore"


# ------------------------------------------------ confidentiality in more forms (issue 10)

_MIP = (
    "MSIP_Label_3f1c2d4e-1111-2222-3333-444455556666_Enabled=true; "
    "MSIP_Label_3f1c2d4e-1111-2222-3333-444455556666_SiteId=abc; "
    "MSIP_Label_3f1c2d4e-1111-2222-3333-444455556666_Name={name}; "
    "MSIP_Label_3f1c2d4e-1111-2222-3333-444455556666_Method=Standard"
)


@pytest.mark.parametrize(
    "name",
    [
        "Confidential",
        "Highly Confidential - Finance",
        "Konfidentiellt",
        "Vertraulich",
        "Luottamuksellinen",
    ],
)
def test_a_confidential_sensitivity_label_rejects(name: str) -> None:
    mail = load("discussion-sv")
    mail = replace(mail, headers=(*mail.headers, ("msip_labels", _MIP.format(name=name))))
    decision = decide(mail, SITE)
    assert decision.action == "reject" and decision.rule == "sensitivity_label"
    assert decision.confidential  # so the intake keeps none of its words
    assert name in decision.reason


@pytest.mark.parametrize("name", ["General", "Public", "Internal"])
def test_an_open_sensitivity_label_passes(name: str) -> None:
    mail = load("discussion-sv")
    mail = replace(mail, headers=(*mail.headers, ("msip_labels", _MIP.format(name=name))))
    assert decide(mail, SITE).rule != "sensitivity_label"


def test_a_disabled_label_and_configured_label_words() -> None:
    mail = load("discussion-sv")
    disabled = _MIP.format(name="Confidential").replace("Enabled=true", "Enabled=false")
    assert (
        decide(replace(mail, headers=(*mail.headers, ("msip_labels", disabled))), SITE).rule
        != "sensitivity_label"
    )
    internal = replace(mail, headers=(*mail.headers, ("msip_labels", _MIP.format(name="Internal"))))
    context = replace(SITE, confidential_labels=("internal",))
    assert decide(internal, context).rule == "sensitivity_label"


@pytest.mark.parametrize(
    "subject",
    [
        "[Konfidentiellt] Löner 2027",
        "(Confidential) Q3 numbers",
        "VERTRAULICH: Umbau",
        "Confidentiel - budget",
        "Luottamuksellinen: palkat",
        "Fortrolig: lønninger",
        "SV: [Fortroligt] plan",
        "Konfidensielt – omorganisering",
        "Re: {confidential} merger",
    ],
)
def test_marker_words_by_stem_and_bracket_form(subject: str) -> None:
    mail = replace(load("discussion-sv"), raw_subject=subject, subject=subject)
    assert decide(mail, SITE).rule == "confidential_subject", subject


@pytest.mark.parametrize(
    "subject",
    [
        "How do we handle confidential data?",
        "Fråga om konfidentiell information i CRM",
        "Vertrauliche Daten: wer weiß Bescheid?",
    ],
)
def test_marker_words_in_a_sentence_are_no_marker(subject: str) -> None:
    mail = replace(load("discussion-sv"), raw_subject=subject, subject=subject)
    assert decide(mail, SITE).rule != "confidential_subject", subject


def test_the_tag_separator_comes_from_the_context() -> None:
    mail = load("discussion-sv")
    tagged = replace(
        mail,
        to=(),
        cc=(),
        headers=tuple(
            (k, v) for k, v in mail.headers if k not in ("delivered-to", "x-original-to")
        ),
    )
    context = replace(SITE, envelope_rcpts=("feed-it@firma.se",), tag_separator="-")
    assert decide(tagged, context).action == "publish"
    plus = replace(context, tag_separator="+")
    assert decide(tagged, plus).action != "publish"
