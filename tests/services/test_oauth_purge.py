"""Expired OAuth credentials are purged; live ones, and everything else, are left alone."""

from __future__ import annotations

from sqlalchemy import func, select

from frontdesk.composition import Frontdesk
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario

RESOURCE = "http://127.0.0.1:8000/mcp"


async def _count(app: Frontdesk, model: type[m.Base]) -> int:
    async with app.db.read() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_expired_tokens_and_grants_are_purged_live_ones_kept(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    key = await app.practices.create_key(scenario.slug, "nightly")
    old = await app.oauth.client_credentials(key.info.prefix, key.secret, None, RESOURCE)
    assert await app.oauth.verify_access(old.access_token) is not None
    assert await app.oauth.purge_expired() == 0, "nothing has expired yet"
    clock.advance(hours=1, seconds=1)  # the access token (and its client-credentials grant) expired...
    assert await app.oauth.verify_access(old.access_token) is None
    assert await app.oauth.purge_expired() == 0, "...but within a day's grace nothing goes"
    clock.advance(days=1)
    fresh = await app.oauth.client_credentials(key.info.prefix, key.secret, None, RESOURCE)
    grants, tokens = await _count(app, m.OAuthGrant), await _count(app, m.OAuthToken)
    assert await app.oauth.purge_expired() == 2, "the old token and its grant"
    assert (await _count(app, m.OAuthGrant), await _count(app, m.OAuthToken)) == (grants - 1, tokens - 1)
    assert await app.oauth.verify_access(fresh.access_token) is not None
    assert await app.oauth.purge_expired() == 0
    checked, broken = await app.audit.verify(scenario.practice_id)
    assert checked > 0 and broken is None, "the audit trail of those grants stays whole"
