"""iCalendar messages for event invitations (iMIP, RFC 6047; iTIP, RFC 5546).

Built and read with the `icalendar` library — the one a client-side test parses with too.
A REQUEST lists every invitee as ATTENDEE (REQ-PARTICIPANT, NEEDS-ACTION, RSVP) with the
gateway as ORGANIZER, so Outlook, Gmail and Apple Calendar offer Accept/Decline, and
their REPLY comes back to the gateway.  No database here: the callers pass plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

PRODID = "-//Mailfeed//Mailfeed events//EN"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str | None
    status: str = "needs-action"  # lower-case PARTSTAT


@dataclass(frozen=True)
class Reply:
    """One attendee's answer in a METHOD:REPLY."""

    uid: str
    attendee: str  # lower-case address
    status: str  # lower-case PARTSTAT
    sequence: int


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def calendar(
    method: str,
    *,
    uid: str,
    sequence: int,
    summary: str,
    description: str,
    starts: datetime,
    ends: datetime,
    place: str,
    organizer: str,
    organizer_name: str,
    attendees: Sequence[Attendee],
    url: str,
    now: datetime,
) -> bytes:
    """A VCALENDAR with one VEVENT for METHOD `REQUEST` or `CANCEL`; naive times are UTC."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(f"unsupported iTIP method {method}")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = VEvent()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(starts))
    event.add("dtend", _utc(ends))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if place:
        event["location"] = vText(place)
    event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    boss = vCalAddress(f"mailto:{organizer}")
    boss.params["cn"] = vText(organizer_name)
    event["organizer"] = boss
    for person in attendees:
        address = vCalAddress(f"mailto:{person.email}")
        if person.name:
            address.params["cn"] = vText(person.name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText(person.status.upper())
        address.params["rsvp"] = vText("TRUE")
        event.add("attendee", address, encode=False)
    cal.add_component(event)
    return bytes(cal.to_ical())


def attach(message: EmailMessage, ics: bytes, method: str) -> None:
    """Make `message` (with its plain-text body set) an iMIP mail: multipart/alternative
    with the text/calendar part carrying the same METHOD (RFC 6047 §2.4)."""
    message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})


def replies(ics: bytes) -> tuple[str, list[Reply]]:
    """(METHOD, the attendees' answers) of an iCalendar object; ValueError if unreadable."""
    try:
        cal = Calendar.from_ical(ics)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on bad input
        raise ValueError(f"unreadable iCalendar data: {exc.__class__.__name__}") from exc
    method = str(cal.get("method", "")).upper()
    found: list[Reply] = []
    for component in cal.walk("VEVENT"):
        uid = str(component.get("uid", ""))
        try:
            sequence = int(component.get("sequence", 0))
        except (TypeError, ValueError):
            sequence = 0
        people = component.get("attendee", [])
        for attendee in people if isinstance(people, list) else [people]:
            address = str(attendee)
            if address.lower().startswith("mailto:"):
                address = address[7:]
            status = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).lower()
            found.append(Reply(uid, address.strip().lower(), status, sequence))
    return method, found
