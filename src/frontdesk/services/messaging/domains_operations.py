"""The sending-domain tools (issue 14): Coordinalo's email_domain_get, email_domain_register,
email_domain_verify and email_domain_delete (its binding camelCases nothing: the fields are one word),
and /mcp's manage_email_domain grouping them. The seed's "via Resend" does not apply: this server makes
the DKIM key itself and asks the DNS itself; no third-party email service is involved."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.messaging.domains import READ as READERS
from frontdesk.services.messaging.domains import DomainState
from frontdesk.services.operations import (
    CREATE,
    MANAGE,
    READ,
    UPDATE,
    Action,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    Result,
    Runner,
)

Status = Literal["PENDING", "VERIFIED", "FAILED"]
Domain = Annotated[
    str,
    Field(min_length=1, max_length=253, description="The domain mail is sent from, such as clinic.example"),
]
Mailbox = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=64,
        description="The part before @ of the From address (default: the server's own, else no-reply)",
    ),
]


class DnsRecordOut(BaseModel):
    purpose: Literal["dkim", "spf", "dmarc"]
    type: str = Field(description="TXT")
    name: str = Field(description="The full name to publish the record at")
    value: str = Field(description="The record's value (a DKIM value over 255 characters is several strings)")
    status: Status
    found: list[str] = Field(description="What the DNS served at name at the last verification")
    advice: str


class EmailDomainOut(BaseModel):
    domain: str = Field(description="The domain as DNS has it (IDNA)")
    unicodeDomain: str
    status: Status = Field(description="VERIFIED: mail is sent from it, DKIM-signed")
    fromAddress: str
    selector: str = Field(description="The DKIM selector")
    records: list[DnsRecordOut]
    createdAt: datetime
    checkedAt: datetime | None
    verifiedAt: datetime | None


class EmailDomainResult(BaseModel):
    emailDomain: EmailDomainOut | None = Field(description="null when the practice has none")
    removed: str | None = Field(default=None, description="(delete) the domain removed")


def _view(d: DomainState) -> EmailDomainOut:
    records = [
        DnsRecordOut(
            purpose=r.purpose,  # type: ignore[arg-type]
            type=r.type,
            name=r.name,
            value=r.value,
            status=r.status,  # type: ignore[arg-type]
            found=list(r.found),
            advice=r.advice,
        )
        for r in d.records
    ]
    return EmailDomainOut(
        domain=d.domain,
        unicodeDomain=d.unicode_domain,
        status=d.status,  # type: ignore[arg-type]
        fromAddress=d.sender,
        selector=d.selector,
        records=records,
        createdAt=d.created_at,
        checkedAt=d.checked_at,
        verifiedAt=d.verified_at,
    )


def _result(d: DomainState | None) -> Result:
    if d is None:
        return Result(EmailDomainResult(emailDomain=None), "No sending domain: mail goes from the server's")
    lines = [f"{d.domain}: {d.status} (From {d.sender})"]
    lines += [f"- {r.purpose.upper()} TXT {r.name} = {r.value} [{r.status}: {r.advice}]" for r in d.records]
    return Result(EmailDomainResult(emailDomain=_view(d)), "\n".join(lines))


class NoIn(Input):
    pass


class RegisterIn(Input):
    domain: Domain
    mailbox: Mailbox = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


class DeleteIn(Input):
    confirm: ConfirmFlag = None


async def _get(call: Call[Any]) -> Result:
    return _result(await call.app.email_domains.get(call.p))


async def _register(call: Call[Any]) -> Result:
    a = call.args
    done = await call.app.email_domains.register(
        call.p, a.domain, a.mailbox, consent=call.consent, idem=call.idem
    )
    return _result(done)


async def _verify(call: Call[Any]) -> Result:
    return _result(await call.app.email_domains.verify(call.p))


async def _delete(call: Call[Any]) -> Result:
    gone = await call.app.email_domains.delete(call.p, consent=call.consent)
    return Result(EmailDomainResult(emailDomain=None, removed=gone), f"Removed the sending domain {gone}")


async def _ask_register(call: Call[Any]) -> str | None:
    current = await call.app.email_domains.current(call.p)
    if current is None:
        return None
    return f"Replace the sending domain {current} with {call.args.domain}? Its DNS records stop working."


async def _ask_delete(call: Call[Any]) -> str | None:
    current = await call.app.email_domains.current(call.p)
    if current is None:
        return None
    return f"Remove the sending domain {current}? Mail goes from the server's own address again."


EMAIL_DOMAIN_GET = Operation(
    name="email_domain_get",
    title="Get Email Domain",
    description="The practice's own email sending domain and its verification status (PENDING, "
    "VERIFIED, FAILED) with the DNS records to publish and what the last check found; null when none "
    "is configured. Self-hosted: no third-party email service; register one with email_domain_register.",
    scopes=READERS,
    hints=READ,
    input=NoIn,
    output=EmailDomainResult,
    run=_get,
)

EMAIL_DOMAIN_REGISTER = Operation(
    name="email_domain_register",
    title="Register Email Domain",
    description="Owners and admins: set the practice's own sending domain (IDNA names accepted). This "
    "server makes a DKIM key (RSA 2048, kept here, never shown) and returns the DNS TXT records to "
    "publish at the domain's DNS provider: DKIM, SPF and DMARC. No third-party email service is used. "
    "Replaces any earlier domain (requires confirm: true then). After publishing them, call "
    "email_domain_verify.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=RegisterIn,
    output=EmailDomainResult,
    run=_register,
    ask=_ask_register,
)

EMAIL_DOMAIN_VERIFY = Operation(
    name="email_domain_verify",
    title="Verify Email Domain",
    description="Look the domain's DKIM, SPF and DMARC records up in the DNS (this server asks it "
    "directly) and return the status: VERIFIED (mail is sent from the domain, DKIM-signed), PENDING "
    "(not found yet: DNS changes can take hours) or FAILED (found but wrong; each record says why).",
    scopes=READERS,
    hints=UPDATE,
    input=NoIn,
    output=EmailDomainResult,
    run=_verify,
)

EMAIL_DOMAIN_DELETE = Operation(
    name="email_domain_delete",
    title="Delete Email Domain",
    description="Owners and admins: remove the practice's sending domain and its DKIM key from this "
    "server (nothing outside it is touched); mail goes from the server's own address again. "
    "Requires confirm: true.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=DeleteIn,
    output=EmailDomainResult,
    run=_delete,
    ask=_ask_delete,
)


class ManageIn(Input):
    action: Literal["get", "register", "verify", "delete"]
    domain: Annotated[str | None, Field(min_length=1, max_length=253, description="(register)")] = None
    mailbox: Mailbox = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


class ManageOut(EmailDomainResult):
    action: str


def _wrapped(run: Runner) -> Runner:
    async def wrapped(call: Call[Any]) -> Result:
        done = await run(call)
        return Result(ManageOut(action=str(call.args.action), **done.json()), done.text)

    return wrapped


MANAGE_EMAIL_DOMAIN = Operation(
    name="manage_email_domain",
    title="The practice's sending domain",
    description="The practice's own email sending domain (self-hosted: this server makes the DKIM key "
    "and asks the DNS itself): get it, register one (admins; returns the DKIM, SPF and DMARC TXT "
    "records to publish; replaces an earlier one), verify it (PENDING, VERIFIED: mail goes from it "
    "DKIM-signed, FAILED), delete it (admins).",
    scopes=READERS,
    hints=MANAGE,
    input=ManageIn,
    output=ManageOut,
    actions={
        "get": Action("the domain and its records, or null", _wrapped(_get)),
        "register": Action(
            "make the key and records (admins)",
            _wrapped(_register),
            ("domain",),
            ("mailbox",),
            ask=_ask_register,
        ),
        "verify": Action("look the records up in the DNS", _wrapped(_verify)),
        "delete": Action("remove the domain and its key (admins)", _wrapped(_delete), ask=_ask_delete),
    },
)

COORDINALO_OPERATIONS = (EMAIL_DOMAIN_GET, EMAIL_DOMAIN_REGISTER, EMAIL_DOMAIN_VERIFY, EMAIL_DOMAIN_DELETE)
