"""Full patient demographics: input rules, applying changes, the record handed back, search criteria."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from frontdesk.domain import validation
from frontdesk.domain.clinical import patients as rules
from frontdesk.domain.clinical.codes import icd10_format
from frontdesk.domain.clinical.status import PatientStatus
from frontdesk.domain.errors import Invalid
from frontdesk.domain.text import fold
from frontdesk.domain.timeparse import parse_date
from frontdesk.services.clients import contact
from frontdesk.services.clinical import dto
from frontdesk.services.clinical.base import text
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m
from frontdesk.storage.repositories.clinical.patients import Criteria

PAGE_MAX = 50


@dataclass(frozen=True, slots=True)
class Demographics:
    """A patient's details as given by a caller. On update, None leaves a field as it is and an empty
    string clears it (names cannot be cleared)."""

    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: str | None = None
    sex: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    phone: str | None = None
    alt_phone: str | None = None
    email: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    language: str | None = None
    emergency_name: str | None = None
    emergency_phone: str | None = None
    emergency_relation: str | None = None
    insurance_payer: str | None = None
    insurance_plan: str | None = None
    insurance_member_id: str | None = None
    insurance_group: str | None = None

    def given(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self) if getattr(self, f.name) is not None]


# Profile text fields and their maximum lengths.
_PROFILE_TEXT = {
    "middle_name": 120,
    "preferred_name": 120,
    "gender_identity": 60,
    "pronouns": 30,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "state": 100,
    "emergency_name": 120,
    "emergency_relation": 60,
    "insurance_payer": 120,
    "insurance_plan": 120,
    "insurance_member_id": 60,
    "insurance_group": 60,
}

# Every profile detail (what a merge copies to the kept record when it lacks it).
PROFILE_FIELDS = (
    *_PROFILE_TEXT,
    "alt_phone",
    "emergency_phone",
    "sex",
    "postal_code",
    "country",
    "language",
)


def new_profile(practice_id: int, patient_id: int, actor: str, now: datetime) -> c.PatientProfile:
    return c.PatientProfile(
        practice_id=practice_id,
        patient_id=patient_id,
        status=PatientStatus.ACTIVE.value,
        created_at=now,
        created_by=actor[:120],
        updated_at=now,
    )


def apply(row: m.Patient, prof: c.PatientProfile, d: Demographics, today: date, region: str) -> None:
    """Validate every given field (naming the field at fault) and set it; phones in E.164 (`region`:
    the practice's, for numbers without +code). Not the email: that is `contact.set_email`'s, since
    it must be unique in the practice."""
    if d.first_name is not None:
        row.first_name = validation.required_text(d.first_name, field="first_name")
    if d.last_name is not None:
        row.last_name = validation.required_text(d.last_name, field="last_name")
    row.search_name = fold(f"{row.first_name} {row.last_name}")
    if d.date_of_birth is not None:
        born = parse_date(d.date_of_birth, field="date_of_birth") if d.date_of_birth.strip() else None
        row.date_of_birth = rules.birth_date(born, today) if born else None
    if d.phone is not None:
        row.phone = contact.phone(d.phone, region)
    if d.alt_phone is not None:
        prof.alt_phone = contact.phone(d.alt_phone, region, field="alt_phone")
    if d.emergency_phone is not None:
        prof.emergency_phone = contact.phone(d.emergency_phone, region, field="emergency_phone")
    if d.sex is not None:
        found = rules.sex(d.sex)
        prof.sex = found.value if found else None
    if d.postal_code is not None:
        prof.postal_code = rules.postal_code(d.postal_code)
    if d.language is not None:
        prof.language = rules.language(d.language)
    if d.country is not None:
        country = d.country.strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise Invalid("country must be a two-letter ISO 3166 code such as US or PT", field="country")
        prof.country = country or None
    for name, limit in _PROFILE_TEXT.items():
        value = getattr(d, name)
        if value is not None:
            setattr(prof, name, text(value, field=name, max_len=limit))
    prof.search_preferred = fold(prof.preferred_name)[:120] if prof.preferred_name else None


def record(
    row: m.Patient, prof: c.PatientProfile | None, today: date, tz: ZoneInfo, titular: int | None = None
) -> dto.PatientRecord:
    """The record as callers see it (`titular`: the titular provider, where the caller looked it up)."""

    def pf(name: str) -> str | None:
        value = getattr(prof, name) if prof is not None else None
        return value if isinstance(value, str) else None

    return dto.PatientRecord(
        id=row.id,
        uid=row.uid,
        first_name=row.first_name,
        last_name=row.last_name,
        middle_name=pf("middle_name"),
        preferred_name=pf("preferred_name"),
        date_of_birth=row.date_of_birth,
        age=rules.age(row.date_of_birth, today) if row.date_of_birth else None,
        sex=pf("sex"),
        gender_identity=pf("gender_identity"),
        pronouns=pf("pronouns"),
        phone=row.phone,
        alt_phone=pf("alt_phone"),
        email=row.email,
        address_line1=pf("address_line1"),
        address_line2=pf("address_line2"),
        city=pf("city"),
        state=pf("state"),
        postal_code=pf("postal_code"),
        country=pf("country"),
        language=pf("language"),
        emergency_name=pf("emergency_name"),
        emergency_phone=pf("emergency_phone"),
        emergency_relation=pf("emergency_relation"),
        insurance_payer=pf("insurance_payer"),
        insurance_plan=pf("insurance_plan"),
        insurance_member_id=pf("insurance_member_id"),
        insurance_group=pf("insurance_group"),
        status=prof.status if prof is not None else PatientStatus.ACTIVE.value,
        merged_into_id=prof.merged_into_id if prof is not None else None,
        created_at=row.created_at.astimezone(tz),
        titular_provider_id=titular,
    )


@dataclass(frozen=True, slots=True)
class FindQuery:
    name: str | None = None
    uid: str | None = None
    date_of_birth: str | None = None
    phone: str | None = None
    email: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    sex: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    status: str = "active"  # active | inactive | merged | all
    diagnosis_code: str | None = None
    medication: str | None = None
    allergy: str | None = None
    provider_id: int | None = None
    page: int = 1
    page_size: int = 20

    @property
    def medical(self) -> bool:
        return any(x and x.strip() for x in (self.diagnosis_code, self.medication, self.allergy))


def criteria(q: FindQuery, today: date) -> Criteria:
    if q.page < 1:
        raise Invalid("page must be 1 or more", field="page")
    if not 1 <= q.page_size <= PAGE_MAX:
        raise Invalid(f"page_size must be between 1 and {PAGE_MAX}", field="page_size")
    name = text(q.name, field="name", max_len=120)
    phone = rules.digits(text(q.phone, field="phone", max_len=32))
    if q.phone and (phone is None or len(phone) < 4):
        raise Invalid("phone must contain at least 4 digits", field="phone")
    born_from, born_to = rules.birth_range(q.min_age, q.max_age, today)
    statuses = {
        "active": ("active",),
        "inactive": ("inactive",),
        "merged": ("merged",),
        "all": ("active", "inactive", "merged"),
    }.get(q.status.strip().lower())
    if statuses is None:
        raise Invalid("status must be one of: active, inactive, merged, all", field="status")
    found_sex = rules.sex(q.sex)
    code = text(q.diagnosis_code, field="diagnosis_code", max_len=10)
    if code is not None:
        # A category (E11) is accepted as a prefix: it matches every code under it.
        code = (
            code.upper().replace(" ", "")
            if len(code.replace(".", "")) <= 3
            else icd10_format(code, field="diagnosis_code")
        )
    return Criteria(
        name_words=tuple(fold(name).split()) if name else (),
        uid=text(q.uid, field="uid", max_len=36),
        date_of_birth=parse_date(q.date_of_birth, field="date_of_birth") if q.date_of_birth else None,
        phone_digits=phone,
        email=(text(q.email, field="email", max_len=254) or "").lower() or None,
        city=(text(q.city, field="city", max_len=100) or "").lower() or None,
        state=(text(q.state, field="state", max_len=100) or "").lower() or None,
        postal_code=rules.postal_code(q.postal_code),
        sex=found_sex.value if found_sex else None,
        born_from=born_from,
        born_to=born_to,
        statuses=statuses,
        diagnosis_code=code,
        medication=(text(q.medication, field="medication", max_len=120) or "").lower() or None,
        allergy=(text(q.allergy, field="allergy", max_len=120) or "").lower() or None,
        provider_id=q.provider_id,
    )
