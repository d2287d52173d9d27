"""The JSON-ready dicts long lists are shaped into are exactly what their output models dump to."""

from __future__ import annotations

from datetime import UTC, datetime

from frontdesk.services import dto
from frontdesk.services.scheduling import shapes

HELD = dto.AppointmentInfo(
    id=41,
    datebook_id=2,
    datebook_name="Lisbon",
    timezone="Europe/Lisbon",
    provider_id=7,
    provider_name="Dr. Ana Lima",
    patient_id=90,
    patient_name="Rui Costa",
    service_id=None,
    service_name=None,
    starts_at=datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
    ends_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
    status="held",
    fhir_status="pending",
    notes="first visit",
    hold_expires_at=datetime(2026, 7, 1, 8, 5, tzinfo=UTC),
    allow_overlap=False,
)
BOOKED = dto.AppointmentInfo(
    **{**{f: getattr(HELD, f) for f in HELD.__dataclass_fields__}, "id": 42, "status": "booked"}
    | {"service_id": 3, "service_name": "Check-up", "notes": None, "hold_expires_at": None}
)
SLOT = dto.Slot(
    slot_id="s2-7-3-1782894600-30",
    datebook_id=2,
    datebook_name="Lisbon",
    timezone="Europe/Lisbon",
    provider_id=7,
    provider_name="Dr. Ana Lima",
    service_id=3,
    starts_at=datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
    ends_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
)


def test_appointment_list_dict_is_the_models_json() -> None:
    data = shapes.appointment_list([HELD, BOOKED], truncated=False)
    model = shapes.AppointmentList.model_validate(data)
    assert model.model_dump(mode="json", by_alias=True) == data
    first = data["appointments"][0]
    assert first["start"] == "2026-07-01T09:30:00+01:00"  # the datebook's own offset (summer time)
    assert first["hold_expires_at"] == "2026-07-01T09:05:00+01:00"
    assert set(first) == set(shapes.AppointmentOut.model_fields)


def test_single_appointment_model_matches_its_dict() -> None:
    assert shapes.appointment(BOOKED).model_dump(mode="json") == shapes.appointment_json(BOOKED)


def test_slot_list_dict_is_the_models_json() -> None:
    data = shapes.slot_list([SLOT])
    assert shapes.SlotList.model_validate(data).model_dump(mode="json", by_alias=True) == data
    assert data["count"] == 1 and data["slots"][0]["end"] == "2026-07-01T10:00:00+01:00"
    assert shapes.slot(SLOT).model_dump(mode="json") == data["slots"][0]
