"""A realistic demo practice (slug `demo`), seeded once: running it again changes nothing."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Conflict
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.text import fold
from frontdesk.services import dto
from frontdesk.services.context import Principal
from frontdesk.services.practices import PracticeService
from frontdesk.services.setup import Setup
from frontdesk.services.setup.catalogue import ServiceFields
from frontdesk.services.setup.locations import LocationFields
from frontdesk.services.setup.providers import ProviderFields
from frontdesk.services.setup.schedules import Block
from frontdesk.services.setup.shapes import LocationOut
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo

SLUG = "demo"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")

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


async def seed(
    uc: UseCases, practices: PracticeService, setup: Setup, *, patients: int = 300
) -> tuple[dto.PracticeInfo, bool]:
    """Create the demo practice if it does not exist. Returns (practice, created). Its locations,
    providers, services and hours are made through the setup services, as an owner would make them
    (and audited as `demo`); its patients and a month of appointments are then written directly."""
    try:
        practice = await practices.create(SLUG, "Frontdesk Demo Practice", "America/New_York")
    except Conflict:
        return await practices.get(SLUG), False
    p = Principal(practice.id, "demo")
    rnd = random.Random(20261123)
    books = []
    for name, tz, address, city, state in DATEBOOKS:
        books.append(await setup.locations.create(p, LocationFields(name, tz, address, city, state)))
    provider_ids = await _providers(setup, p, rnd, books)
    for name, minutes, price, before, after in SERVICES:
        what = ServiceFields(
            name=name,
            duration_minutes=minutes,
            price_cents=price,
            currency="USD",
            buffer_before_minutes=before,
            buffer_after_minutes=after,
        )
        await setup.catalogue.create(p, what, provider_ids)  # every provider delivers every service

    async def body(s: AsyncSession, now: datetime) -> None:
        by_id = {b.id: b for b in await dir_repo.datebooks(s, practice.id)}
        provs: list[tuple[m.Provider, m.Datebook]] = []
        for pid, (_, _, book_index, _) in zip(provider_ids, PROVIDERS, strict=True):
            row = await dir_repo.provider(s, practice.id, pid)
            assert row is not None
            book = by_id[books[book_index].id]
            # Where the MedApp widget pins them on a map.
            row.address = book.address
            row.latitude = 40.748 if book_index == 0 else 38.720
            row.longitude = -73.985 if book_index == 0 else -9.145
            provs.append((row, book))
        services = list(await dir_repo.services(s, practice.id))
        people = _patients(practice.id, rnd, now, patients)
        s.add_all(people)
        await s.flush()
        _appointments(s, practice.id, rnd, now, provs, services, people)

    await uc.run(body)
    return practice, True


async def _providers(setup: Setup, p: Principal, rnd: random.Random, books: list[LocationOut]) -> list[int]:
    """The demo's providers, each with a week at their location (some on Saturday mornings too)."""
    provider_ids = []
    for i, (name, specialty, book_index, saturday) in enumerate(PROVIDERS):
        book = books[book_index]
        who = ProviderFields(
            name=name,
            uid=str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            specialty=specialty,
            city=book.city,
            state=book.state,
            image_url=f"https://images.frontdesk.example/doctors/{i + 1}.png",
        )
        pid = (await setup.providers.create(p, who)).id
        provider_ids.append(pid)
        week = [Block(day, "09:00", "17:00") for day in WEEKDAYS]
        if saturday:
            week.append(Block("saturday", "09:00", "13:00"))
        lunch = [Block(day, "12:00", "13:00") for day in WEEKDAYS]
        await setup.schedules.set_weekly(p, pid, week, lunch, book.id)
    return provider_ids


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
