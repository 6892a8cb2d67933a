"""The publisher on real SQLite and real PostgreSQL: create, merge, append, refuse, never twice.

Parsed mail is built directly here, so these tests pin the publisher's behaviour
independently of the parser's.
"""

from __future__ import annotations

import hashlib
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from mailfeed.parsers.model import ChainMessage, ParsedMail, Person
from mailfeed.parsers.policy import PolicyContext
from mailfeed.publisher.models import MailMessage, OutboundMail, Post, Thread
from mailfeed.publisher.publish import Envelope, process
from mailfeed.publisher.site import Site
from tests.db_support import database  # noqa: F401 - fixture

SITE = Site(
    base_url="https://feed.firma.se",
    gateway_address="feed@firma.se",
    policy=PolicyContext(gateway_addresses=("feed@firma.se",), allowed_domains=("firma.se",)),
)
ANNA = Person("Anna Berg", "anna.berg@firma.se")
JOHAN = Person("Johan Lind", "johan.lind@firma.se")
ERIK = Person("Erik Sandberg", "erik.sandberg@firma.se")
MARIA = Person("Maria Holm", "maria.holm@firma.se")
GATEWAY = Person("Mailfeed", "feed@firma.se")
TO_GATEWAY = Envelope(mail_from="x@firma.se", rcpts=("feed@firma.se",), source="smtp")


def msg(author: Person, day: int, body: str) -> ChainMessage:
    return ChainMessage(author=author, date=f"2026-11-{day:02d}T09:00:00+01:00", body=body)


def mail(
    message_id: str | None,
    chain: list[ChainMessage],
    *,
    sender: Person | None = None,
    cc: tuple[Person, ...] = (GATEWAY,),
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    headers: tuple[tuple[str, str], ...] = (),
    subject: str = "Vem har nyckel till förrådet?",
    language: str = "sv",
) -> ParsedMail:
    sender = sender or chain[-1].author
    people = [sender, *(m.author for m in chain), *cc]
    return ParsedMail(
        message_id=message_id,
        subject=subject,
        raw_subject="SV: " + subject,
        sender=sender,
        date=chain[-1].date,
        chain=tuple(chain),
        new_text=chain[-1].body,
        note=None,
        participants=tuple(dict.fromkeys(p.email for p in people if p.email)),
        to=(),
        cc=cc,
        in_reply_to=in_reply_to,
        references=references,
        headers=headers,
        is_question=True,
        language=language,
        content_hash=hashlib.sha256(repr((message_id, chain)).encode()).hexdigest(),
    )


QUESTION = msg(ANNA, 19, "Vet någon vem som har nyckel till förrådet på plan 3?")
DEFLECT = msg(JOHAN, 20, "Nej tyvärr, men fråga Erik.")
ERIK_SAYS = msg(ERIK, 21, "Inte jag, receptionen har den.")
MARIA_SAYS = msg(MARIA, 22, "Receptionen har den, kvittera före kl 16.")


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model)))


def test_a_cc_chain_becomes_one_thread_with_posts_and_one_link_per_person(database):
    with database.session() as s:
        out = process(s, SITE, mail("m3@firma.se", [QUESTION, DEFLECT, ERIK_SAYS]), TO_GATEWAY)
    assert out.decision.action == "publish" and out.new_posts == 3
    with database.session() as s:
        thread = s.get(Thread, out.thread_id)
        assert thread.subject == "Vem har nyckel till förrådet?"
        assert thread.kind == "question" and thread.mail_messages == 3
        assert [p.author.email for p in thread.posts] == [
            "anna.berg@firma.se",
            "johan.lind@firma.se",
            "erik.sandberg@firma.se",
        ]
        assert thread.posts[0].date_text == "2026-11-19T09:00:00+01:00"
        assert thread.asker.email == "anna.berg@firma.se"
        links = s.scalars(select(OutboundMail).order_by(OutboundMail.recipient)).all()
        assert [o.recipient for o in links] == [
            "anna.berg@firma.se",
            "erik.sandberg@firma.se",
            "johan.lind@firma.se",
        ]
        sent = message_from_bytes(links[0].raw, policy=policy.default)
        assert sent["In-Reply-To"] == "<m3@firma.se>"
        assert f"https://feed.firma.se/t/{thread.id}-" in sent.get_content()


