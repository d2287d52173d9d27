"""The practice's own sending domain (issue 14): register it (a DKIM key pair made here and the DNS
records to publish: DKIM, SPF, DMARC), verify it (the records looked up in the DNS), delete it. Mail
from a VERIFIED domain goes out From mailbox@domain, DKIM-signed (domains_signing.py). Self-hosted: no
third-party email service is involved; the keys never leave this server's database.

The private key is stored in the database (PKCS#1 PEM, the form dkimpy reads) and never handed back by
any call, nor written to the audit trail or a log. It is not encrypted there: the project has no
secret-encryption helper nor a server-wide secret to encrypt with (the TOTP secrets are stored the same
way), so a database dump holds it; the domain's owner revokes it by deleting the DKIM record."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime

import idna
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain import email_domains as rules
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.services import audit
from frontdesk.services.audit import on_failure
from frontdesk.services.consent import Consent, require
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.messaging.domains_dns import TxtLookup
from frontdesk.services.usecase import UseCases
from frontdesk.storage.models import EmailDomain
from frontdesk.storage.repositories import email_domains as repo

READ = (access.APPOINTMENTS_READ, access.ADMIN)  # who reads the practice's settings
KEY_BITS = 2048
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAILBOX = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9])?$")
DEFAULT_MAILBOX = "no-reply"


@dataclass(frozen=True, slots=True)
class RecordState:
    purpose: str
    type: str
    name: str
    value: str
    status: str
    found: tuple[str, ...]
    advice: str


@dataclass(frozen=True, slots=True)
class DomainState:
    domain: str
    unicode_domain: str
    status: str
    sender: str
    selector: str
    records: tuple[RecordState, ...]
    created_at: datetime
    checked_at: datetime | None
    verified_at: datetime | None


def normalise_domain(name: str) -> str:
    """`name` (Unicode or ASCII) as DNS has it (IDNA 2008, UTS 46 mapping), or Invalid naming the rule."""
    text = name.strip().rstrip(".")
    if not text or any(c.isspace() for c in text) or any(c in text for c in "@/:\\"):
        raise Invalid("domain must be a domain name alone, such as clinic.example", field="domain")
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise Invalid(f"domain is not a valid domain name ({exc})", field="domain") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(_LABEL.match(x) for x in labels):
        raise Invalid("domain must be a full domain name such as clinic.example", field="domain")
    if labels[-1].isdigit():
        raise Invalid("domain must be a name, not an IP address", field="domain")
    return ascii_name


def check_mailbox(mailbox: str | None, default: str | None) -> str:
    box = (mailbox or default or DEFAULT_MAILBOX).strip()
    if not _MAILBOX.match(box) or ".." in box:
        raise Invalid(
            "mailbox must be the part before @ (letters, digits, . _ + -), such as citas", field="mailbox"
        )
    return box.lower()


def _key_pair() -> tuple[str, str]:
    """(private key PEM, public key base64 DER): RSA 2048, the size DKIM receivers expect."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # PKCS#1: the form dkimpy reads
        serialization.NoEncryption(),
    )
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii"), base64.b64encode(der).decode("ascii")


def expected(row: EmailDomain) -> tuple[rules.DnsRecord, ...]:
    return rules.records(row.domain, row.selector, row.public_key, row.spf, row.dmarc)


def state(row: EmailDomain, practice_name: str = "") -> DomainState:
    checks = json.loads(row.checks) if row.checks else {}
    records = []
    for r in expected(row):
        seen = checks.get(r.purpose, {})
        status = str(seen.get("status", rules.PENDING))
        found = tuple(str(x)[:1000] for x in seen.get("found", ()))[:5]
        records.append(
            RecordState(r.purpose, r.type, r.name, r.value, status, found, rules.advice(r, status))
        )
    return DomainState(
        domain=row.domain,
        unicode_domain=idna.decode(row.domain),
        status=row.status,
        sender=f"{row.mailbox}@{row.domain}",
        selector=row.selector,
        records=tuple(records),
        created_at=row.created_at,
        checked_at=row.checked_at,
        verified_at=row.verified_at,
    )


