"""The iCalendar invite a confirmation carries (RFC 5546 iTIP): METHOD:REQUEST with a SEQUENCE that
grows with each reschedule (one UID for the appointment and the ones it was moved to), METHOD:CANCEL
when it is cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

HOST = "frontdesk"


def uid(first_id: int, host: str = HOST) -> str:
    """An appointment's iCalendar UID: the first appointment of its reschedules names it, so the
    invite, its updates and the provider's calendar feed all speak of one event."""
    return f"appointment-{first_id}@{host}"


def invite(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime,
    minutes: int,
    summary: str,
    location: str,
    organizer: str,
    attendee: str,
    now: datetime,
    cancel: bool = False,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Frontdesk//Appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    ev = Event()
    ev.add("uid", uid)
    ev.add("sequence", sequence)
    ev.add("dtstamp", now)
    ev.add("dtstart", starts_at)
    ev.add("dtend", starts_at + timedelta(minutes=minutes))
    ev.add("summary", summary)
    ev["location"] = vText(location)
    ev["organizer"] = vCalAddress(f"mailto:{organizer}")
    ev.add("attendee", vCalAddress(f"mailto:{attendee}"), parameters={"ROLE": "REQ-PARTICIPANT"})
    ev.add("status", "CANCELLED" if cancel else "CONFIRMED")
    cal.add_component(ev)
    return bytes(cal.to_ical())
