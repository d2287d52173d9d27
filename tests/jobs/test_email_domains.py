"""The practice's own sending domain (issue 14) on SQLite and PostgreSQL, against a real DNS server on
127.0.0.1 (tests/jobs/dns_server.py) and a real SMTP server (aiosmtpd): register makes a DKIM key and
the records to publish; verify finds them (VERIFIED), finds a wrong key (FAILED) or nothing (PENDING);
mail from the verified domain is DKIM-signed and dkimpy verifies the signature against the same DNS."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from typing import Any

import dkim
import pytest
from mcp import Client
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.domain.errors import Forbidden, Invalid, NotFound, Unavailable
from frontdesk.mcp.server import build_server
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.messaging.domains import DomainState
from frontdesk.services.messaging.domains_dns import DnsSettings
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.jobs.conftest import _free_port, client_with_email, smtp_server
from tests.jobs.dns_server import DnsServer, Zone


class RawInbox:
    """Every message as the bytes the server received (a signature covers exactly those)."""

    def __init__(self) -> None:
        self.raw: list[tuple[str, bytes]] = []  # (envelope sender, data)

    async def handle_DATA(self, _server: object, _session: object, envelope: Any) -> str:
        self.raw.append((str(envelope.mail_from), bytes(envelope.original_content or envelope.content)))
        return "250 OK"


@pytest.fixture
def zone() -> Iterator[tuple[Zone, DnsServer]]:
    z = Zone()
    with DnsServer(z) as server:
        yield z, server


@pytest.fixture
def raw_inbox() -> Iterator[tuple[RawInbox, SmtpSettings]]:
    box = RawInbox()
    with smtp_server(box) as settings:
        yield box, settings


@pytest.fixture
async def domain_app(
    db_url: str, clock: Clock, raw_inbox: tuple[RawInbox, SmtpSettings], zone: tuple[Zone, DnsServer]
) -> AsyncIterator[Frontdesk]:
    dns = DnsSettings(("127.0.0.1", zone[1].port), timeout=2.0)
    fd = Frontdesk(Database(db_url), clock=clock, settings=Settings(), smtp=raw_inbox[1], dns=dns)
    yield fd
    await fd.close()


def publish(z: Zone, d: DomainState, **instead: str) -> None:
    """The records register returned, as the practice would publish them (or `instead` for some)."""
    for r in d.records:
        z.publish(r.name, instead.get(r.purpose, r.value))


def statuses(d: DomainState) -> dict[str, str]:
    return {r.purpose: r.status for r in d.records}


async def test_register_then_verify_pending_failed_verified(
    domain_app: Frontdesk, zone: tuple[Zone, DnsServer]
) -> None:
    z, _ = zone
    sc = await build_scenario(domain_app)
    p = sc.principal
    assert await domain_app.email_domains.get(p) is None
    d = await domain_app.email_domains.register(p, "Clinic-Example.test.", "Citas")
    assert (d.domain, d.status, d.sender) == ("clinic-example.test", "PENDING", "citas@clinic-example.test")
    by = {r.purpose: r for r in d.records}
    assert by["dkim"].name == f"{d.selector}._domainkey.clinic-example.test"
    assert by["dkim"].value.startswith("v=DKIM1; k=rsa; p=MII") and len(by["dkim"].value) > 255
    assert by["spf"].name == "clinic-example.test" and by["spf"].value == "v=spf1 mx ~all"
    assert by["dmarc"].name == "_dmarc.clinic-example.test" and by["dmarc"].value.startswith("v=DMARC1;")
    assert d.selector.startswith("frontdesk2026")

    # Nothing published yet: PENDING, each record.
    nothing = await domain_app.email_domains.verify(p)
    assert nothing.status == "PENDING" and set(statuses(nothing).values()) == {"PENDING"}

    # Another key at the DKIM name: FAILED, and the record says what the DNS served.
    other = await domain_app.email_domains.register(p, "other.test", consent=Consent.GIVEN)
    wrong_key = next(r.value for r in other.records if r.purpose == "dkim")
    d = await domain_app.email_domains.register(p, "clinic-example.test", "citas", consent=Consent.GIVEN)
    publish(z, d, dkim=wrong_key)
    failed = await domain_app.email_domains.verify(p)
    assert failed.status == "FAILED"
    assert statuses(failed) == {"dkim": "FAILED", "spf": "VERIFIED", "dmarc": "VERIFIED"}
    assert next(r for r in failed.records if r.purpose == "dkim").found == (wrong_key,)

    z.clear()
    publish(z, d)
    verified = await domain_app.email_domains.verify(p)
    assert verified.status == "VERIFIED" and set(statuses(verified).values()) == {"VERIFIED"}
    assert verified.verified_at is not None and verified.checked_at is not None
    assert (await domain_app.email_domains.get(p)) == verified  # kept

    # The private key is stored and never handed back (nor written to the audit trail).
    async with domain_app.db.read() as s:
        q = select(m.EmailDomain).where(m.EmailDomain.practice_id == p.practice_id)
        row = (await s.execute(q)).scalar_one()
    assert row.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert "PRIVATE" not in repr(verified)
    trail = await domain_app.audit.entries(p)
    assert {"email_domain.register", "email_domain.verify", "email_domain.read"} <= {e.action for e in trail}
    assert not any("PRIVATE" in (e.detail or "") for e in trail)


async def test_mail_from_a_verified_domain_is_dkim_signed(
    domain_app: Frontdesk, zone: tuple[Zone, DnsServer], raw_inbox: tuple[RawInbox, SmtpSettings]
) -> None:
    z, server = zone
    box, _ = raw_inbox
    sc, address = await client_with_email(domain_app)
    p = sc.principal
    d = await domain_app.email_domains.register(p, "clínica.test", "citas")
    assert d.domain == "xn--clnica-4va.test" and d.unicode_domain == "clínica.test"

    async def send(subject: str) -> bytes:
        await domain_app.messaging.send(
            p, sc.juan, text="Hola {nombre}", subject=subject, consent=Consent.GIVEN
        )
        await domain_app.worker().drain()
        return box.raw[-1][1]

    unsigned = await send("before")  # PENDING: from the server's address, unsigned
    assert b"DKIM-Signature" not in unsigned and b"From: Clinic <clinic@example.com>" in unsigned

    publish(z, d)
    assert (await domain_app.email_domains.verify(p)).status == "VERIFIED"
    signed = await send("after")
    sender, _ = box.raw[-1]
    msg = email.message_from_bytes(signed, policy=email.policy.default)
    assert msg["From"] == "Test Practice <citas@xn--clnica-4va.test>" and msg["To"] == address
    assert sender == "citas@xn--clnica-4va.test"  # the envelope sender too (SPF is the domain's)
    sig = dkim.parse_tag_value(msg["DKIM-Signature"].encode())
    assert sig[b"d"] == b"xn--clnica-4va.test" and sig[b"s"] == d.selector.encode()
    assert b"from" in [h.strip() for h in sig[b"h"].lower().split(b":")]
    before = z.questions
    assert dkim.verify(signed, dnsfunc=server.dnsfunc())  # the key looked up in the same DNS
    assert z.questions > before
    assert not dkim.verify(signed.replace(b"Hola", b"Adios"), dnsfunc=server.dnsfunc())  # tampered

    # Another practice's message in the same worker run goes from the server's address, unsigned.
    other, _ = await client_with_email(domain_app)
    await domain_app.messaging.send(other.principal, other.juan, text="x", subject="b", consent=Consent.GIVEN)
    await domain_app.messaging.send(p, sc.juan, text="y", subject="a", consent=Consent.GIVEN)
    await domain_app.worker().drain()
    by_subject = {email.message_from_bytes(raw)["Subject"]: raw for _, raw in box.raw[-2:]}
    assert b"DKIM-Signature" not in by_subject["b"] and b"clinic@example.com" in by_subject["b"]
    assert dkim.verify(by_subject["a"], dnsfunc=server.dnsfunc())

    # Deleted: the next message goes from the server's address again, unsigned.
    await domain_app.email_domains.delete(p, consent=Consent.GIVEN)
    again = await send("deleted")
    assert b"DKIM-Signature" not in again and b"clinic@example.com" in again


@pytest.mark.parametrize(
    "name", ["", "clinic", "bad domain.test", "a@b.test", "-x.test", "1.2.3.4", "x" * 64 + ".test", "a..b"]
)
async def test_a_domain_name_is_checked(app: Frontdesk, scenario: Scenario, name: str) -> None:
    with pytest.raises(Invalid) as err:
        await app.email_domains.register(scenario.principal, name)
    assert err.value.field == "domain"


async def test_a_mailbox_is_checked(app: Frontdesk, scenario: Scenario) -> None:
    with pytest.raises(Invalid) as err:
        await app.email_domains.register(scenario.principal, "clinic.test", "a b")
    assert err.value.field == "mailbox"


async def test_admins_register_and_delete_others_read_and_verify(
    domain_app: Frontdesk, zone: tuple[Zone, DnsServer]
) -> None:
    sc = await build_scenario(domain_app)
    desk = Principal(sc.practice_id, "user:desk", scopes=access.ROLE_SCOPES[access.Role.FRONT_DESK])
    with pytest.raises(Forbidden):
        await domain_app.email_domains.register(desk, "clinic.test")
    await domain_app.email_domains.register(sc.principal, "clinic.test")
    assert (await domain_app.email_domains.get(desk)) is not None
    assert (await domain_app.email_domains.verify(desk)).status == "PENDING"
    with pytest.raises(Forbidden):
        await domain_app.email_domains.delete(desk, consent=Consent.GIVEN)
    # Replacing asks first; deleting too.
    with pytest.raises(Invalid) as err:
        await domain_app.email_domains.register(sc.principal, "other.test")
    assert err.value.field == "confirm"
    with pytest.raises(Invalid):
        await domain_app.email_domains.delete(sc.principal)
    # Another practice sees none of it.
    other = await build_scenario(domain_app)
    assert await domain_app.email_domains.get(other.principal) is None
    with pytest.raises(NotFound):
        await domain_app.email_domains.verify(other.principal)
    assert await domain_app.email_domains.delete(sc.principal, consent=Consent.GIVEN) == "clinic.test"
    assert await domain_app.email_domains.get(sc.principal) is None
    with pytest.raises(NotFound):
        await domain_app.email_domains.delete(sc.principal, consent=Consent.GIVEN)


async def test_a_dns_server_that_does_not_answer_changes_nothing(db_url: str, clock: Clock) -> None:
    silent = DnsSettings(("127.0.0.1", _free_port()), timeout=0.5)  # nothing listens there
    fd = Frontdesk(Database(db_url), clock=clock, settings=Settings(), dns=silent)
    try:
        sc = await build_scenario(fd)
        await fd.email_domains.register(sc.principal, "clinic.test")
        with pytest.raises(Unavailable):
            await fd.email_domains.verify(sc.principal)
        got = await fd.email_domains.get(sc.principal)
        assert got is not None and got.checked_at is None
    finally:
        await fd.close()


async def call(client: Client, tool: str, args: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert result.is_error is error, (tool, result.content[0].text if result.content else result)
    assert result.structured_content is not None
    return result.structured_content


async def test_the_tools_on_coordinalo_and_mcp(domain_app: Frontdesk, zone: tuple[Zone, DnsServer]) -> None:
    z, _ = zone
    sc = await build_scenario(domain_app)
    async with Client(build_server(domain_app, surface="coordinalo", default_principal=sc.principal)) as c:
        assert (await call(c, "email_domain_get", {}))["emailDomain"] is None
        got = await call(c, "email_domain_register", {"domain": "clinic.test", "mailbox": "citas"})
        dom = got["emailDomain"]
        assert dom["status"] == "PENDING" and dom["fromAddress"] == "citas@clinic.test"
        assert [r["purpose"] for r in dom["records"]] == ["dkim", "spf", "dmarc"]
        for r in dom["records"]:
            z.publish(r["name"], r["value"])
        assert (await call(c, "email_domain_verify", {}))["emailDomain"]["status"] == "VERIFIED"
        bad = await call(c, "email_domain_register", {"domain": "not a domain"}, error=True)
        assert bad["error"]["field"] == "domain"
        unconfirmed = await call(c, "email_domain_register", {"domain": "other.test"}, error=True)
        assert unconfirmed["error"]["field"] == "confirm"
        refused = await call(c, "email_domain_delete", {}, error=True)
        assert refused["error"]["field"] == "confirm"
        gone = await call(c, "email_domain_delete", {"confirm": True})
        assert gone == {"emailDomain": None, "removed": "clinic.test"}
    async with Client(build_server(domain_app, surface="frontdesk", default_principal=sc.principal)) as c:
        args = {"action": "register", "domain": "clinic.test", "idempotency_key": "dom-1"}
        made = await call(c, "manage_email_domain", args)
        assert made["action"] == "register" and made["emailDomain"]["fromAddress"] == "clinic@clinic.test"
        assert await call(c, "manage_email_domain", args) == made  # a retry: the same key, not a new one
        checked = await call(c, "manage_email_domain", {"action": "verify"})
        assert checked["emailDomain"]["status"] == "FAILED"  # the earlier key is still published
        need = await call(c, "manage_email_domain", {"action": "register"}, error=True)
        assert need["error"]["field"] == "domain"
        extra = await call(c, "manage_email_domain", {"action": "verify", "domain": "x.test"}, error=True)
        assert extra["error"]["field"] == "domain"
        done = await call(c, "manage_email_domain", {"action": "delete", "confirm": True})
        assert done["removed"] == "clinic.test"
