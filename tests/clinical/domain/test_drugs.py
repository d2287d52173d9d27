"""The prescribing check against the shipped drug-class catalog: pure and fast."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from frontdesk.domain.clinical.drugs import (
    AllergyFact,
    DrugCatalog,
    MedicationFact,
    check_prescription,
    tokens,
)


@pytest.fixture(scope="module")
def catalog() -> DrugCatalog:
    return DrugCatalog.from_dict(
        json.loads(files("frontdesk.data").joinpath("drug_classes.json").read_text())
    )


def kinds(alerts: list) -> list[str]:  # type: ignore[type-arg]
    return [a.kind for a in alerts]


def test_tokens_fold_accents_and_punctuation() -> None:
    assert tokens("Amoxicillin/Clavulanate 875 mg") == ("amoxicillin", "clavulanate", "875", "mg")
    assert tokens("Céfalexine") == ("cefalexine",)


def test_penicillin_allergy_refuses_amoxicillin(catalog: DrugCatalog) -> None:
    alerts = check_prescription(catalog, "Amoxicillin 500 mg capsule", [AllergyFact(1, "Penicillin")], [])
    assert kinds(alerts) == ["allergy_class"]
    assert alerts[0].drug_class == "penicillins" and alerts[0].record_id == 1 and alerts[0].risk == "high"
    assert "amoxicillin" in alerts[0].reason and "penicillins" in alerts[0].reason


def test_brand_and_combination_names(catalog: DrugCatalog) -> None:
    assert kinds(check_prescription(catalog, "Augmentin 875", [AllergyFact(1, "penicillin")], [])) == [
        "allergy_class"
    ]
    assert kinds(check_prescription(catalog, "Bactrim DS", [AllergyFact(2, "sulfa")], [])) == [
        "allergy_class"
    ]
    same = check_prescription(catalog, "amoxicillin", [AllergyFact(3, "Amoxil")], [])
    assert kinds(same) == ["allergy"]


def test_cross_sensitivity_is_flagged_with_its_risk(catalog: DrugCatalog) -> None:
    alerts = check_prescription(catalog, "Cephalexin 500 mg", [AllergyFact(1, "penicillin")], [])
    assert kinds(alerts) == ["cross_sensitivity"] and alerts[0].risk == "low"
    assert "cephalosporins" in alerts[0].reason and "penicillins" in alerts[0].reason
    carbapenem = check_prescription(catalog, "meropenem", [AllergyFact(1, "amoxicillin")], [])
    assert kinds(carbapenem) == ["cross_sensitivity"]


def test_opioid_classes(catalog: DrugCatalog) -> None:
    # Same structural class: a class alert; another class: low-risk cross-sensitivity only.
    assert kinds(check_prescription(catalog, "codeine", [AllergyFact(1, "morphine")], [])) == [
        "allergy_class"
    ]
    assert kinds(check_prescription(catalog, "fentanyl patch", [AllergyFact(1, "morphine")], [])) == [
        "cross_sensitivity"
    ]
    # An allergy recorded by the umbrella name covers every member.
    assert kinds(check_prescription(catalog, "methadone", [AllergyFact(1, "opioids")], [])) == [
        "allergy_class"
    ]


def test_no_alert_for_unrelated_drugs(catalog: DrugCatalog) -> None:
    assert check_prescription(catalog, "azithromycin", [AllergyFact(1, "penicillin")], []) == []
    # Sulfonamide non-antibiotics are deliberately not in the sulfa class (see the data README).
    assert check_prescription(catalog, "furosemide", [AllergyFact(1, "sulfa")], []) == []
    assert check_prescription(catalog, "unknownazole", [AllergyFact(1, "penicillin")], []) == []


def test_duplicate_therapy_and_same_drug(catalog: DrugCatalog) -> None:
    two_statins = check_prescription(catalog, "simvastatin 20 mg", [], [MedicationFact(7, "Lipitor 40 mg")])
    assert kinds(two_statins) == ["duplicate_therapy"] and two_statins[0].record_id == 7
    again = check_prescription(catalog, "atorvastatin", [], [MedicationFact(7, "atorvastatin 40 mg")])
    assert kinds(again) == ["duplicate_drug"]
    dual_ras = check_prescription(catalog, "losartan", [], [MedicationFact(8, "lisinopril 10 mg")])
    assert kinds(dual_ras) == ["duplicate_therapy"]
    unknown_twice = check_prescription(catalog, "Fish oil", [], [MedicationFact(9, "fish oil")])
    assert kinds(unknown_twice) == ["duplicate_drug"]
    # Aromatic anticonvulsants are combined on purpose: no duplicate-therapy alert.
    assert check_prescription(catalog, "lamotrigine", [], [MedicationFact(9, "carbamazepine")]) == []


def test_several_alerts_are_all_reported_once(catalog: DrugCatalog) -> None:
    alerts = check_prescription(
        catalog,
        "amoxicillin",
        [AllergyFact(1, "penicillin"), AllergyFact(2, "penicillins")],
        [MedicationFact(3, "ampicillin")],
    )
    assert sorted((a.kind, a.record_id) for a in alerts) == [
        ("allergy_class", 1),
        ("allergy_class", 2),
        ("duplicate_therapy", 3),
    ]


def test_catalog_refuses_a_malformed_file() -> None:
    with pytest.raises(ValueError, match="two known classes"):
        DrugCatalog.from_dict(
            {
                "version": "x",
                "classes": {"a": {"name": "A", "members": {"x": []}}},
                "cross_sensitivity": [{"classes": ["a", "b"], "risk": "low", "note": ""}],
            }
        )
    with pytest.raises(ValueError, match="no members"):
        DrugCatalog.from_dict({"version": "x", "classes": {"a": {"name": "A", "members": {}}}})
    with pytest.raises(ValueError, match="risk"):
        DrugCatalog.from_dict(
            {
                "version": "x",
                "classes": {
                    "a": {"name": "A", "members": {"x": []}},
                    "b": {"name": "B", "members": {"y": []}},
                },
                "cross_sensitivity": [{"classes": ["a", "b"], "risk": "maybe", "note": ""}],
            }
        )


def test_shipped_catalog_is_consistent(catalog: DrugCatalog) -> None:
    assert len(catalog.classes) >= 20
    assert all(c.members for c in catalog.classes.values())
    assert catalog.cross_between("penicillins", "cephalosporins") is not None
