"""The people directory: importing it from a CSV export, and finding people in it.

An import is all or nothing: every row is checked first, and only a file without a bad
row is written, in one transaction, so a typo on line 412 never leaves half a directory.
Importing the same file again changes nothing (and says so).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mailfeed.publisher.models import Person

COLUMNS = ("email", "name", "title", "department", "manager")
REQUIRED = ("email",)
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
# The Person attribute each directory column fills.
_FIELDS = {"name": "name", "title": "title", "department": "department", "manager": "manager_email"}
_LIMITS = {"name": 200, "title": 200, "department": 200, "manager": 320}


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    values: dict[str, str | None]  # Person attribute -> value (None: empty in the file)


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # "line 7: …"; non-empty: nothing written
    changes: list[str] = field(default_factory=list)  # one line per added/updated person

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(text: str) -> tuple[list[Row], list[str]]:
    """Parse and check a directory CSV: rows, and the errors with their line numbers."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            f"line 1: the header lacks the column(s) {', '.join(missing)} "
            f"(expected {', '.join(COLUMNS)})"
        ]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        return [], [
            f"line 1: unknown column(s) {', '.join(unknown)} (expected {', '.join(COLUMNS)})"
        ]
    reader.fieldnames = header
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if None in record:
            errors.append(f"line {line}: more fields than columns")
            continue
        cells = {k: (v or "").strip() for k, v in record.items()}
        if not any(cells.values()):
            continue  # a blank line
        email = cells.get("email", "").lower()
        if not _ADDRESS.match(email):
            errors.append(f"line {line}: not an e-mail address: {email or '(empty)'!r}")
            continue
        if email in seen:
            errors.append(f"line {line}: {email} already on line {seen[email]}")
            continue
        seen[email] = line
        manager = cells.get("manager", "").lower()
        if manager and not _ADDRESS.match(manager):
            errors.append(f"line {line}: manager is not an e-mail address: {manager!r}")
            continue
        too_long = [c for c, limit in _LIMITS.items() if len(cells.get(c, "")) > limit]
        if too_long:
            errors.append(f"line {line}: too long: {', '.join(too_long)}")
            continue
        values = {
            attr: ((manager if column == "manager" else cells[column]) or None)
            for column, attr in _FIELDS.items()
            if column in header
        }
        rows.append(Row(line, email, values))
    return rows, errors


def import_directory(session: Session, text: str) -> ImportReport:
    """Apply a directory CSV to the people table (the caller commits when `ok`)."""
    rows, errors = read_rows(text)
    report = ImportReport(errors=errors)
    if errors:
        return report
    existing = {
        p.email: p
        for p in session.scalars(select(Person).where(Person.email.in_([r.email for r in rows])))
    }
    for row in rows:
        person = existing.get(row.email)
        if person is None:
            session.add(Person(email=row.email, internal=True, **row.values))
            report.added += 1
            report.changes.append(f"added {row.email}")
            continue
        changed = [a for a, v in row.values.items() if getattr(person, a) != v]
        for attr in changed:
            setattr(person, attr, row.values[attr])
        if changed:
            report.updated += 1
            report.changes.append(f"updated {row.email}: {', '.join(changed)}")
        else:
            report.unchanged += 1
    session.flush()
    return report


def departments(session: Session) -> list[str]:
    stmt = select(Person.department).where(Person.department.is_not(None)).distinct()
    return sorted((d for d in session.scalars(stmt) if d), key=str.casefold)


def find_people(
    session: Session, query: str = "", department: str | None = None, limit: int = 200
) -> list[Person]:
    """People whose name, address or title contains every word of `query`, by name."""
    stmt = select(Person).where(Person.internal.is_(True))
    for word in query.lower().split()[:6]:
        pattern = f"%{word}%"
        stmt = stmt.where(
            or_(
                func.lower(Person.name).like(pattern),
                Person.email.like(pattern),
                func.lower(Person.title).like(pattern),
            )
        )
    if department:
        stmt = stmt.where(Person.department == department)
    stmt = stmt.order_by(func.lower(func.coalesce(Person.name, Person.email))).limit(limit)
    return list(session.scalars(stmt))


def by_email(session: Session, addresses: Iterable[str]) -> dict[str, Person]:
    wanted = {a.lower() for a in addresses if a}
    if not wanted:
        return {}
    return {p.email: p for p in session.scalars(select(Person).where(Person.email.in_(wanted)))}
