"""The production shape: two `frontdesk serve` processes against one PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, fresh_postgres_database, http_client, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    with fresh_postgres_database() as url:
        a_dir: Path = tmp_path_factory.mktemp("proc-a")
        b_dir: Path = tmp_path_factory.mktemp("proc-b")
        with running_server("postgres", a_dir, url) as a, running_server("postgres", b_dir, url) as b:
            yield a, b


def next_weekday(weekday: int) -> date:
    d = date.today() + timedelta(days=15)  # beyond the demo's booked fortnight
    while d.weekday() != weekday:
        d += timedelta(days=1)
    return d


async def garcia(client: object) -> int:
    doctors = (await client.call_tool("list_doctors", {})).structured_content["doctors"]  # type: ignore[attr-defined]
    return next(d["id"] for d in doctors if d["name"] == "Dr. Ana Garcia")


async def test_a_booking_through_one_process_is_seen_and_protected_through_the_other(
    pair: tuple[Server, Server],
) -> None:
    a, b = pair
    day = next_weekday(2).isoformat()
    async with http_client(a, "auto") as ca, http_client(b, "auto") as cb:
        doctor = await garcia(ca)
        args = {
            "datebook_name": "Downtown Dental",
            "doctor_id": doctor,
            "patient_name": "Nora Quinn",
            "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T10:30",
        }
        booked = await ca.call_tool("create_appointment", args)
        assert not booked.is_error, booked.content[0].text
        seen = await cb.call_tool(
            "list_appointments", {"datebook_name": "Downtown Dental", "start": day, "end": f"{day}T23:59"}
        )
        ids = [x["id"] for x in seen.structured_content["appointments"]]
        assert booked.structured_content["id"] in ids
        clash = await cb.call_tool("create_appointment", args | {"patient_name": "Otto Reyes"})
        assert clash.is_error and clash.structured_content["error"]["code"] == "conflict"


async def test_racing_both_processes_for_one_slot_books_once(pair: tuple[Server, Server]) -> None:
    a, b = pair
    day = next_weekday(3).isoformat()
    async with http_client(a, "auto") as ca:
        doctor = await garcia(ca)
    args = {
        "datebook_name": "Downtown Dental",
        "doctor_id": doctor,
        "patient_name": "Ivy Lam",
        "starts_at": f"{day}T11:00",
        "ends_at": f"{day}T11:30",
    }

    async def attempt(server: Server) -> bool:
        async with http_client(server, "auto") as c:
            r = await c.call_tool("create_appointment", args)
            return not r.is_error

    results = await asyncio.gather(*(attempt(a if i % 2 else b) for i in range(12)))
    assert results.count(True) == 1


async def test_idempotent_replay_across_processes_books_once(pair: tuple[Server, Server]) -> None:
    a, b = pair
    day = next_weekday(4).isoformat()
    async with http_client(a, "auto") as ca, http_client(b, "auto") as cb:
        doctor = await garcia(ca)
        args = {
            "datebook_name": "Downtown Dental",
            "doctor_id": doctor,
            "patient_name": "Ada Park",
            "starts_at": f"{day}T14:00",
            "idempotency_key": "retry-after-timeout-1",
        }
        # Both processes use the demo's keys; the key is scoped to the credential, so use one key.
        first = await ca.call_tool("create_appointment", args)
    async with http_client(b, "auto", key=a.key) as cb_same_key:
        second = await cb_same_key.call_tool("create_appointment", args)
    assert not first.is_error and not second.is_error
    assert second.structured_content["id"] == first.structured_content["id"]
    async with http_client(b, "auto") as cb:
        listed = await cb.call_tool(
            "list_appointments", {"datebook_name": "Downtown Dental", "start": day, "end": f"{day}T23:59"}
        )
    mine = [x for x in listed.structured_content["appointments"] if x["patient_name"] == "Ada Park"]
    assert len(mine) == 1


def test_workers_are_separate_processes_sharing_the_port(tmp_path: Path) -> None:
    """`serve --workers 2`: two worker processes, each with its own socket on the one port, and a
    SIGTERM to the parent stops them all."""
    import re
    import subprocess
    import time

    import httpx2

    from tests.e2e.conftest import FRONTDESK, _stop, cli_env, free_port

    port = free_port()
    env = cli_env(tmp_path)
    out = (tmp_path / "out").open("wb")
    proc = subprocess.Popen(
        [FRONTDESK, "serve", "--demo", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.2)
        children = subprocess.run(
            ["ps", "--ppid", str(proc.pid), "-o", "args="], capture_output=True, text=True, check=False
        ).stdout
        assert len(re.findall(r"multiprocessing\.spawn", children)) == 2, children
        statuses = {httpx2.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code for _ in range(20)}
        assert statuses == {200}
    finally:
        _stop(proc)
        out.close()
    assert proc.returncode == 0
    time.sleep(0.5)
    left = subprocess.run(
        ["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True, text=True
    ).stdout
    assert left.strip() == ""
