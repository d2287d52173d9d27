"""The practice's own sending domain: the DNS records it publishes (DKIM, SPF, DMARC) and how what the
DNS answers is judged. Pure: the key is made and the DNS asked by the services.

A record is VERIFIED when the DNS serves what we asked for, PENDING when nothing is there yet (not
published, or not propagated), FAILED when something is there but it is wrong (another DKIM key, an SPF
record without this server, two SPF records). The domain is VERIFIED when all three are, FAILED when
any is, PENDING otherwise."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

PENDING, VERIFIED, FAILED = "PENDING", "VERIFIED", "FAILED"
STATUSES = (PENDING, VERIFIED, FAILED)
DKIM, SPF, DMARC = "dkim", "spf", "dmarc"

# Without FRONTDESK_SPF_INCLUDE the server's sending address is unknown: the suggestion authorises the
# domain's own mail servers and any SPF record the practice already has is accepted.
DEFAULT_SPF = "v=spf1 mx ~all"
# Monitoring first: receivers report but do not reject; the practice tightens it once reports are clean.
DEFAULT_DMARC = "v=DMARC1; p=none; adkim=r; aspf=r"
_MECHANISMS = ("include:", "ip4:", "ip6:", "a:", "mx:", "exists:", "a", "mx")


@dataclass(frozen=True, slots=True)
class DnsRecord:
    purpose: str  # dkim, spf, dmarc
    name: str  # the full name to publish it at
    value: str
    type: str = "TXT"


def dkim_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}"


def dkim_value(public_key_b64: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_key_b64}"


def spf_value(include: str | None) -> str:
    """The SPF record to publish: the server's sending hosts or addresses (FRONTDESK_SPF_INCLUDE, space
    separated: `include:_spf.host`, `ip4:203.0.113.5`, a bare address or host name) then `~all`."""
    terms = [_mechanism(t) for t in (include or "").split()]
    return f"v=spf1 {' '.join(terms)} ~all" if terms else DEFAULT_SPF


def _mechanism(term: str) -> str:
    low = term.lower()
    if low.startswith(_MECHANISMS):
        return low
    try:
        return f"ip{ipaddress.ip_address(low).version}:{low}"
    except ValueError:
        pass
    try:
        net = ipaddress.ip_network(low, strict=False)
        return f"ip{net.version}:{net.with_prefixlen}"
    except ValueError:
        return f"a:{low}"  # a host name: its addresses may send


def records(domain: str, selector: str, public_key_b64: str, spf: str, dmarc: str) -> tuple[DnsRecord, ...]:
    return (
        DnsRecord(DKIM, dkim_name(selector, domain), dkim_value(public_key_b64)),
        DnsRecord(SPF, domain, spf),
        DnsRecord(DMARC, f"_dmarc.{domain}", dmarc),
    )


def _tags(text: str) -> dict[str, str]:
    """A tag=value; list (DKIM, DMARC), tag names lower-cased, whitespace inside values removed."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            out[name.strip().lower()] = "".join(value.split())
    return out


def _spf_terms(text: str) -> set[str]:
    return {t.lower() for t in text.split()[1:] if not t.lower().lstrip("+-~?").startswith("all")}


def check(record: DnsRecord, found: Iterable[str] | None) -> str:
    """How the TXT strings `found` at `record.name` (None: no such name) measure up to `record`."""
    texts = [t.strip() for t in (found or ()) if t.strip()]
    if record.purpose == DKIM:
        if not texts:
            return PENDING
        want = _tags(record.value)["p"]
        keys = [_tags(t) for t in texts]
        ok = any(k.get("p") == want and k.get("v", "DKIM1") == "DKIM1" for k in keys)
        return VERIFIED if ok else FAILED
    prefix = "v=spf1" if record.purpose == SPF else "v=dmarc1"
    mine = [t for t in texts if t.lower().split(";")[0].split()[0] == prefix] if texts else []
    if not mine:
        # Other TXT records at the domain itself are common (site verifications): SPF is not there yet.
        return PENDING if record.purpose == SPF or not texts else FAILED
    if len(mine) > 1:
        return FAILED  # two SPF (or DMARC) records: receivers treat it as an error
    if record.purpose == SPF:
        needed = set() if record.value == DEFAULT_SPF else _spf_terms(record.value)
        return VERIFIED if needed <= _spf_terms(mine[0]) else FAILED
    return VERIFIED if _tags(mine[0]).get("p") in ("none", "quarantine", "reject") else FAILED


def overall(statuses: Iterable[str]) -> str:
    seen = list(statuses)
    if FAILED in seen:
        return FAILED
    if seen and all(s == VERIFIED for s in seen):
        return VERIFIED
    return PENDING


def advice(record: DnsRecord, status: str) -> str:
    """One sentence for the person about this record in this state."""
    if status == VERIFIED:
        return "published as asked"
    if status == PENDING:
        return f"not found yet: publish this TXT record at {record.name} (DNS changes can take hours)"
    if record.purpose == DKIM:
        return f"{record.name} serves another key: replace it with this value"
    if record.purpose == SPF:
        return (
            "the domain's SPF record must be one record and name this server: add the mechanisms of "
            "this value to it"
        )
    return f"{record.name} must hold one record starting v=DMARC1 with a policy p="