def test_the_same_mail_twice_changes_nothing(database):
    parsed = mail("m3@firma.se", [QUESTION, DEFLECT, ERIK_SAYS])
    with database.session() as s:
        process(s, SITE, parsed, TO_GATEWAY)
    with database.session() as s:
        again = process(s, SITE, parsed, TO_GATEWAY)
        assert again.duplicate
        assert (count(s, Thread), count(s, Post), count(s, OutboundMail)) == (1, 3, 3)


def test_mail_without_message_id_is_known_by_its_hash(database):
    parsed = mail(None, [QUESTION])
    with database.session() as s:
        process(s, SITE, parsed, TO_GATEWAY)
    with database.session() as s:
        assert process(s, SITE, parsed, TO_GATEWAY).duplicate
        assert count(s, Thread) == 1
        assert s.scalar(select(MailMessage.message_id)).startswith("sha256:")


def test_a_later_longer_copy_appends_only_what_is_new(database):
    with database.session() as s:
        first = process(s, SITE, mail("m2@firma.se", [QUESTION, DEFLECT]), TO_GATEWAY)
    longer = mail(
        "m4@firma.se",
        [QUESTION, DEFLECT, ERIK_SAYS, MARIA_SAYS],
        references=("m1@firma.se", "m2@firma.se", "m3@firma.se"),
        in_reply_to="m3@firma.se",
    )
    with database.session() as s:
        second = process(s, SITE, longer, TO_GATEWAY)
    assert second.thread_id == first.thread_id and second.new_posts == 2
    with database.session() as s:
        assert count(s, Thread) == 1 and count(s, Post) == 4
        # Anna and Johan already had their link; Erik and Maria get theirs now.
        assert sorted(s.scalars(select(OutboundMail.recipient))) == [
            "anna.berg@firma.se",
            "erik.sandberg@firma.se",
            "johan.lind@firma.se",
            "maria.holm@firma.se",
        ]


def test_a_copy_without_references_merges_by_its_first_message(database):
    with database.session() as s:
        first = process(s, SITE, mail("a@firma.se", [QUESTION, DEFLECT]), TO_GATEWAY)
    with database.session() as s:
        second = process(s, SITE, mail("b@firma.se", [QUESTION, DEFLECT, ERIK_SAYS]), TO_GATEWAY)
    assert second.thread_id == first.thread_id and second.new_posts == 1


def test_a_reply_to_the_link_mail_is_appended(database):
    with database.session() as s:
        first = process(s, SITE, mail("m1@firma.se", [QUESTION]), TO_GATEWAY)
        link_id = s.scalar(select(OutboundMail.message_id))
    reply = mail(
        "r1@firma.se",
        [msg(MARIA, 23, "Receptionen har nyckeln.")],
        sender=MARIA,
        in_reply_to=link_id,
        references=("m1@firma.se", link_id),
    )
    with database.session() as s:
        out = process(s, SITE, reply, TO_GATEWAY)
        assert out.decision.action == "append" and out.thread_id == first.thread_id
        assert [p.body for p in s.get(Thread, first.thread_id).posts][
            -1
        ] == "Receptionen har nyckeln."


def test_outsiders_are_refused_once_per_day_and_reason(database):
    # The notice goes to the envelope sender, and only when a trusted verifier says the
    # mail came from that sender's domain.
    outsider = Person("Eve", "eve@evil.example")
    site = Site(
        base_url=SITE.base_url,
        gateway_address=SITE.gateway_address,
        policy=PolicyContext(
            gateway_addresses=("feed@firma.se",),
            allowed_domains=("firma.se",),
            trusted_authserv_ids=("mx.firma.se",),
        ),
    )
    passed = (("authentication-results", "mx.firma.se; dmarc=pass header.from=evil.example"),)
    envelope = Envelope(mail_from="eve@evil.example", rcpts=("feed@firma.se",), source="smtp")
    with database.session() as s:
        out = process(
            s, site, mail("e1@evil.example", [msg(outsider, 20, "Hej?")], headers=passed), envelope
        )
        assert out.decision.action == "reject" and out.thread_id is None
        process(
            s,
            site,
            mail("e2@evil.example", [msg(outsider, 21, "Hallå?")], headers=passed),
            envelope,
        )
        rows = s.scalars(select(OutboundMail)).all()
        assert [(r.purpose, r.recipient) for r in rows] == [("reject", "eve@evil.example")]
        assert count(s, Thread) == 0 and count(s, MailMessage) == 2


