"""Code formats, status machines, demographics and file rules: pure and fast."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.domain.clinical import codes, files, labs
from frontdesk.domain.clinical import patients as rules
from frontdesk.domain.clinical.status import (
    ENCOUNTER_TRANSITIONS,
    MEDICATION_TRANSITIONS,
    RECALL_TRANSITIONS,
    EncounterStatus,
    MedicationStatus,
    RecallStatus,
    check,
    parse,
)
from frontdesk.domain.errors import Conflict, Invalid


@pytest.mark.parametrize(
    ("raw", "code"), [("e119", "E11.9"), (" E11.9 ", "E11.9"), ("s52521a", "S52.521A"), ("I10", "I10")]
)
def test_icd10_format_normalises(raw: str, code: str) -> None:
    assert codes.icd10_format(raw) == code


@pytest.mark.parametrize("raw", ["", "11.9", "E1", "E11.99999", "EE1.9", "E11-9"])
def test_icd10_format_refuses(raw: str) -> None:
    with pytest.raises(Invalid) as exc:
        codes.icd10_format(raw)
    assert exc.value.field == "code"


def test_loinc_check_digit() -> None:
    assert codes.luhn_digit("2345") == 7
    assert codes.loinc("2345-7") == "2345-7"
    assert codes.loinc("718-7") == "718-7"
    assert codes.loinc("4548-4") == "4548-4"
    with pytest.raises(Invalid, match="check digit"):
        codes.loinc("2345-8")
    with pytest.raises(Invalid, match="LOINC"):
        codes.loinc("glucose")


def test_lab_flags() -> None:
    assert labs.flag(5.0, 3.5, 5.1, None) == "N"
    assert labs.flag(6.0, 3.5, 5.1, None) == "H"
    assert labs.flag(3.0, 3.5, None, None) == "L"
    assert labs.flag(None, 1, 2, None) is None
    assert labs.flag(1.0, None, None, "a") == "A"
    with pytest.raises(Invalid):
        labs.flag(1.0, None, None, "X")
    with pytest.raises(Invalid):
        labs.flag(1.0, 5, 2, None)
    assert labs.numeric("5,4") == 5.4 and labs.numeric("<0.5") is None


def test_status_machines() -> None:
    check(ENCOUNTER_TRANSITIONS, EncounterStatus.DRAFT, EncounterStatus.SIGNED, "encounter")
    with pytest.raises(Conflict):
        check(ENCOUNTER_TRANSITIONS, EncounterStatus.SIGNED, EncounterStatus.DRAFT, "encounter")
    check(RECALL_TRANSITIONS, RecallStatus.OPEN, RecallStatus.SCHEDULED, "recall")
    with pytest.raises(Conflict):
        check(RECALL_TRANSITIONS, RecallStatus.DONE, RecallStatus.CANCELLED, "recall")
    with pytest.raises(Conflict):
        check(
            MEDICATION_TRANSITIONS, MedicationStatus.ENTERED_IN_ERROR, MedicationStatus.ACTIVE, "medication"
        )
    assert parse(MedicationStatus, "On Hold") == MedicationStatus.ON_HOLD
    with pytest.raises(Invalid, match="status must be one of"):
        parse(MedicationStatus, "paused")


def test_demographic_rules() -> None:
    assert rules.sex("F") == rules.Sex.FEMALE and rules.sex("") is None
    with pytest.raises(Invalid):
        rules.sex("x")
    assert rules.digits("+1 (555) 010-0100") == "15550100100"
    assert rules.postal_code(" ab1 2cd ") == "AB1 2CD"
    assert rules.language("pt-BR") == "pt-BR"
    with pytest.raises(Invalid):
        rules.language("Portuguese (Brazil)")
    today = date(2026, 3, 2)
    with pytest.raises(Invalid):
        rules.birth_date(date(2027, 1, 1), today)
    assert rules.age(date(1980, 3, 3), today) == 45 and rules.age(date(1980, 3, 2), today) == 46
    earliest, latest = rules.birth_range(30, 40, today)
    assert latest == date(1996, 3, 2) and earliest == date(1985, 3, 3)
    with pytest.raises(Invalid):
        rules.birth_range(50, 40, today)


def test_file_rules() -> None:
    files.check_size(10, 100)
    with pytest.raises(Invalid, match="limit"):
        files.check_size(101, 100)
    with pytest.raises(Invalid, match="empty"):
        files.check_size(0, 100)
    assert files.check_type("application/pdf") == "application/pdf"
    with pytest.raises(Invalid, match="PNG, JPEG, PDF"):
        files.check_type("application/zip")
    assert files.looks_like_text(b"hello\nworld\t!") and not files.looks_like_text(b"\x00\x01bin")
    assert files.safe_name("../../etc/passwd") == "passwd"
    with pytest.raises(Invalid):
        files.safe_name("..")
