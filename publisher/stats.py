"""What moving talk from mail to the feed achieved, in numbers everyone may see.

The brief's story in figures: how long questions lived in mail and among how many
people, how fast they were answered once on the feed, how many read them, and who
answers.  Portable SQL for the counts; the medians are computed in Python over the
(bounded) rows they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailfeed.publisher.models import Person, Post, Thread, View

MAX_ROWS = 5000  # the newest threads the medians look at


@dataclass(frozen=True)
class Stats:
    threads: int
    from_mail: int
    questions: int
    answered: int
    mail_messages: int  # messages of the chains that moved
    mail_people: int  # people on those chains, added up
    median_mail_life: timedelta | None  # first to last mail of a moved chain
    median_to_answer: timedelta | None  # from moving to the marked answer
    readers: int  # distinct people who opened a thread
    web_posts: int
    top_answerers: list[tuple[str, int]]  # (name, answers marked)

    @property
    def answered_share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


def _median(spans: list[timedelta]) -> timedelta | None:
    return timedelta(seconds=median(s.total_seconds() for s in spans)) if spans else None


def _count(session: Session, stmt: object) -> int:
    return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]


def collect(session: Session) -> Stats:
    visible = Thread.hidden.is_(False)
    from_mail = visible & (Thread.origin != "web")
    lives = [
        last - first
        for first, last in session.execute(
            select(Thread.mail_first, Thread.mail_last)
            .where(from_mail)
            .order_by(Thread.id.desc())
            .limit(MAX_ROWS)
        )
        if first and last
    ]
    answer_rows = session.execute(
        select(Thread.created, Post.created, Post.author_id)
        .join(Post, Post.id == Thread.answer_post_id)
        .where(visible)
        .order_by(Thread.id.desc())
        .limit(MAX_ROWS)
    ).all()
    to_answer = [max(answered - moved, timedelta(0)) for moved, answered, _a in answer_rows]
    counts: dict[int, int] = {}
    for _moved, _answered, author_id in answer_rows:
        if author_id is not None:
            counts[author_id] = counts.get(author_id, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
    names = (
        {
            p.id: p.display
            for p in session.scalars(select(Person).where(Person.id.in_([k for k, _ in top])))
        }
        if top
        else {}
    )
    return Stats(
        threads=_count(session, select(func.count()).select_from(Thread).where(visible)),
        from_mail=_count(session, select(func.count()).select_from(Thread).where(from_mail)),
        questions=_count(
            session,
            select(func.count()).select_from(Thread).where(visible, Thread.kind == "question"),
        ),
        answered=_count(
            session,
            select(func.count())
            .select_from(Thread)
            .where(visible, Thread.kind == "question", Thread.state == "answered"),
        ),
        mail_messages=_count(session, select(func.sum(Thread.mail_messages)).where(from_mail)),
        mail_people=_count(session, select(func.sum(Thread.mail_people)).where(from_mail)),
        median_mail_life=_median(lives),
        median_to_answer=_median(to_answer),
        readers=_count(session, select(func.count(func.distinct(View.person_id)))),
        web_posts=_count(
            session,
            select(func.count())
            .select_from(Post)
            .where(Post.source == "web", Post.hidden.is_(False)),
        ),
        top_answerers=[(names.get(k, "?"), n) for k, n in top],
    )