def test_no_notice_without_authentication_and_the_record_says_why(database):
    # Backscatter: a forged From: (or envelope) must not make the gateway mail anyone.
    victim = Person("Victim", "victim@elsewhere.example")
    envelope = Envelope(mail_from="victim@elsewhere.example", rcpts=("feed@firma.se",))
    with database.session() as s:
        out = process(
            s, SITE, mail("bs1@elsewhere.example", [msg(victim, 20, "Billiga piller?")]), envelope
        )
        assert out.decision.action == "reject"
        assert count(s, OutboundMail) == 0
        assert "no notice" in s.scalar(select(MailMessage.reason))


def test_automatic_mail_is_recorded_and_never_answered(database):
    auto = mail(
        "oof@firma.se",
        [msg(ERIK, 20, "Jag är ledig.")],
        headers=(("auto-submitted", "auto-replied"),),
    )
    with database.session() as s:
        out = process(s, SITE, auto, TO_GATEWAY)
        assert out.decision.action == "ignore"
        assert count(s, OutboundMail) == 0 and count(s, Thread) == 0
        assert s.scalar(select(MailMessage.reason)) == out.decision.reason != ""


def test_external_people_in_a_chain_are_shown_by_name_only(database):
    outsider = Person("Kim Konsult", "kim@konsult.example")
    parsed = mail("x1@firma.se", [QUESTION, msg(outsider, 20, "Vi vet inte heller."), DEFLECT])
    with database.session() as s:
        out = process(s, SITE, parsed, TO_GATEWAY)
        posts = s.get(Thread, out.thread_id).posts
        assert posts[1].author_id is None and posts[1].author_name == "Kim Konsult"
        assert "kim@konsult.example" not in {o.recipient for o in s.scalars(select(OutboundMail))}


def test_the_link_mail_lists_similar_answered_threads(database):
    old = mail(
        "old@firma.se",
        [msg(ERIK, 2, "Var hämtar man nyckel till förrådet på plan 3?")],
        subject="Nyckel till förrådet på plan 3",
    )
    with database.session() as s:
        answered = process(s, SITE, old, TO_GATEWAY).thread_id
        s.get(Thread, answered).state = "answered"
        unrelated = mail(
            "u@firma.se", [msg(ERIK, 3, "Vem bokar julbordet i år?")], subject="Julbordet"
        )
        process(s, SITE, unrelated, TO_GATEWAY)
    with database.session() as s:
        process(s, SITE, mail("new@firma.se", [QUESTION]), TO_GATEWAY)
        link = s.scalars(select(OutboundMail).where(OutboundMail.recipient == ANNA.email)).one()
        text = message_from_bytes(link.raw, policy=policy.default).get_content()
        assert "Det här kan redan vara besvarat" in text
        assert f"/t/{answered}-" in text and "Julbordet" not in text


def test_a_spoofed_sender_is_refused_without_mailing_the_real_owner(database):
    from dataclasses import replace

    strict = replace(SITE, policy=replace(SITE.policy, trusted_authserv_ids=("mx.firma.se",)))
    spoofed = mail(
        "spoof@evil.example",
        [QUESTION],
        headers=(
            (
                "authentication-results",
                "mx.firma.se; dmarc=fail (p=reject) header.from=firma.se; spf=fail "
                "smtp.mailfrom=evil.example",
            ),
        ),
    )
    with database.session() as s:
        out = process(s, strict, spoofed, TO_GATEWAY)
        assert out.decision.action == "reject" and "authenticated" in out.decision.reason
        assert count(s, OutboundMail) == 0 and count(s, Thread) == 0