class EmailDomainService:
    def __init__(
        self, uc: UseCases, lookup: TxtLookup, *, spf_include: str | None, default_mailbox: str | None
    ) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)
        self.lookup = lookup
        self.spf_include = spf_include  # FRONTDESK_SPF_INCLUDE: the server's sending hosts
        self.default_mailbox = default_mailbox  # the local part of FRONTDESK_MAIL_FROM

    async def get(self, p: Principal) -> DomainState | None:
        async def body(s: AsyncSession, now: datetime) -> DomainState | None:
            row = await repo.get(s, p.practice_id)
            await audit.record(s, p, now, "email_domain.read", "email_domain", row.id if row else None)
            return state(row) if row else None

        return await self.uc.read(p, "email_domain.read", "email_domain", None, body)

    async def current(self, p: Principal) -> str | None:
        """The domain configured now (for the question before replacing it), unaudited."""
        async with self.uc.db.read() as s:
            row = await repo.get(s, p.practice_id)
            return row.domain if row else None

    async def register(
        self,
        p: Principal,
        domain: str,
        mailbox: str | None = None,
        *,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> DomainState:
        """Make a key pair and the records to publish for `domain`, replacing any earlier domain (the
        person agrees to that first: its records stop working)."""
        name = normalise_domain(domain)
        box = check_mailbox(mailbox, self.default_mailbox)
        async with on_failure(self.uc.trail, p, "email_domain.register", "email_domain", name):
            p.require(access.ADMIN)  # before the key is made: a refused caller costs no CPU
        private, public = await asyncio.to_thread(_key_pair)

        async def body(s: AsyncSession, now: datetime) -> DomainState:
            earlier = await repo.get(s, p.practice_id)
            if earlier is not None:
                require(consent, f"replacing the sending domain {earlier.domain}")
            row = await repo.replace(
                s,
                p.practice_id,
                domain=name,
                mailbox=box,
                selector="frontdesk" + now.strftime("%Y%m%d%H%M%S"),
                status=rules.PENDING,
                public_key=public,
                private_key=private,
                spf=rules.spf_value(self.spf_include),
                dmarc=rules.DEFAULT_DMARC,
                created_at=now,
            )
            await audit.record(s, p, now, "email_domain.register", "email_domain", row.id, detail=name)
            return state(row)

        return await self.uc.write(p, "email_domain.register", "email_domain", name, body, DomainState, idem)

    async def verify(self, p: Principal) -> DomainState:
        """Look the records up in the DNS and keep what was found. Anyone who may read the domain may
        verify it (it changes only the observed status); the lookups run outside any transaction."""

        async def load(s: AsyncSession, now: datetime) -> EmailDomain:
            row = await repo.get(s, p.practice_id)
            if row is None:
                raise NotFound("this practice has no sending domain: register one first")
            return row

        row = await self.uc.read(p, "email_domain.verify", "email_domain", None, load)
        records = expected(row)
        found = await asyncio.gather(*(self.lookup.txt(r.name) for r in records))
        statuses = [rules.check(r, f) for r, f in zip(records, found, strict=True)]
        status = rules.overall(statuses)
        checks = {
            r.purpose: {"status": st, "found": [x[:1000] for x in (f or [])][:5]}
            for r, st, f in zip(records, statuses, found, strict=True)
        }

        async def store(s: AsyncSession, now: datetime) -> DomainState:
            current = await repo.get(s, p.practice_id)
            if current is None or current.id != row.id:
                raise NotFound("the sending domain was replaced or removed meanwhile: verify again")
            await repo.record_check(s, current, status=status, checks=json.dumps(checks), now=now)
            await audit.record(s, p, now, "email_domain.verify", "email_domain", row.id, detail=status)
            return state(current)

        return await self.uc.run(store)

    async def delete(self, p: Principal, *, consent: Consent = Consent.MISSING) -> str:
        """Remove the domain and its key: mail goes out from the server's own address again."""
        if await self.current(p) is None:  # said before asking the person to agree to nothing
            async with on_failure(self.uc.trail, p, "email_domain.delete", "email_domain", None):
                p.require(access.ADMIN)
                raise NotFound("this practice has no sending domain")

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await repo.get(s, p.practice_id)
            if row is None:
                raise NotFound("this practice has no sending domain")
            await repo.remove(s, p.practice_id)
            await audit.record(s, p, now, "email_domain.delete", "email_domain", row.id, detail=row.domain)
            return row.domain

        return await self.uc.write(
            p,
            "email_domain.delete",
            "email_domain",
            None,
            body,
            str,
            destroys="removing the practice's sending domain and its DKIM key",
            consent=consent,
        )
