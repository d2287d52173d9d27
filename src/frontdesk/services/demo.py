"""A realistic demo practice (slug `demo`), seeded once: running it again changes nothing."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.text import fold
from frontdesk.services import dto, mapping
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo

SLUG = "demo"

DATEBOOKS = [
    ("Downtown Dental", "America/New_York", "350 5th Ave", "New York", "NY"),
    ("Lisboa Clinic", "Europe/Lisbon", "Av. da Liberdade 110", "Lisboa", "Lisboa"),
]
# name, specialty, datebook index, saturday morning too
PROVIDERS = [
    ("Dr. Ana Garcia", "General Dentist", 0, True),
    ("Dr. Luis Rodriguez", "Orthodontist", 0, False),
    ("Dr. Emily Chen", "Pediatric Dentist", 0, False),
    ("Dr. João Silva", "Cardiologist", 1, False),
    ("Dr. Ana Silva", "Dermatologist", 1, True),
    ("Dr. Rui Costa", "Endodontist", 1, False),
]
# name, minutes, price cents, buffer before, buffer after
SERVICES = [
    ("Routine cleaning", 30, 9500, 0, 0),
    ("Consultation", 30, 12000, 0, 0),
    ("Filling", 45, 15000, 0, 5),
    ("Orthodontic check-up", 30, 8000, 0, 0),
    ("Crown prep", 90, 60000, 0, 10),
    ("Root canal", 90, 90000, 5, 10),
]
FIRST = (
    "Maria Carlos Ana Juan Sofia Miguel Lucia Pedro Elena Jorge Laura Diego Carmen Pablo Isabel Tomas "
    "Beatriz Rafael Ines Andre Olivia Liam Emma Noah Ava Ethan Mia Lucas Chloe Mateo Zoe Daniel Sara"
).split()
LAST = (
    "Santos Lopez Martinez Perez Gomez Fernandez Silva Costa Oliveira Rodrigues Smith Johnson Brown "
    "Garcia Miller Davis Wilson Moore Taylor Anderson Thomas Lee Walker Hall Young King Wright Scott"
).split()


async def seed(uc: UseCases, *, patients: int = 300) -> tuple[dto.PracticeInfo, bool]:
    """Create the demo practice if it does not exist. Returns (practice, created)."""

    async def body(s: AsyncSession, now: datetime) -> tuple[dto.PracticeInfo, bool]:
        existing = await dir_repo.practice_by_slug(s, SLUG)
        if existing is not None:
            return mapping.practice(existing), False
        rnd = random.Random(20261123)
        practice = m.Practice(
            slug=SLUG, name="Frontdesk Demo Practice", timezone="America/New_York", created_at=now
        )
        s.add(practice)
        await s.flush()
        pid = practice.id
        books = []
        for name, tz, address, city, state in DATEBOOKS:
            b = m.Datebook(
                practice_id=pid, name=name, timezone=tz, address=address, city=city, state=state, active=True
            )
            s.add(b)
            books.append(b)
        services = []
        for name, minutes, price, before, after in SERVICES:
            sv = m.Service(
                practice_id=pid,
                name=name,
                duration_minutes=minutes,
                price_cents=price,
                currency="USD",
                buffer_before_minutes=before,
                buffer_after_minutes=after,
                active=True,
            )
            s.add(sv)
            services.append(sv)
        await s.flush()
        provs: list[tuple[m.Provider, m.Datebook]] = []
        for i, (name, specialty, book_index, _saturday) in enumerate(PROVIDERS):
            book = books[book_index]
            pr = m.Provider(
                practice_id=pid,
                uid=str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                name=name,
                specialty=specialty,
                active=True,
                address=book.address,
                city=book.city,
                state=book.state,
                image_url=f"https://images.frontdesk.example/doctors/{i + 1}.png",
                latitude=40.748 if book_index == 0 else 38.720,
                longitude=-73.985 if book_index == 0 else -9.145,
            )
            s.add(pr)
            provs.append((pr, book))
        await s.flush()
        for pr, book in provs:
            for weekday in range(5):
                s.add(_hours(pid, pr, book, weekday, "work", "09:00", "17:00"))
                s.add(_hours(pid, pr, book, weekday, "break", "12:00", "13:00"))
            if PROVIDERS[[p for p, _ in provs].index(pr)][3]:
                s.add(_hours(pid, pr, book, 5, "work", "09:00", "13:00"))
        people = _patients(pid, rnd, now, patients)
        s.add_all(people)
        await s.flush()
        _appointments(s, pid, rnd, now, provs, services, people)
        return mapping.practice(practice), True

    return await uc.run(body)


def _hours(
    pid: int, pr: m.Provider, book: m.Datebook, weekday: int, kind: str, start: str, end: str
) -> m.WorkingHours:
    return m.WorkingHours(
        practice_id=pid,
        provider_id=pr.id,
        datebook_id=book.id,
        kind=kind,
        weekday=weekday,
        start_time=start,
        end_time=end,
    )


def _patients(pid: int, rnd: random.Random, now: datetime, count: int) -> list[m.Patient]:
    # The people of the seeds' usage examples come first, so the examples work as written.
    names = [("Juan", "Perez"), ("Maria", "Santos"), ("Carlos", "Lopez"), ("Ana", "Martinez")]
    seen = set(names)
    while len(names) < count:
        pair = (rnd.choice(FIRST), rnd.choice(LAST))
        if pair not in seen:
            seen.add(pair)
            names.append(pair)
    out = []
    for i, (first, last) in enumerate(names):
        # Valid numbers from the fictional 555-01xx range, stored in E.164 (the same random draws as
        # before, so the rest of the demo data stays as it was).
        a, b = rnd.randint(100, 999), rnd.randint(1000, 9999)
        email = f"{fold(first)}.{fold(last)}{i}@example.com".replace(" ", "")
        out.append(
            m.Patient(
                practice_id=pid,
                uid=f"P-{i + 1:05d}",
                first_name=first,
                last_name=last,
                search_name=fold(f"{first} {last}"),
                phone=f"+1212555{(a + b) % 100 + 100:04d}",
                email=email,
                email_key=email,
                date_of_birth=date(rnd.randint(1940, 2020), rnd.randint(1, 12), rnd.randint(1, 28)),
                created_at=now,
            )
        )
    return out


def _keep_free(pr: m.Provider, day: date, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """Dr. Garcia's Tuesdays 15:00-16:00 stay open, so "next Tuesday at 3 PM" can always be booked."""
    if pr.name != "Dr. Ana Garcia" or day.weekday() != 1:
        return False
    return start < datetime.combine(day, time(16), tzinfo=tz) and end > datetime.combine(
        day, time(15), tzinfo=tz
    )