def test_a_mail_to_the_threads_reply_address_is_appended_and_a_forged_one_is_not(database):
    from dataclasses import replace

    from mailfeed.publisher.replyaddr import reply_address, thread_for

    site = replace(SITE, secret_key="s3cret")
    with database.session() as s:
        first = process(s, site, mail("m1@firma.se", [QUESTION]), TO_GATEWAY)
        link = s.scalars(select(OutboundMail)).first()
        sent = message_from_bytes(link.raw, policy=policy.default)
    address = reply_address(site, first.thread_id)
    assert sent["Reply-To"] == address and address.startswith(f"feed+t{first.thread_id}.")
    assert thread_for(site, address.upper()) == first.thread_id
    forged = address.replace(address.split(".")[1][:8], "aaaaaaaa")
    assert thread_for(site, forged) is None
    assert thread_for(replace(site, secret_key="other"), address) is None

    answer = mail("a1@firma.se", [msg(MARIA, 24, "Receptionen, före kl 16.")], sender=MARIA)
    with database.session() as s:
        out = process(s, site, answer, Envelope(mail_from=MARIA.email, rcpts=(address,)))
        assert out.decision.action == "append" and out.thread_id == first.thread_id
    stray = mail("a2@firma.se", [msg(MARIA, 24, "Något helt annat.")], sender=MARIA)
    with database.session() as s:
        out = process(s, site, stray, Envelope(mail_from=MARIA.email, rcpts=(forged,)))
        assert out.thread_id != first.thread_id


def test_erasing_a_person_removes_their_words_and_address(database, tmp_path):
    from mailfeed.publisher.erase import ERASED, erase_person
    from mailfeed.publisher.models import Like, MailMessage, Person

    raw = tmp_path / "johan.eml"
    raw.write_bytes(b"From: johan.lind@firma.se\r\n\r\nNej tyvarr\r\n")
    with database.session() as s:
        out = process(
            s,
            SITE,
            mail("m2@firma.se", [QUESTION, DEFLECT]),
            Envelope(rcpts=("feed@firma.se",), raw_path=str(raw)),
        )
        thread = s.get(Thread, out.thread_id)
        johan = s.scalar(select(Person).where(Person.email == JOHAN.email))
        s.add(Like(post_id=thread.posts[0].id, person_id=johan.id))
    with database.session() as s:
        result = erase_person(s, "Johan.Lind@firma.se")
    assert result.posts == 1 and result.mails == 1 and result.files == [raw]
    with database.session() as s:
        assert s.scalar(select(Person).where(Person.email == JOHAN.email)) is None
        posts = s.get(Thread, out.thread_id).posts
        assert posts[1].body == "" and posts[1].author_name == ERASED and posts[1].hidden
        assert posts[0].body == QUESTION.body  # Anna's words stay
        assert count(s, Like) == 0
        assert JOHAN.email not in {o.recipient for o in s.scalars(select(OutboundMail))}
        assert s.scalar(select(MailMessage.sender)) == ERASED


def test_a_rejection_tells_the_sender_why_in_their_language(database):
    from dataclasses import replace

    site = replace(SITE, policy=replace(SITE.policy, trusted_authserv_ids=("mx.firma.se",)))

    def verified(domain: str) -> tuple[tuple[str, str], ...]:
        return (("authentication-results", f"mx.firma.se; dmarc=pass header.from={domain}"),)

    outsider = Person("Eva Ek", "eva@kommun.se")
    swedish = mail(
        "k1@kommun.se",
        [msg(outsider, 20, "Vet någon var nyckeln är?")],
        language="sv",
        headers=verified("kommun.se"),
    )
    english = mail(
        "k2@partner.example",
        [msg(Person("Kim", "kim@partner.example"), 20, "Does anyone know?")],
        language="en",
        headers=verified("partner.example"),
    )
    with database.session() as s:
        process(s, site, swedish, Envelope(mail_from="eva@kommun.se"))
        process(s, site, english, Envelope(mail_from="kim@partner.example"))
        notices = {
            o.recipient: message_from_bytes(o.raw, policy=policy.default).get_content()
            for o in s.scalars(select(OutboundMail))
        }
    assert "kommun.se är inte en av dem" in notices["eva@kommun.se"]
    assert "partner.example is not one of them" in notices["kim@partner.example"]


