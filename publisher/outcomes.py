"""Whether the feed pays off: mail-versus-feed outcomes, the 1-9-90 picture, ambassadors.

Everything is computed from what is stored (portable SQL plus a little Python over the
rows of one period), for `/stats`, `mailfeed stats` and the thread page's "moved from
mail" panel.  The clock is passed in (`now`), so a seeded month gives the same figures
every time.

Definitions (also shown on the page):
- *on the mail*: authors of a thread's mail posts and the recipients of its link reply;
- *creators*: people who started a thread in the period; *engagers*: the others who
  replied, liked or (where those exist) praised or answered an invitation; *readers*: the
  others who opened a thread; everyone else in the directory is *quiet*;
- *time to answer in mail*: how long a moved question lived in mail (first to last mail)
  without an answer; *on the feed*: from the move to the accepted answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from mailfeed.publisher.models import (
    Invitation,
    Like,
    MailMessage,
    OutboundMail,
    Person,
    Post,
    Praise,
    Thread,
    View,
)

KINDS = ("question", "discussion", "praise", "event", "idea", "news")
# Answer-time buckets (upper bounds in hours); the last one is open.
ANSWER_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1 h", 1),
    ("1–4 h", 4),
    ("4–24 h", 24),
    ("1–3 d", 72),
    ("3–7 d", 168),
    ("> 7 d", 0),
)
READER_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("0", 0, 0),
    ("1–5", 1, 5),
    ("6–20", 6, 20),
    ("21–50", 21, 50),
    ("> 50", 51, 10**9),
)


@dataclass(frozen=True)
class Period:
    since: datetime | None
    until: datetime

    def covers(self, when: datetime | None) -> bool:
        return (
            when is not None and (self.since is None or when >= self.since) and when <= self.until
        )


def parse_since(text: str | None, now: datetime) -> Period:
    """`30d`, `12w`, `6m` (30-day months) or empty for all time; anything else is an error."""
    text = (text or "").strip().lower()
    if not text or text == "all":
        return Period(None, now)
    units = {"d": 1, "w": 7, "m": 30}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or not 0 < int(number) <= 3650:
        raise ValueError(text)
    return Period(now - timedelta(days=int(number) * units[unit]), now)


@dataclass(frozen=True)
class Participation:
    people: int
    creators: int
    engagers: int
    readers: int

    @property
    def quiet(self) -> int:
        return max(self.people - self.creators - self.engagers - self.readers, 0)

    def share(self, count: int) -> float:
        return round(count / self.people, 4) if self.people else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "creators": self.creators,
            "engagers": self.engagers,
            "readers": self.readers,
            "quiet": self.quiet,
            "shares": {
                k: self.share(v)
                for k, v in (
                    ("creators", self.creators),
                    ("engagers", self.engagers),
                    ("readers", self.readers),
                    ("quiet", self.quiet),
                )
            },
        }


@dataclass(frozen=True)
class Candidate:
    person_id: int
    email: str
    name: str
    department: str | None
    answers: int  # accepted answers to others' questions
    replies: int  # replies to others' threads
    likes: int  # likes their posts received
    moved: int  # threads they brought over from mail
    ambassador: bool = False

    @property
    def score(self) -> int:
        return 3 * self.answers + self.replies + self.likes + 2 * self.moved


@dataclass(frozen=True)
class Report:
    period: Period
    department: str | None
    participation: Participation
    weekly: list[tuple[str, dict[str, int]]]  # (ISO week "2026-W48", kind -> threads)
    # (ISO week, creators, engagers, readers that week): the 1-9-90 picture over time
    participation_weeks: list[tuple[str, int, int, int]]
    mail_spans: list[float]  # seconds a moved question lived in mail
    feed_spans: list[float]  # seconds from the move to the accepted answer
    readers_per_thread: list[tuple[str, int]]  # bucket label -> threads
    reach_beyond_mail: int  # distinct readers and repliers who were never on the mail
    answerers_beyond_mail: int  # accepted answers written by someone never on the mail
    unanswered_after_day: int
    came_back_by_mail: int  # questions on the feed that got mail replies after the move
    questions: int
    answered: int
    ambassadors: dict[str, list[Candidate]] = field(default_factory=dict)

    @property
    def mail_median(self) -> float | None:
        return median(self.mail_spans) if self.mail_spans else None

    @property
    def feed_median(self) -> float | None:
        return median(self.feed_spans) if self.feed_spans else None

    @property
    def answered_share(self) -> float:
        return round(self.answered / self.questions, 4) if self.questions else 0.0

    def weekly_rows(self) -> list[list[object]]:
        return [[week, *(counts[k] for k in KINDS)] for week, counts in self.weekly]

    def answer_buckets(self) -> list[tuple[str, int, int]]:
        """(label, questions answered in that time in mail, … on the feed)."""

        def bucket(spans: list[float]) -> Counter[str]:
            counts: Counter[str] = Counter()
            for seconds in spans:
                hours = seconds / 3600
                for label, upper in ANSWER_BUCKETS:
                    if not upper or hours < upper:
                        counts[label] += 1
                        break
            return counts

        mail, feed = bucket(self.mail_spans), bucket(self.feed_spans)
        return [(label, mail[label], feed[label]) for label, _ in ANSWER_BUCKETS]

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.period.since.isoformat() if self.period.since else None,
            "until": self.period.until.isoformat(),
            "department": self.department,
            "participation": self.participation.as_json(),
            "mail_vs_feed": {
                "mail": _median_or_none(self.mail_median),
                "feed": _median_or_none(self.feed_median),
                "mail_questions": len(self.mail_spans),
                "feed_answers": len(self.feed_spans),
            },
            "reach": {
                "beyond_mail": self.reach_beyond_mail,
                "answerers_beyond_mail": self.answerers_beyond_mail,
            },
            "health": {
                "questions": self.questions,
                "answered": self.answered,
                "answered_share": self.answered_share,
                "unanswered_after_day": self.unanswered_after_day,
                "came_back_by_mail": self.came_back_by_mail,
            },
            "participation_weeks": [
                {"week": w, "creators": c, "engagers": e, "readers": r}
                for w, c, e, r in self.participation_weeks
            ],
            "weekly": [{"week": week, **counts} for week, counts in self.weekly],
            "readers_per_thread": dict(self.readers_per_thread),
            "ambassadors": {
                dept: [
                    {
                        "email": c.email,
                        "name": c.name,
                        "answers": c.answers,
                        "replies": c.replies,
                        "likes": c.likes,
                        "moved": c.moved,
                        "score": c.score,
                        "ambassador": c.ambassador,
                    }
                    for c in people
                ]
                for dept, people in self.ambassadors.items()
            },
        }


def _median_or_none(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _department_of(person: Person) -> str | None:
    # Without an imported directory nobody has one, and everyone is in one group.
    return person.department or None


def _people(session: Session, department: str | None) -> dict[int, Person]:
    people = {p.id: p for p in session.scalars(select(Person).where(Person.internal.is_(True)))}
    if department is not None:
        people = {k: p for k, p in people.items() if _department_of(p) == department}
    return people


def on_the_mail(session: Session, thread_ids: list[int]) -> dict[int, set[str]]:
    """Per thread, the addresses that were on the mail: mail authors and link recipients."""
    found: dict[int, set[str]] = defaultdict(set)
    if not thread_ids:
        return found
    for chunk in _chunks(thread_ids):
        for thread_id, email in session.execute(
            select(Post.thread_id, Person.email)
            .join(Person, Person.id == Post.author_id)
            .where(Post.thread_id.in_(chunk), Post.source == "mail")
        ):
            found[thread_id].add(email.lower())
        for link_thread, recipient in session.execute(
            select(OutboundMail.thread_id, OutboundMail.recipient).where(
                OutboundMail.thread_id.in_(chunk), OutboundMail.purpose == "link"
            )
        ):
            if link_thread is not None:
                found[link_thread].add(recipient.lower())
    return found


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    # Bounded IN lists: SQLite limits the number of variables in one statement.
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def build_report(session: Session, period: Period, department: str | None = None) -> Report:
    people = _people(session, department)
    in_scope = set(people)
    since = period.since or datetime.min

    threads = session.execute(
        select(
            Thread.id,
            Thread.kind,
            Thread.created,
            Thread.asker_id,
            Thread.origin,
            Thread.state,
            Thread.mail_first,
            Thread.mail_last,
            Thread.answer_post_id,
        ).where(Thread.hidden.is_(False), Thread.created >= since, Thread.created <= period.until)
    ).all()
    thread_ids = [t.id for t in threads]

    # Who did what, when: (person, moment) per kind of act, each within the period.
    def acts(stmt: Any) -> list[tuple[int, datetime]]:
        return [
            (pid, when)
            for pid, when in session.execute(stmt)
            if pid in in_scope and when is not None
        ]

    window = (since, period.until)
    created = [(t.asker_id, t.created) for t in threads if t.asker_id in in_scope]
    engaged_acts = (
        acts(
            select(Post.author_id, Post.created).where(
                Post.position > 0, Post.hidden.is_(False), Post.created.between(*window)
            )
        )
        + acts(select(Like.person_id, Like.created).where(Like.created.between(*window)))
        + acts(select(Praise.giver_id, Praise.created).where(Praise.created.between(*window)))
        + acts(
            select(Invitation.person_id, Invitation.responded).where(
                Invitation.status != "needs-action", Invitation.responded.between(*window)
            )
        )
    )
    read_acts = acts(select(View.person_id, View.created).where(View.created.between(*window)))
    creators = {pid for pid, _ in created}
    engaged = {pid for pid, _ in engaged_acts} - creators
    readers = {pid for pid, _ in read_acts} - creators - engaged
    participation = Participation(len(people), len(creators), len(engaged), len(readers))
    participation_weeks = _weeks(created, engaged_acts, read_acts)

    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    for t in threads:
        weekly[_week(t.created)][_kind(t.kind)] += 1
    weeks = [(week, {k: weekly[week].get(k, 0) for k in KINDS}) for week in sorted(weekly)]

    questions = [t for t in threads if t.kind == "question"]
    moved = [t for t in questions if t.origin != "web" and t.mail_first and t.mail_last]
    mail_spans = [(t.mail_last - t.mail_first).total_seconds() for t in moved]
    answer_ids = [t.answer_post_id for t in questions if t.answer_post_id]
    answer_posts = (
        {
            pid: (created, author)
            for pid, created, author in session.execute(
                select(Post.id, Post.created, Post.author_id).where(Post.id.in_(answer_ids))
            )
        }
        if answer_ids
        else {}
    )
    feed_spans = [
        max((answer_posts[t.answer_post_id][0] - t.created).total_seconds(), 0.0)
        for t in questions
        if t.answer_post_id in answer_posts
    ]
    day_ago = period.until - timedelta(days=1)
    replied = (
        {
            tid
            for (tid,) in session.execute(
                select(Post.thread_id)
                .where(Post.thread_id.in_(thread_ids), Post.position > 0, Post.source == "web")
                .distinct()
            )
        }
        if thread_ids
        else set()
    )
    unanswered_after_day = sum(
        1
        for t in questions
        if t.created <= day_ago and t.id not in replied and t.state != "answered"
    )

    came_back = (
        {
            tid
            for (tid,) in session.execute(
                select(MailMessage.thread_id)
                .join(Thread, Thread.id == MailMessage.thread_id)
                .where(
                    MailMessage.action == "append",
                    MailMessage.thread_id.in_([t.id for t in questions]),
                    MailMessage.received > Thread.created,
                )
            )
        }
        if questions
        else set()
    )
    views_per_thread = (
        Counter(
            tid
            for (tid,) in session.execute(
                select(View.thread_id).where(View.thread_id.in_(thread_ids))
            )
        )
        if thread_ids
        else Counter()
    )
    readers_hist = [
        (label, sum(1 for tid in thread_ids if low <= views_per_thread[tid] <= high))
        for label, low, high in READER_BUCKETS
    ]

    mail_people = on_the_mail(session, [t.id for t in threads if t.origin != "web"])
    emails = {p.id: p.email.lower() for p in people.values()}
    beyond: set[int] = set()
    for tid, pid in (
        session.execute(
            select(View.thread_id, View.person_id).where(View.thread_id.in_(list(mail_people)))
        )
        if mail_people
        else ()
    ):
        if pid in emails and emails[pid] not in mail_people[tid]:
            beyond.add(pid)
    answerers_beyond = 0
    for t in questions:
        found = answer_posts.get(t.answer_post_id or -1)
        if (
            found
            and t.id in mail_people
            and found[1] in emails
            and emails[found[1]] not in mail_people[t.id]
        ):
            answerers_beyond += 1
            beyond.add(found[1])

    return Report(
        period=period,
        department=department,
        participation=participation,
        weekly=weeks,
        mail_spans=mail_spans,
        feed_spans=feed_spans,
        readers_per_thread=readers_hist,
        reach_beyond_mail=len(beyond),
        answerers_beyond_mail=answerers_beyond,
        unanswered_after_day=unanswered_after_day,
        came_back_by_mail=len(came_back),
        questions=len(questions),
        participation_weeks=participation_weeks,
        answered=sum(1 for t in questions if t.state == "answered"),
        ambassadors=suggest_ambassadors(session, period, people),
    )


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(
    created: list[tuple[int, datetime]],
    engaged: list[tuple[int, datetime]],
    read: list[tuple[int, datetime]],
) -> list[tuple[str, int, int, int]]:
    """Per ISO week, the people who created, engaged (and did not create) and only read."""
    by_week: dict[str, list[set[int]]] = defaultdict(lambda: [set(), set(), set()])
    for column, rows in enumerate((created, engaged, read)):
        for pid, moment in rows:
            by_week[_week(moment)][column].add(pid)
    result = []
    for week in sorted(by_week):
        made, took_part, saw = by_week[week]
        took_part -= made
        saw -= made | took_part
        result.append((week, len(made), len(took_part), len(saw)))
    return result


def _kind(kind: str) -> str:
    return "praise" if kind == "kudos" else kind if kind in KINDS else "discussion"


def suggest_ambassadors(
    session: Session, period: Period, people: dict[int, Person], per_department: int = 3
) -> dict[str, list[Candidate]]:
    """Per department, who answers others, whose posts are liked, who brings threads over."""
    since = period.since or datetime.min
    window = and_(Post.created >= since, Post.created <= period.until, Post.hidden.is_(False))
    answers: Counter[int] = Counter()
    for author_id, asker_id in session.execute(
        select(Post.author_id, Thread.asker_id)
        .join(Thread, Thread.answer_post_id == Post.id)
        .where(window)
    ):
        if author_id is not None and author_id != asker_id:
            answers[author_id] += 1
    replies: Counter[int] = Counter()
    for author_id, asker_id in session.execute(
        select(Post.author_id, Thread.asker_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(window, Post.position > 0, Post.source == "web")
    ):
        if author_id is not None and author_id != asker_id:
            replies[author_id] += 1
    likes: Counter[int] = Counter()
    for author_id, count in session.execute(
        select(Post.author_id, func.count(Like.id))
        .join(Like, Like.post_id == Post.id)
        .where(Like.created >= since, Like.created <= period.until)
        .group_by(Post.author_id)
    ):
        if author_id is not None:
            likes[author_id] += int(count)
    moved: Counter[int] = Counter()
    by_email = {p.email.lower(): pid for pid, p in people.items()}
    for (sender,) in session.execute(
        select(MailMessage.sender).where(
            MailMessage.action == "publish",
            MailMessage.received >= since,
            MailMessage.received <= period.until,
        )
    ):
        pid = by_email.get((sender or "").lower())
        if pid is not None:
            moved[pid] += 1
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for pid, person in people.items():
        candidate = Candidate(
            person_id=pid,
            email=person.email,
            name=person.display,
            department=_department_of(person),
            answers=answers[pid],
            replies=replies[pid],
            likes=likes[pid],
            moved=moved[pid],
            ambassador=person.ambassador,
        )
        if candidate.score or candidate.ambassador:
            groups[candidate.department or ""].append(candidate)
    return {
        dept: sorted(group, key=lambda c: (-c.ambassador, -c.score, c.name))[:per_department]
        for dept, group in sorted(groups.items())
    }


@dataclass(frozen=True)
class ThreadOutcome:
    """The "moved from mail" panel: before and after the move, for one thread."""

    mail_span: timedelta | None
    mail_messages: int
    mail_people: int
    to_first_reply: timedelta | None
    to_answer: timedelta | None
    readers: int
    repliers: int
    likes: int
    answerers_beyond_mail: int  # feed repliers who were never on the mail


def thread_outcome(session: Session, thread: Thread) -> ThreadOutcome:
    """One thread's outcome, for its page: read from its posts and their authors (the page
    loaded them already, `feed.get_thread`), plus the readers and likes in one query and,
    when someone replied on the feed, who was mailed a link."""
    web_posts = sorted(
        (p for p in thread.posts if p.source == "web" and not p.hidden and p.position > 0),
        key=lambda p: p.created,
    )
    first_reply = web_posts[0].created - thread.created if web_posts else None
    answer = next((p for p in web_posts if p.id == thread.answer_post_id), None)
    emails = {p.author_id: p.author.email for p in web_posts if p.author is not None}
    repliers = {p.author_id for p in web_posts if p.author_id}
    mail: set[str] = set()
    if repliers:  # on_the_mail, from the loaded posts and the link mails
        mail = {p.author.email.lower() for p in thread.posts if p.source == "mail" and p.author}
        mail.update(
            recipient.lower()
            for recipient in session.scalars(
                select(OutboundMail.recipient).where(
                    OutboundMail.thread_id == thread.id, OutboundMail.purpose == "link"
                )
            )
        )
    readers = select(func.count()).select_from(View).where(View.thread_id == thread.id)
    likes = (
        select(func.count(Like.id))
        .join(Post, Post.id == Like.post_id)
        .where(Post.thread_id == thread.id)
    )
    read, liked = session.execute(select(readers.scalar_subquery(), likes.scalar_subquery())).one()
    return ThreadOutcome(
        mail_span=(thread.mail_last - thread.mail_first)
        if thread.mail_first and thread.mail_last
        else None,
        mail_messages=thread.mail_messages,
        mail_people=thread.mail_people,
        to_first_reply=max(first_reply, timedelta(0)) if first_reply is not None else None,
        to_answer=max(answer.created - thread.created, timedelta(0)) if answer else None,
        readers=int(read or 0),
        repliers=len(repliers),
        likes=int(liked or 0),
        answerers_beyond_mail=sum(1 for pid in repliers if emails.get(pid, "").lower() not in mail),
    )