def _appointments(
    s: AsyncSession,
    pid: int,
    rnd: random.Random,
    now: datetime,
    provs: list[tuple[m.Provider, m.Datebook]],
    services: list[m.Service],
    people: list[m.Patient],
) -> None:
    """Each working day from a week ago to two weeks ahead: a morning and an afternoon of visits."""
    for pr, book in provs:
        tz = ZoneInfo(book.timezone)
        today = now.astimezone(tz).date()
        for offset in range(-7, 15):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for block_start, block_end in ((time(9), time(12)), (time(13), time(17))):
                cursor = datetime.combine(day, block_start, tzinfo=tz)
                stop = datetime.combine(day, block_end, tzinfo=tz)
                while True:
                    cursor += timedelta(minutes=15 * rnd.randint(0, 3))
                    service = rnd.choice(services)
                    end = cursor + timedelta(minutes=service.duration_minutes)
                    if end + timedelta(minutes=service.buffer_after_minutes) > stop:
                        break
                    if cursor - timedelta(minutes=service.buffer_before_minutes) < datetime.combine(
                        day, block_start, tzinfo=tz
                    ):
                        cursor += timedelta(minutes=15)
                        continue
                    if _keep_free(pr, day, cursor, end, tz):
                        cursor = datetime.combine(day, time(16), tzinfo=tz)
                        continue
                    past = end <= now
                    if past:
                        status = rnd.choices(
                            [
                                AppointmentStatus.COMPLETED,
                                AppointmentStatus.NO_SHOW,
                                AppointmentStatus.CANCELLED,
                            ],
                            [90, 4, 6],
                        )[0]
                    else:
                        status = rnd.choices(
                            [AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED], [60, 40]
                        )[0]
                    s.add(
                        m.Appointment(
                            practice_id=pid,
                            datebook_id=book.id,
                            provider_id=pr.id,
                            patient_id=rnd.choice(people).id,
                            service_id=service.id,
                            starts_at=cursor,
                            ends_at=end,
                            status=status.value,
                            notes=service.name,
                            allow_overlap=False,
                            cancel_reason="cancelled" if status == AppointmentStatus.CANCELLED else None,
                            created_by="demo",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    # Next visit starts after this one and its buffer, rounded up to the 15-minute grid.
                    nxt = end + timedelta(minutes=service.buffer_after_minutes)
                    cursor = nxt + timedelta(minutes=(-nxt.minute) % 15)
