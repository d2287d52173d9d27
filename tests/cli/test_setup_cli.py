"""`frontdesk setup ...` and `frontdesk import ... [--dry-run]` as a clinic runs them, on a real
database file: a dry run reports every bad row and writes nothing; a real run is all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.test_audit_cli import run

PROVIDERS_BAD = """Name,Specialty,Email,Phone,Commission Percent,Coverage Areas
Dra. Ana Lima,Dentist,ana@example.com,+55 11 5555 0100,40,Centro;Sul
Dr. Bruno Reis,Orthodontist,not-an-email,+55 11 5555 0101,140,
,Hygienist,,,,
Dra. Ana Lima,Dentist,,,,
"""
PROVIDERS_GOOD = """name;specialty;email;commission_percent;coverage_areas
Dra. Ana Lima;Dentist;ana@example.com;40;Centro
Dr. Bruno Reis;Orthodontist;bruno@example.com;35;Sul
"""
SERVICES = """name,duration_minutes,price,currency,category,providers
Limpeza,30,95.50,BRL,Hygiene,Dra. Ana Lima
Aparelho,45,300,BRL,Ortho,Dr. Bruno Reis;Dra. Ana Lima
"""
PATIENTS = """first_name,last_name,phone,email,date_of_birth
Joana,Prado,+55 11 5555 0200,joana@example.com,1990-04-01
Caio,Mendes,12,,1990-13-01
"""


def count(data: Path, table: str) -> int:
    with sqlite3.connect(data / "frontdesk.db") as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_import_dry_run_then_real_run(tmp_path: Path) -> None:
    assert (
        run(
            tmp_path,
            "practices",
            "create",
            "--slug",
            "sorriso",
            "--name",
            "Sorriso",
            "--timezone",
            "America/Sao_Paulo",
        ).returncode
        == 0
    )
    bad = tmp_path / "providers_bad.csv"
    bad.write_text(PROVIDERS_BAD, encoding="utf-8")
    checked = run(tmp_path, "import", "providers", str(bad), "--practice", "sorriso", "--dry-run")
    assert checked.returncode == 1
    problems = [line for line in checked.stderr.splitlines() if line.startswith(str(bad))]
    assert {(p.split(":")[1], p.split(":")[2].strip()) for p in problems} == {
        ("3", "email"),
        ("3", "commission_percent"),
        ("4", "name"),
        ("5", "name"),
    }, checked.stderr
    real_bad = run(tmp_path, "import", "providers", str(bad), "--practice", "sorriso")
    assert real_bad.returncode == 1 and "nothing imported" in real_bad.stderr
    assert count(tmp_path, "providers") == 0  # all or nothing

    good = tmp_path / "providers.csv"
    good.write_text(PROVIDERS_GOOD, encoding="utf-8")
    dry = run(tmp_path, "import", "providers", str(good), "--practice", "sorriso", "--dry-run")
    assert dry.returncode == 0 and "nothing written" in dry.stdout
    assert count(tmp_path, "providers") == 0
    done = run(tmp_path, "import", "providers", str(good), "--practice", "sorriso")
    assert done.returncode == 0 and "imported 2 providers" in done.stdout
    assert count(tmp_path, "providers") == 2

    services = tmp_path / "services.csv"
    services.write_text(SERVICES, encoding="utf-8")
    assert run(tmp_path, "import", "services", str(services), "--practice", "sorriso").returncode == 0
    with sqlite3.connect(tmp_path / "frontdesk.db") as db:
        rows = db.execute("SELECT name, price_cents, currency FROM services ORDER BY name").fetchall()
        assert rows == [("Aparelho", 30000, "BRL"), ("Limpeza", 9550, "BRL")]
        assert db.execute("SELECT count(*) FROM service_providers").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM service_prices").fetchone()[0] == 2

    patients = tmp_path / "patients.csv"
    patients.write_text(PATIENTS, encoding="utf-8")
    wrong = run(tmp_path, "import", "patients", str(patients), "--practice", "sorriso")
    assert wrong.returncode == 1
    assert f"{patients}:3: phone:" in wrong.stderr and f"{patients}:3: date_of_birth:" in wrong.stderr
    assert count(tmp_path, "patients") == 0
    with sqlite3.connect(tmp_path / "frontdesk.db") as db:
        actions = [r[0] for r in db.execute("SELECT action FROM audit_events")]
    assert actions.count("provider.create") == 2 and "import.providers" in actions


def test_setup_commands_make_a_practice_bookable(tmp_path: Path) -> None:
    assert (
        run(
            tmp_path,
            "practices",
            "create",
            "--slug",
            "kine",
            "--name",
            "Kine",
            "--timezone",
            "America/Santiago",
        ).returncode
        == 0
    )
    before = run(tmp_path, "setup", "summary", "--practice", "kine")
    assert before.returncode == 0 and "NOT ready to book" in before.stdout
    loc = run(
        tmp_path,
        "setup",
        "location",
        "--practice",
        "kine",
        "--name",
        "Providencia",
        "--timezone",
        "America/Santiago",
    )
    assert loc.returncode == 0 and "location 1" in loc.stdout
    bad_zone = run(
        tmp_path, "setup", "location", "--practice", "kine", "--name", "X", "--timezone", "Chile/Nowhere"
    )
    assert bad_zone.returncode == 2 and "timezone" in bad_zone.stderr
    prov = run(
        tmp_path,
        "setup",
        "provider",
        "--practice",
        "kine",
        "--name",
        "Paula Rojas",
        "--specialty",
        "Kine",
        "--area",
        "Ñuñoa",
    )
    assert prov.returncode == 0
    svc = run(
        tmp_path,
        "setup",
        "service",
        "--practice",
        "kine",
        "--name",
        "Sesión",
        "--minutes",
        "45",
        "--price-cents",
        "2500000",
        "--currency",
        "CLP",
    )
    assert svc.returncode == 0 and "providers 1" in svc.stdout  # the only provider
    hours = run(
        tmp_path, "setup", "hours", "--practice", "kine", "--provider", "1",
        "--day", "monday=09:00-13:00,14:00-18:00", "--day", "friday=09:00-13:00",
    )  # fmt: skip
    assert hours.returncode == 0 and "mon 09:00-13:00" in hours.stdout
    holiday = run(
        tmp_path, "setup", "closure", "--practice", "kine", "--day", "2026-09-18", "--last-day", "2026-09-19"
    )
    assert holiday.returncode == 0 and "2 day(s)" in holiday.stdout
    after = run(tmp_path, "setup", "summary", "--practice", "kine")
    assert "ready to book" in after.stdout and "NOT" not in after.stdout
