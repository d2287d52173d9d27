"""Test data: a practice with two datebooks in different zones, providers, services and hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.composition import Frontdesk
from frontdesk.domain.text import fold
from frontdesk.services.context import Principal
from frontdesk.storage import models as m


@dataclass
class Scenario:
    practice_id: int
    slug: str
    principal: Principal
    ny: int  # datebook "Main Street", America/New_York
    lisbon: int  # datebook "Lisboa", Europe/Lisbon
    garcia: int  # Dr. Ana Garcia, dentist, NY, Mon-Fri 09-17 with lunch 12-13
    silva_j: int  # Dr. João Silva, cardiologist, Lisbon
    silva_a: int  # Dr. Ana Silva, dermatologist, Lisbon
    cleaning: int  # 30 min, no buffers
    crown: int  # 60 min, 15 min buffer after
    juan: int  # patient Juan Perez
    maria: int  # patient María Santos


async def build_scenario(app: Frontdesk) -> Scenario:
    slug = "t" + uuid.uuid4().hex[:12]
    async with app.db.write() as s:
        p = m.Practice(slug=slug, name="Test Practice", timezone="America/New_York", created_at=app.clock())
        s.add(p)
        await s.flush()
        ny = m.Datebook(practice_id=p.id, name="Main Street", timezone="America/New_York", city="New York")
        lis = m.Datebook(practice_id=p.id, name="Lisboa", timezone="Europe/Lisbon", city="Lisboa")
        s.add_all([ny, lis])
        cleaning = m.Service(practice_id=p.id, name="Cleaning", duration_minutes=30)
        crown = m.Service(practice_id=p.id, name="Crown", duration_minutes=60, buffer_after_minutes=15)
        s.add_all([cleaning, crown])
        await s.flush()
        provs = []
        for name, spec, city in (
            ("Dr. Ana Garcia", "Dentist", "New York"),
            ("Dr. João Silva", "Cardiologist", "Lisboa"),
            ("Dr. Ana Silva", "Dermatologist", "São Paulo"),
        ):
            pr = m.Provider(practice_id=p.id, uid=str(uuid.uuid4()), name=name, specialty=spec, city=city)
            s.add(pr)
            provs.append(pr)
        await s.flush()
        garcia, silva_j, silva_a = provs
        for pr, book in ((garcia, ny), (silva_j, lis), (silva_a, lis)):
            for wd in range(5):
                s.add(_wh(p.id, pr, book, wd, "work", "09:00", "17:00"))
                s.add(_wh(p.id, pr, book, wd, "break", "12:00", "13:00"))
        # Every provider delivers every service (a service nobody delivers cannot be booked).
        for sv in (cleaning, crown):
            for pr in provs:
                s.add(m.ServiceProvider(practice_id=p.id, service_id=sv.id, provider_id=pr.id))
        patients = []
        for first, last in (("Juan", "Perez"), ("María", "Santos")):
            pat = m.Patient(
                practice_id=p.id,
                uid="P-" + uuid.uuid4().hex[:8].upper(),
                first_name=first,
                last_name=last,
                search_name=fold(f"{first} {last}"),
                phone="+1 555 0100",
                created_at=app.clock(),
            )
            s.add(pat)
            patients.append(pat)
        await s.flush()
        return Scenario(
            practice_id=p.id,
            slug=slug,
            principal=Principal(p.id, "test"),
            ny=ny.id,
            lisbon=lis.id,
            garcia=garcia.id,
            silva_j=silva_j.id,
            silva_a=silva_a.id,
            cleaning=cleaning.id,
            crown=crown.id,
            juan=patients[0].id,
            maria=patients[1].id,
        )


def _wh(pid: int, pr: m.Provider, book: m.Datebook, wd: int, kind: str, a: str, b: str) -> m.WorkingHours:
    return m.WorkingHours(
        practice_id=pid,
        provider_id=pr.id,
        datebook_id=book.id,
        kind=kind,
        weekday=wd,
        start_time=a,
        end_time=b,
    )
