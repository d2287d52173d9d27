"""managePatientVitals (conversion, BMI, trends, templates) and managePatientLabs."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from tests.clinical.conftest import Connect, err, ok
from tests.factories import Scenario


def values(reading: dict) -> dict[str, tuple[float, str]]:  # type: ignore[type-arg]
    return {m["kind"]: (m["value"], m["unit"]) for m in reading["measurements"]}


async def test_units_bmi_and_trends(connect: Connect, scenario: Scenario, app: Frontdesk) -> None:
    pid = scenario.juan
    async with connect() as c:
        first = ok(
            await c.call_tool(
                "managePatientVitals",
                {
                    "action": "add",
                    "patient_id": pid,
                    "measured_at": "2026-01-10T09:00",
                    "systolic": 142,
                    "diastolic": 91,
                    "pulse": 80,
                    "temperature": 98.6,
                    "temperature_unit": "F",
                    "respiratory_rate": 14,
                    "spo2": 97,
                    "weight": 200,
                    "weight_unit": "lb",
                    "height": 70,
                    "height_unit": "in",
                },
            )
        )["readings"][0]
        v = values(first)
        assert (
            v["temperature"] == (37.0, "C") and v["weight"] == (90.7, "kg") and v["height"] == (177.8, "cm")
        )
        assert v["bmi"] == (28.7, "kg/m2")
        assert first["measured_at"] == "2026-01-10T09:00:00-05:00"
        stored = {m["kind"]: m["stored_value"] for m in first["measurements"]}
        assert stored["weight"] == 90.7
        # Weight alone: BMI uses the latest height on file; answer in US units.
        second = ok(
            await c.call_tool(
                "managePatientVitals",
                {
                    "action": "add",
                    "patient_id": pid,
                    "measured_at": "2026-02-10T09:00",
                    "weight": 85,
                    "systolic": 128,
                    "diastolic": 84,
                    "units": "us",
                },
            )
        )["readings"][0]
        v2 = values(second)
        assert v2["weight"] == (187.4, "lb") and v2["bmi"] == (26.9, "kg/m2")
        listed = ok(await c.call_tool("managePatientVitals", {"action": "list", "patient_id": pid}))
        assert [r["id"] for r in listed["readings"]] == [second["id"], first["id"]]
        trends = {t["kind"]: t for t in listed["trends"]}
        assert trends["weight"]["direction"] == "falling" and trends["weight"]["change"] == -5.7
        assert trends["systolic"]["latest"] == 128 and trends["systolic"]["previous"] == 142
        assert trends["pulse"]["direction"] == "single"
        assert [p["value"] for p in trends["weight"]["points"]] == [90.7, 85.0]
        us = ok(
            await c.call_tool("managePatientVitals", {"action": "list", "patient_id": pid, "units": "us"})
        )
        assert {t["kind"]: t["unit"] for t in us["trends"]}["temperature"] == "F"
        ok(
            await c.call_tool(
                "managePatientVitals", {"action": "remove", "vitals_id": second["id"], "confirm": True}
            )
        )
        after = ok(await c.call_tool("managePatientVitals", {"action": "list", "patient_id": pid}))
        assert [r["id"] for r in after["readings"]] == [first["id"]]
        err(
            await c.call_tool(
                "managePatientVitals", {"action": "remove", "vitals_id": second["id"], "confirm": True}
            ),
            "conflict",
        )


async def test_bad_vitals_are_refused_naming_the_field(connect: Connect, scenario: Scenario) -> None:
    pid = scenario.juan
    async with connect() as c:
        cases = [
            ({"temperature": 98.6, "temperature_unit": "C"}, "temperature"),
            ({"systolic": 120}, "diastolic"),
            ({"systolic": 80, "diastolic": 120}, "diastolic"),
            ({"spo2": 120}, "spo2"),
            ({"weight": 0}, "weight"),
            ({}, "systolic"),
            ({"pulse": 70, "measured_at": "2026-04-01T10:00"}, "measured_at"),
        ]
        for extra, field in cases:
            r = await c.call_tool("managePatientVitals", {"action": "add", "patient_id": pid, **extra})
            err(r, "invalid", field)
        schema = await c.call_tool(
            "managePatientVitals", {"action": "add", "patient_id": pid, "weight": 70, "weight_unit": "stone"}
        )
        assert schema.is_error and "weight_unit" in schema.content[0].text
        assert (
            ok(await c.call_tool("managePatientVitals", {"action": "list", "patient_id": pid}))["count"] == 0
        )


async def test_templates(connect: Connect, scenario: Scenario) -> None:
    async with connect() as c:
        builtin = ok(await c.call_tool("managePatientVitals", {"action": "templates"}))
        assert {"adult-metric", "adult-us", "bp-check"} <= {t["key"] for t in builtin["templates"]}
        refused = await c.call_tool(
            "managePatientVitals",
            {"action": "define_template", "template_name": "Peds", "template_kinds": ["weight", "height"]},
        )
        err(refused, "forbidden")
        us = ok(
            await c.call_tool(
                "managePatientVitals",
                {
                    "action": "add",
                    "patient_id": scenario.maria,
                    "template": "adult-us",
                    "weight": 150,
                    "height": 65,
                },
            )
        )["readings"][0]
        assert values(us)["weight"] == (150.0, "lb")  # read and shown in the template's units
        off = await c.call_tool(
            "managePatientVitals",
            {"action": "add", "patient_id": scenario.maria, "template": "bp-check", "weight": 60},
        )
        err(off, "invalid", "weight")
        err(
            await c.call_tool(
                "managePatientVitals",
                {"action": "add", "patient_id": scenario.maria, "template": "nope", "pulse": 60},
            ),
            "not_found",
            "template",
        )
    async with connect("admin") as c:
        made = ok(
            await c.call_tool(
                "managePatientVitals",
                {
                    "action": "define_template",
                    "template_name": "Pediatric",
                    "template_kinds": ["weight", "height", "temperature"],
                    "units": "us",
                },
            )
        )["templates"][0]
        assert made["key"] == f"practice-{made['id']}" and made["builtin"] is False
        dup = await c.call_tool(
            "managePatientVitals",
            {"action": "define_template", "template_name": "pediatric", "template_kinds": ["weight"]},
        )
        err(dup, "conflict", "template_name")
        info = ok(await c.call_tool("getPracticeInfo", {}))
        assert "Pediatric" in [t["name"] for t in info["vital_templates"]]
        kid = ok(
            await c.call_tool(
                "managePatientVitals",
                {"action": "add", "patient_id": scenario.juan, "template": "Pediatric", "temperature": 100.4},
            )
        )["readings"][0]
        assert kid["template_id"] == made["id"] and values(kid)["temperature"] == (100.4, "F")


async def test_labs(connect: Connect, scenario: Scenario) -> None:
    pid = scenario.juan
    async with connect() as c:
        glucose = ok(
            await c.call_tool(
                "managePatientLabs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "loinc_code": "2345-7",
                    "test_name": "Glucose",
                    "value": "182",
                    "unit": "mg/dL",
                    "reference_low": 70,
                    "reference_high": 99,
                    "collected_at": "2026-02-20T08:00",
                    "report": "Fasting sample. Comment: repeat in 3 months.",
                    "ordered_by_id": scenario.garcia,
                },
            )
        )["labs"][0]
        assert (
            glucose["abnormal_flag"] == "H"
            and glucose["abnormal"] is True
            and glucose["value_numeric"] == 182
        )
        hb = ok(
            await c.call_tool(
                "managePatientLabs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "loinc_code": "718-7",
                    "test_name": "Hemoglobin",
                    "value": "14.1",
                    "unit": "g/dL",
                    "reference_low": 13.5,
                    "reference_high": 17.5,
                },
            )
        )["labs"][0]
        assert hb["abnormal_flag"] == "N"
        strep = ok(
            await c.call_tool(
                "managePatientLabs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "loinc_code": "6557-3",
                    "test_name": "Strep A antigen",
                    "value": "positive",
                    "reference_text": "negative",
                    "abnormal_flag": "A",
                    "status": "preliminary",
                },
            )
        )["labs"][0]
        assert strep["value_numeric"] is None and strep["status"] == "preliminary"
        listed = ok(await c.call_tool("managePatientLabs", {"action": "list", "patient_id": pid}))
        assert listed["count"] == 3 and all(x["report"] is None for x in listed["labs"])
        abnormal = ok(
            await c.call_tool(
                "managePatientLabs", {"action": "list", "patient_id": pid, "abnormal_only": True}
            )
        )
        assert sorted(x["id"] for x in abnormal["labs"]) == sorted([glucose["id"], strep["id"]])
        by_code = ok(
            await c.call_tool(
                "managePatientLabs", {"action": "list", "patient_id": pid, "loinc_code": "718-7"}
            )
        )
        assert [x["id"] for x in by_code["labs"]] == [hb["id"]]
        full = ok(await c.call_tool("managePatientLabs", {"action": "get", "lab_id": glucose["id"]}))["labs"][
            0
        ]
        assert full["report"].startswith("Fasting sample")
        fixed = ok(
            await c.call_tool(
                "managePatientLabs", {"action": "update", "lab_id": glucose["id"], "value": "92"}
            )
        )["labs"][0]
        assert fixed["status"] == "corrected" and fixed["abnormal_flag"] == "N"
        ok(await c.call_tool("managePatientLabs", {"action": "remove", "lab_id": hb["id"], "confirm": True}))
        assert ok(await c.call_tool("managePatientLabs", {"action": "list", "patient_id": pid}))["count"] == 2
        bad = await c.call_tool(
            "managePatientLabs",
            {
                "action": "add",
                "patient_id": pid,
                "loinc_code": "2345-8",
                "test_name": "Glucose",
                "value": "90",
            },
        )
        assert "check digit" in err(bad, "invalid", "loinc_code")["message"]
        inverted = await c.call_tool(
            "managePatientLabs",
            {
                "action": "add",
                "patient_id": pid,
                "loinc_code": "2345-7",
                "test_name": "Glucose",
                "value": "90",
                "reference_low": 99,
                "reference_high": 70,
            },
        )
        err(inverted, "invalid", "reference_low")


async def test_a_reading_is_corrected_with_update(
    connect: Connect, scenario: Scenario, app: Frontdesk
) -> None:
    pid = scenario.juan
    async with connect() as c:
        first = ok(
            await c.call_tool(
                "managePatientVitals",
                {
                    "action": "add",
                    "patient_id": pid,
                    "measured_at": "2026-01-10T09:00",
                    "weight": 90,
                    "height": 180,
                    "systolic": 130,
                    "diastolic": 85,
                },
            )
        )["readings"][0]
        assert values(first)["bmi"] == (27.8, "kg/m2")
        # Weight was typed in pounds by mistake: corrected in lb, BMI follows; other values stay.
        fixed = ok(
            await c.call_tool(
                "managePatientVitals",
                {
                    "action": "update",
                    "vitals_id": first["id"],
                    "weight": 176,
                    "weight_unit": "lb",
                    "comments": "re-weighed",
                },
            )
        )["readings"][0]
        v = values(fixed)
        assert (
            v["weight"] == (79.8, "kg") and v["bmi"] == (24.6, "kg/m2") and v["systolic"] == (130.0, "mmHg")
        )
        assert fixed["id"] == first["id"] and fixed["measured_at"] == first["measured_at"]
        listed = ok(await c.call_tool("managePatientVitals", {"action": "list", "patient_id": pid}))
        assert [values(r)["weight"] for r in listed["readings"]] == [(79.8, "kg")]
        # Refusals name the field and change nothing.
        err(
            await c.call_tool(
                "managePatientVitals", {"action": "update", "vitals_id": first["id"], "diastolic": 140}
            ),
            "invalid",
            "diastolic",
        )
        err(
            await c.call_tool("managePatientVitals", {"action": "update", "vitals_id": first["id"]}),
            "invalid",
            "vitals_id",
        )
        err(
            await c.call_tool(
                "managePatientVitals",
                {"action": "update", "vitals_id": first["id"], "measured_at": "2099-01-01T09:00"},
            ),
            "invalid",
            "measured_at",
        )
        err(
            await c.call_tool(
                "managePatientVitals", {"action": "update", "vitals_id": first["id"], "patient_id": pid}
            ),
            "invalid",
            "patient_id",
        )
        again = ok(await c.call_tool("managePatientVitals", {"action": "list", "patient_id": pid}))
        assert values(again["readings"][0]) == v
        ok(
            await c.call_tool(
                "managePatientVitals", {"action": "remove", "vitals_id": first["id"], "confirm": True}
            )
        )
        err(
            await c.call_tool(
                "managePatientVitals", {"action": "update", "vitals_id": first["id"], "pulse": 70}
            ),
            "conflict",
        )
        err(
            await c.call_tool("managePatientVitals", {"action": "update", "vitals_id": 999999, "pulse": 70}),
            "not_found",
        )
