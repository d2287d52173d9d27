"""Campaign operations: the Coordinalo seed's comms_list_campaigns, comms_get_campaign,
comms_create_email_campaign and comms_send_campaign (its binding camelCases the top-level fields), and
/mcp's manage_campaigns grouping the same calls. The ad-hoc filters object has camelCase fields on
every surface, as the reminder sections do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain import campaigns as rules
from frontdesk.services.messaging.campaigns import CampaignInfo, DeliveryLog, Draft, Filters
from frontdesk.services.operations import (
    CREATE,
    MANAGE,
    MULTILINE,
    READ,
    Action,
    Call,
    ConfirmFlag,
    Id,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
    Runner,
)

READS = (access.PATIENTS_READ, access.ADMIN)
VARIABLES = "{nombre}, {apellido}, {nombre_completo}, {email}, {telefono}, {organizacion}"
Status = Literal[rules.STATES]  # type: ignore[valid-type]
Audience = Literal[rules.AUDIENCES]  # type: ignore[valid-type]


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t is not None else None


class AdhocFilters(BaseModel):
    model_config = {"extra": "forbid"}
    lastVisitAfter: date | None = Field(None, description="The last visit on or after this day")
    lastVisitBefore: date | None = Field(None, description="The last visit before this day")
    neverVisited: bool | None = Field(None, description="true: no visit ever; false: at least one")
    createdAfter: date | None = Field(None, description="Added on or after this day")
    createdBefore: date | None = Field(None, description="Added before this day")
    hasPhone: bool | None = None
    includeInactive: bool | None = Field(None, description="Also clients whose record is marked inactive")


class ProgressOut(BaseModel):
    total: int
    queued: int
    sent: int
    failed: int
    skipped: int = Field(description="Opted out of the channel")
    unconfirmed: int = Field(description="A worker stopped mid-send: check the mail log")


class LogOut(BaseModel):
    clientId: int
    clientName: str
    channel: str
    recipient: str
    status: str = Field(description="queued, sent, failed, skipped or unconfirmed")
    dueAt: str
    sentAt: str | None
    error: str | None


class CampaignOut(BaseModel):
    id: int
    name: str
    channel: str
    subject: str
    status: str = Field(description="draft, scheduled, sending, sent or cancelled")
    audienceType: str
    audienceId: str | None
    filters: dict[str, Any]
    recipientCount: int = Field(description="Clients with an email address it reaches (fixed on sending)")
    createdAt: str
    startedAt: str | None
    finishedAt: str | None
    progress: ProgressOut
    htmlBody: str | None = None
    withoutEmail: int | None = None
    lastDueAt: str | None = None
    logs: list[LogOut] | None = None
    logsTruncated: bool | None = None


def _log(x: DeliveryLog) -> LogOut:
    return LogOut(
        clientId=x.client_id,
        clientName=x.client_name,
        channel=x.channel,
        recipient=x.recipient,
        status=x.status,
        dueAt=x.due_at.isoformat(timespec="seconds"),
        sentAt=_iso(x.sent_at),
        error=x.error,
    )


def campaign_out(c: CampaignInfo) -> CampaignOut:
    g = c.progress
    return CampaignOut(
        id=c.id,
        name=c.name,
        channel=c.channel,
        subject=c.subject,
        status=c.status,
        audienceType=c.audience_type,
        audienceId=c.audience_id,
        filters={camel(k): v for k, v in c.filters.items()},
        recipientCount=c.recipient_count,
        createdAt=c.created_at.isoformat(timespec="seconds"),
        startedAt=_iso(c.started_at),
        finishedAt=_iso(c.finished_at),
        progress=ProgressOut(
            total=g.total,
            queued=g.queued,
            sent=g.sent,
            failed=g.failed,
            skipped=g.skipped,
            unconfirmed=g.unconfirmed,
        ),
        htmlBody=c.html_body,
        withoutEmail=c.without_email,
        lastDueAt=_iso(c.last_due_at),
        logs=[_log(x) for x in c.logs] if c.logs is not None else None,
        logsTruncated=c.logs_truncated if c.logs is not None else None,
    )


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _line(c: CampaignInfo) -> str:
    g = c.progress
    return (
        f"{c.id}: {c.name} ({c.status}) to {c.recipient_count}: sent {g.sent}, queued {g.queued}, "
        f"failed {g.failed}, skipped {g.skipped}"
    )


# --- list and get ------------------------------------------------------------------------------


class ListOut(BaseModel):
    campaigns: list[CampaignOut]


class ListIn(Input):
    status: Annotated[Status | None, Field(description="Only campaigns in this state")] = None
    limit: Annotated[int, Field(ge=1, le=200, description="Newest first, at most this many")] = 50


async def _list(call: Call[Any]) -> Result:
    rows = await call.app.campaigns.list(call.p, call.args.status, call.args.limit)
    text = "\n".join(_line(c) for c in rows) or "No campaigns."
    return Result(ListOut(campaigns=[campaign_out(c) for c in rows]), text)


class GetIn(Input):
    campaign_id: Annotated[Id, Field(description="The campaign")]
    include_logs: Annotated[bool | None, Field(description="Also each recipient's delivery")] = None
    logs_limit: Annotated[int, Field(ge=1, le=1000, description="At most this many log rows")] = 200


async def _get(call: Call[Any]) -> Result:
    a = call.args
    c = await call.app.campaigns.get(call.p, a.campaign_id, a.logs_limit if a.include_logs else None)
    return Result(campaign_out(c), _line(c))


LIST = Operation(
    name="comms_list_campaigns",
    title="List Campaigns",
    description="The practice's communication campaigns (email), newest first, each with its state "
    "(draft, scheduled, sending, sent, cancelled) and its delivery counts. Filter by status.",
    scopes=READS,
    hints=READ,
    input=ListIn,
    output=ListOut,
    run=_list,
)

GET = Operation(
    name="comms_get_campaign",
    title="Get Campaign",
    description="One campaign: its content, audience, state and progress (queued, sent, failed, "
    "skipped because the client opted out, unconfirmed); with include_logs each recipient's delivery "
    "(client, channel, address, status, due and sent times, error).",
    scopes=READS,
    hints=READ,
    input=GetIn,
    output=CampaignOut,
    run=_get,
)


# --- create and send ---------------------------------------------------------------------------


class CreateIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=200, description="For the practice's own use")]
    subject: Annotated[str, Field(min_length=1, max_length=200, description=f"May use {VARIABLES}")]
    html_body: Annotated[
        str, MULTILINE, Field(min_length=1, max_length=50_000, description=f"HTML; may use {VARIABLES}")
    ]
    audience_type: Literal["predefined", "adhoc"]
    audience_id: Annotated[Audience | None, Field(description="For predefined: " + rules.AUDIENCE_HELP)] = (
        None
    )
    filters: Annotated[AdhocFilters | None, Field(description="For adhoc: every filter given must hold")] = (
        None
    )
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def _draft(a: Any) -> Draft:
    f = a.filters
    filters = (
        Filters(
            last_visit_after=f.lastVisitAfter,
            last_visit_before=f.lastVisitBefore,
            never_visited=f.neverVisited,
            created_after=f.createdAfter,
            created_before=f.createdBefore,
            has_phone=f.hasPhone,
            include_inactive=bool(f.includeInactive),
        )
        if f is not None
        else None
    )
    return Draft(a.name, a.subject, a.html_body, a.audience_type, a.audience_id, filters)


async def _create(call: Call[Any]) -> Result:
    c = await call.app.campaigns.create(call.p, _draft(call.args), consent=call.consent, idem=call.idem)
    text = f"Draft campaign {c.id} ({c.name}) reaches {c.recipient_count} clients"
    return Result(campaign_out(c), f"{text}; {c.without_email} more have no email address")


async def _ask_create(call: Call[Any]) -> str:
    a = call.args
    return f"Create the email campaign {a.name!r} for the {a.audience_id or 'adhoc'} audience?"


class SendIn(Input):
    campaign_id: Annotated[Id, Field(description="A draft or scheduled campaign")]
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


async def _send(call: Call[Any]) -> Result:
    a = call.args
    c = await call.app.campaigns.send(call.p, a.campaign_id, consent=call.consent, idem=call.idem)
    due = f"; the last is due {_iso(c.last_due_at)}" if c.last_due_at else ""
    return Result(campaign_out(c), f"Sending campaign {c.id} to {c.recipient_count} clients{due}")


async def _ask_send(call: Call[Any]) -> str:
    return f"Send campaign {call.args.campaign_id} to all its clients now?"


CREATE_EMAIL = Operation(
    name="comms_create_email_campaign",
    title="Create Email Campaign",
    description=f"Create an email campaign with an HTML body for a segment of clients; the subject and "
    f"body may use {VARIABLES}. audience_type predefined with audience_id ({rules.AUDIENCE_HELP}), or "
    "adhoc with filters (lastVisitAfter, lastVisitBefore, neverVisited, createdAfter, createdBefore, "
    "hasPhone, includeInactive). Returns the campaign id and how many clients it reaches. It starts "
    "as a draft: comms_send_campaign sends it. Requires confirm: true.",
    scopes=(access.PATIENTS_WRITE,),
    hints=CREATE,
    input=CreateIn,
    output=CampaignOut,
    run=_create,
    ask=_ask_create,
)

SEND = Operation(
    name="comms_send_campaign",
    title="Send Campaign",
    description="Send a draft or scheduled campaign: its recipients are fixed now and each gets one "
    "message, queued and sent by a worker at the channel's rate (communication.emailPerMinute); "
    "clients who opted out are skipped. Returns at once: comms_get_campaign shows the progress. "
    "Requires confirm: true.",
    scopes=(access.PATIENTS_WRITE,),
    hints=CREATE,
    input=SendIn,
    output=CampaignOut,
    run=_send,
    ask=_ask_send,
)


# --- /mcp: manage_campaigns --------------------------------------------------------------------


class ManageIn(Input):
    action: Literal["list", "get", "create", "send"]
    campaign_id: Annotated[OptionalId, Field(description="(get, send) the campaign")] = None
    status: Annotated[Status | None, Field(description="(list) only this state")] = None
    limit: Annotated[int, Field(ge=1, le=200, description="(list) at most this many")] = 50
    include_logs: Annotated[bool | None, Field(description="(get) each recipient's delivery")] = None
    logs_limit: Annotated[int, Field(ge=1, le=1000)] = 200
    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    subject: Annotated[
        str | None, Field(min_length=1, max_length=200, description=f"May use {VARIABLES}")
    ] = None
    html_body: Annotated[str | None, MULTILINE, Field(min_length=1, max_length=50_000)] = None
    audience_type: Literal["predefined", "adhoc"] | None = None
    audience_id: Annotated[Audience | None, Field(description=rules.AUDIENCE_HELP)] = None
    filters: AdhocFilters | None = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


class ManageOut(BaseModel):
    action: str
    campaigns: list[CampaignOut] | None = None
    campaign: CampaignOut | None = None


def _wrapped(run: Runner) -> Runner:
    async def wrapped(call: Call[Any]) -> Result:
        done = await run(call)
        data = done.json()
        body = {"campaigns": data["campaigns"]} if "campaigns" in data else {"campaign": data}
        return Result(ManageOut.model_validate({"action": str(call.args.action), **body}), done.text)

    return wrapped


MANAGE_CAMPAIGNS = Operation(
    name="manage_campaigns",
    title="Email campaigns",
    description="Campaigns to a segment of clients: list (by status), get (progress, with include_logs "
    "each recipient's delivery), create (an email draft: name, subject, html_body, audience_type "
    "predefined with audience_id, or adhoc with filters), send (a draft: one message per client, at "
    "communication.emailPerMinute, opted-out clients skipped).",
    scopes=READS,
    hints=MANAGE,
    input=ManageIn,
    output=ManageOut,
    actions={
        "list": Action("campaigns, newest first", _wrapped(_list), (), ("status", "limit")),
        "get": Action("one campaign", _wrapped(_get), ("campaign_id",), ("include_logs", "logs_limit")),
        "create": Action(
            "a draft email campaign",
            _wrapped(_create),
            ("name", "subject", "html_body", "audience_type"),
            ("audience_id", "filters"),
            ask=_ask_create,
        ),
        "send": Action("send a draft", _wrapped(_send), ("campaign_id",), (), ask=_ask_send),
    },
)

COORDINALO_OPERATIONS = (LIST, GET, CREATE_EMAIL, SEND)