@pytest.mark.parametrize("verifier", [True, False])
def test_a_reply_from_an_alias_counts_as_the_participant_only_when_authenticated(
    database, verifier
):
    from dataclasses import replace

    passing = (
        (
            "authentication-results",
            "mx.firma.se; dmarc=pass header.from=firma.se; dkim=pass header.d=firma.se",
        ),
    )
    alias = Person("Anna Berg", "anna@firma.se")  # Anna's short address
    site = (
        replace(SITE, policy=replace(SITE.policy, trusted_authserv_ids=("mx.firma.se",)))
        if verifier
        else SITE
    )
    with database.session() as s:
        first = process(s, site, mail("q1@firma.se", [QUESTION], headers=passing), TO_GATEWAY)
        link_id = s.scalars(select(OutboundMail.message_id)).first()
        reply = mail(
            "r1@firma.se",
            [msg(alias, 21, "Tack, nu vet jag!")],
            sender=alias,
            in_reply_to=link_id,
            references=(link_id,),
            headers=passing,
        )
        assert process(s, site, reply, TO_GATEWAY).decision.action == "append"
        last = s.get(Thread, first.thread_id).posts[-1]
        # Authenticated: Anna's post.  Unverified: the alias stays its own address.
        assert last.author.email == (ANNA.email if verifier else "anna@firma.se")


def test_monitor_policy_publish_publishes_a_long_open_question_as_from_monitor(database):
    from dataclasses import replace

    site = replace(
        SITE,
        policy=replace(
            SITE.policy,
            monitor_addresses=("journal@firma.se",),
            monitor_policy="publish",
            min_chain_messages=3,
        ),
    )
    chain = [QUESTION, DEFLECT, msg(ERIK, 21, "Ingen aning, fråga receptionen?")]
    with database.session() as s:
        out = process(
            s, site, mail("j1@firma.se", chain, cc=()), Envelope(rcpts=("journal@firma.se",))
        )
        assert out.decision.action == "publish"
        thread = s.get(Thread, out.thread_id)
        assert (thread.origin, thread.kind) == ("monitor", "question")


def test_a_new_question_costs_the_same_statements_whatever_the_archive_holds(database):
    """Publishing a question with its link mails to three people is a fixed number of
    statements (no lookups per post, per person or per candidate thread), at 2 answered
    threads as at 40."""
    from sqlalchemy import event

    def statements_for(n: int) -> int:
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        question = mail(
            f"q{n}@firma.se",
            [msg(ANNA, 19, f"Vet någon vem som har nyckel till förrådet på plan {n}?")],
            cc=(GATEWAY, JOHAN, ERIK),
            subject=f"Nyckel till förrådet {n}",
        )
        event.listen(database.engine, "before_cursor_execute", record)
        try:
            with database.session() as s:
                assert process(s, SITE, question, TO_GATEWAY).new_posts == 1
        finally:
            event.remove(database.engine, "before_cursor_execute", record)
        with database.session() as s:
            assert count(s, OutboundMail) == 3 * (n + 1)
        return len(seen)

    def answered(first: int, last: int) -> None:
        with database.session() as s:
            for i in range(first, last):
                old = mail(
                    f"old{i}@firma.se",
                    [msg(MARIA, 2, f"Var finns nyckel {i} till förrådet på plan 3?")],
                    subject=f"Nyckel {i}",
                )
                thread_id = process(s, SITE, old, Envelope(source="import"))
                s.get(Thread, thread_id.thread_id).state = "answered"

    answered(0, 2)
    statements_for(0)  # the candidates' features are derived and stored once
    small = statements_for(1)
    answered(2, 40)
    statements_for(2)
    assert statements_for(3) == small <= 18
