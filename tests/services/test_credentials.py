"""Verified credentials are remembered for a moment: no lookup per request in a burst, revocations in
this process felt on the next request, revocations elsewhere within the window, expiry always."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, update

from frontdesk.composition import Frontdesk
from frontdesk.services.credentials import CredentialCache
from frontdesk.storage import models as m
from frontdesk.storage import revocations
from tests.conftest import Clock
from tests.factories import Scenario

RESOURCE = "http://127.0.0.1:8000/mcp"


@pytest.fixture(autouse=True)
def later(clock: Clock) -> None:
    """Tokens here are issued a month after the fixture clock's day: test_oauth_purge, on the shared
    database, counts every token expired by its own clock."""
    clock.advance(days=30)


@contextmanager
def statements(app: Frontdesk) -> Iterator[list[str]]:
    """The SQL the read engine runs inside the block."""
    seen: list[str] = []

    def log(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        seen.append(sql)

    target = app.db.engine.sync_engine
    event.listen(target, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", log)


async def test_a_verified_key_is_not_looked_up_again_until_it_is_revoked(
    app: Frontdesk, scenario: Scenario
) -> None:
    app.practices.verified.seconds = 60
    key = await app.practices.create_key(scenario.slug, "burst")
    first = await app.practices.verify_key(key.secret)
    assert first is not None and first.practice_id == scenario.practice_id
    with statements(app) as sql:
        again = await app.practices.verify_key(key.secret)
    assert again == first and sql == [], "a second verification within the window reads nothing"

    await app.practices.revoke_key(scenario.slug, key.info.id)
    with statements(app) as sql:
        assert await app.practices.verify_key(key.secret) is None
    assert sql, "the revocation emptied the cache: the key was looked up and refused"


async def test_every_in_process_revocation_path_is_felt_on_the_next_request(
    app: Frontdesk, scenario: Scenario
) -> None:
    app.oauth.verified.seconds = 60
    key = await app.practices.create_key(scenario.slug, "tokens")

    async def token() -> str:
        issued = await app.oauth.client_credentials(key.info.prefix, key.secret, None, RESOURCE)
        assert await app.oauth.verify_access(issued.access_token) is not None  # now cached
        return issued.access_token

    # RFC 7009 revocation of the family.
    first = await token()
    info = await app.oauth.verify_access(first)
    assert info is not None
    await app.oauth.revoke(scenario.practice_id, info.grant_id, "test")
    assert await app.oauth.verify_access(first) is None
    # Revoking the key ends the tokens issued to it.
    second = await token()
    await app.practices.revoke_key(scenario.slug, key.info.id)
    assert await app.oauth.verify_access(second) is None


async def test_a_token_is_never_served_past_its_expiry(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    app.oauth.verified.seconds = 3600 * 24
    key = await app.practices.create_key(scenario.slug, "expiry")
    issued = await app.oauth.client_credentials(key.info.prefix, key.secret, None, RESOURCE)
    assert await app.oauth.verify_access(issued.access_token) is not None
    clock.advance(hours=1, seconds=1)
    assert await app.oauth.verify_access(issued.access_token) is None


async def test_a_revocation_by_another_process_takes_effect_within_the_window(
    app: Frontdesk, scenario: Scenario
) -> None:
    """Another process (the CLI, a second server) revokes by writing the row; this process's count does
    not move, so the cached answer stands until the window ends, and not a moment longer."""
    app.practices.verified.seconds = 0.2
    key = await app.practices.create_key(scenario.slug, "elsewhere")
    assert await app.practices.verify_key(key.secret) is not None
    before = revocations.count()
    async with app.db.write() as s:  # as another process would: no revocation mark, no count
        q = update(m.ApiKey).where(m.ApiKey.practice_id == scenario.practice_id, m.ApiKey.id == key.info.id)
        await s.execute(q.values(revoked_at=app.clock()))
    assert revocations.count() == before
    assert await app.practices.verify_key(key.secret) is not None, "still within the window"
    await asyncio.sleep(0.25)
    assert await app.practices.verify_key(key.secret) is None


def test_an_answer_read_while_a_revocation_committed_is_not_kept(clock: Clock) -> None:
    cache: CredentialCache[str] = CredentialCache(clock, seconds=60)
    stamp = cache.stamp()
    revocations._count += 1  # a revocation commits while the lookup is under way
    cache.put("digest", "principal", stamp)
    assert cache.get("digest") is None
    cache.put("digest", "principal", cache.stamp())
    assert cache.get("digest") == "principal"
    revocations._count += 1
    assert cache.get("digest") is None, "a later revocation drops what was kept"


def test_a_window_of_zero_keeps_nothing(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_CREDENTIAL_CACHE_MS", "0")
    cache: CredentialCache[str] = CredentialCache(clock)
    assert cache.seconds == 0
    cache.put("digest", "principal", cache.stamp())
    assert cache.get("digest") is None
