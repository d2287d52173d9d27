"""Messaging operations: the seed's reminders_get_config / reminders_update_config, comms_get_preferences /
comms_update_preferences and comms_send_message (Coordinalo names them; its binding camelCases the
top-level fields), and /mcp's manage_reminders and manage_messages grouping the same calls.

A section's fields are the seed's own (camelCase inside the section object on every surface)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.messaging.service import TEMPLATES, Preferences, Queued
from frontdesk.services.operations import (
    CREATE,
    MANAGE,
    MULTILINE,
    READ,
    UPDATE,
    Action,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
    Runner,
)

READS = (access.PATIENTS_READ, access.ADMIN)
Days = Annotated[int | None, Field(ge=0, le=365)]
Count = Annotated[int | None, Field(ge=0, le=20)]
Interval = Annotated[int | None, Field(ge=1, le=60, description="Days between messages")]
Clock = Annotated[str | None, Field(max_length=5, description='Local time HH:MM ("" for none)')]


class Section(BaseModel):
    model_config = {"extra": "forbid"}
    enabled: bool | None = None


class Followups(Section):
    daysAfter: Days = None
    maxReminders: Count = None
    interval: Interval = None


class Session24h(Section):
    hoursBefore: Annotated[int | None, Field(ge=1, le=168)] = None
    sendTime: Clock = None


class Session1h(Section):
    hoursBefore: Annotated[int | None, Field(ge=1, le=24)] = None


class Overdue(Section):
    daysOverdue: Annotated[int | None, Field(ge=1, le=365)] = None
    maxReminders: Count = None
    interval: Interval = None


class NpsFollowup(Section):
    daysAfter: Days = None
    maxFollowups: Annotated[int | None, Field(ge=0, le=5)] = None
    interval: Interval = None


class Pending(Section):
    timeoutHours: Annotated[int | None, Field(ge=1, le=720)] = None
    autoConfirm: bool | None = None


class Quiet(BaseModel):
    model_config = {"extra": "forbid"}
    start: Clock = None
    end: Clock = None


class ReminderConfig(BaseModel):
    bookingReminder: Followups
    sessionReminder24h: Session24h
    sessionReminder1h: Session1h
    paymentReminder: Followups
    paymentOverdue: Overdue
    notificationFollowup: NpsFollowup
    pendingConfirmation: Pending
    quietHours: Quiet


def _config_result(data: dict[str, dict[str, Any]]) -> Result:
    out = ReminderConfig.model_validate(data)
    lines = [
        f"{name}: " + ", ".join(f"{k}={v!r}" for k, v in fields.items()) for name, fields in data.items()
    ]
    return Result(out, "\n".join(lines))


class NoIn(Input):
    pass


async def _get_config(call: Call[Any]) -> Result:
    return _config_result(await call.app.messaging.reminder_config(call.p))


class ConfigIn(Input):
    booking_reminder: Annotated[Followups | None, Field(description="Follow-up after booking")] = None
    session_reminder24h: Annotated[Session24h | None, Field(description="The day-before reminder")] = None
    session_reminder1h: Annotated[Session1h | None, Field(description="The last reminder")] = None
    payment_reminder: Annotated[Followups | None, Field(description="Payment due (needs finance)")] = None
    payment_overdue: Annotated[Overdue | None, Field(description="Overdue payment (needs finance)")] = None
    notification_followup: Annotated[NpsFollowup | None, Field(description="Post-session question")] = None
    pending_confirmation: Annotated[Pending | None, Field(description="Unconfirmed bookings")] = None
    quiet_hours: Annotated[Quiet | None, Field(description="No message goes between start and end")] = None


_SECTION_OF = {
    "booking_reminder": "bookingReminder",
    "session_reminder24h": "sessionReminder24h",
    "session_reminder1h": "sessionReminder1h",
    "payment_reminder": "paymentReminder",
    "payment_overdue": "paymentOverdue",
    "notification_followup": "notificationFollowup",
    "pending_confirmation": "pendingConfirmation",
    "quiet_hours": "quietHours",
}


async def _update_config(call: Call[Any]) -> Result:
    a = call.args
    sections = {
        seed: (getattr(a, f).model_dump(exclude_none=True) if getattr(a, f) is not None else None)
        for f, seed in _SECTION_OF.items()
    }
    return _config_result(await call.app.messaging.update_reminder_config(call.p, sections))


REMINDERS_GET_CONFIG = Operation(
    name="reminders_get_config",
    title="Get Reminder Configuration",
    description="The practice's reminder configuration per type: bookingReminder, sessionReminder24h, "
    "sessionReminder1h, paymentReminder, paymentOverdue, notificationFollowup, pendingConfirmation "
    "(each with enabled and its timing and frequency) and quietHours. The same values as the "
    "settings' reminders chapter, in more detail. Sent today: the booking confirmation (with a "
    "calendar invite), the reminders before a session, the cancellation notice, and the "
    "notificationFollowup question after a completed session (a 0-10 score and a comment).",
    scopes=READS,
    hints=READ,
    input=NoIn,
    output=ReminderConfig,
    run=_get_config,
)

REMINDERS_UPDATE_CONFIG = Operation(
    name="reminders_update_config",
    title="Update Reminder Configuration",
    description="Owners and admins: change some of the reminder configuration; only the sections and "
    "fields given change, all checked before any is written. Returns the whole configuration. Due "
    "times are on the location's clock; bookings made from now on use the new values.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=ConfigIn,
    output=ReminderConfig,
    run=_update_config,
)


# --- preferences --------------------------------------------------------------------------------


class PreferencesOut(BaseModel):
    clientId: int | None = Field(description="The client these are, or null for the practice's")
    channels: dict[str, bool] = Field(description="email, whatsapp, sms: on (or accepted by the client)")
    configured: dict[str, bool] = Field(description="Whether this server can send on each channel")


def _prefs(p: Preferences) -> Result:
    out = PreferencesOut(clientId=p.client_id, channels=p.channels, configured=p.configured)
    who = f"Client {p.client_id}" if p.client_id else "The practice"
    on = ", ".join(c for c, v in p.channels.items() if v) or "none"
    return Result(out, f"{who}: channels on: {on}")


ClientId = Annotated[OptionalId, Field(description="A client: their opt-outs; without: the practice's")]


class PrefsGetIn(Input):
    client_id: ClientId = None


async def _get_prefs(call: Call[Any]) -> Result:
    return _prefs(await call.app.messaging.preferences(call.p, call.args.client_id))


class PrefsIn(Input):
    client_id: ClientId = None
    email: bool | None = None
    whatsapp: bool | None = None
    sms: bool | None = None


async def _update_prefs(call: Call[Any]) -> Result:
    a = call.args
    channels = {c: getattr(a, c) for c in ("email", "whatsapp", "sms") if getattr(a, c) is not None}
    return _prefs(await call.app.messaging.update_preferences(call.p, channels, a.client_id))


COMMS_GET_PREFERENCES = Operation(
    name="comms_get_preferences",
    title="Get Communication Preferences",
    description="The practice's communication channels (email, whatsapp, sms: on or off, and whether "
    "this server is configured to send on each; no secret is ever shown), or with client_id that "
    "client's: which channels they accept messages on.",
    scopes=READS,
    hints=READ,
    input=PrefsGetIn,
    output=PreferencesOut,
    run=_get_prefs,
)

COMMS_UPDATE_PREFERENCES = Operation(
    name="comms_update_preferences",
    title="Update Communication Preferences",
    description="Turn channels on or off (email, whatsapp, sms: true or false; only those given change): "
    "the practice's (admins) or, with client_id, a client's own (an opt-out every message and reminder "
    "to them honours).",
    scopes=(access.PATIENTS_WRITE, access.ADMIN),
    hints=UPDATE,
    input=PrefsIn,
    output=PreferencesOut,
    run=_update_prefs,
)


# --- one message --------------------------------------------------------------------------------


class QueuedOut(BaseModel):
    messageId: str
    clientId: int
    channel: str
    recipient: str
    subject: str
    status: str = Field(description="queued: a worker sends it once")


class SendIn(Input):
    client_id: Annotated[int, Field(ge=1, le=2**63 - 1, description="The client")]
    channel: Literal["email", "whatsapp"] = "email"
    template_key: Annotated[
        Literal[tuple(TEMPLATES)] | None,  # type: ignore[valid-type]
        Field(description="A shipped template about one of the client's sessions (give session_id)"),
    ] = None
    session_id: Annotated[OptionalId, Field(description="The session a template is about")] = None
    custom_message: Annotated[
        str | None,
        MULTILINE,
        Field(
            min_length=1,
            max_length=5000,
            description="Free text; {nombre}, {apellido}, {nombre_completo}, {email}, {telefono}, "
            "{organizacion} are filled in",
        ),
    ] = None
    subject: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def _queued(q: Queued) -> Result:
    out = QueuedOut(
        messageId=q.message_id,
        clientId=q.client_id,
        channel=q.channel,
        recipient=q.recipient,
        subject=q.subject,
        status=q.status,
    )
    return Result(out, f"Queued {q.channel} to {q.recipient}: {q.subject}")


async def _send(call: Call[Any]) -> Result:
    a = call.args
    q = await call.app.messaging.send(
        call.p,
        a.client_id,
        channel=a.channel,
        text=a.custom_message,
        subject=a.subject,
        template_key=a.template_key,
        session_id=a.session_id,
        media_url=getattr(a, "media_url", None),  # /mcp's manage_messages only
        consent=call.consent,
        idem=call.idem,
    )
    return _queued(q)


async def _ask_send(call: Call[Any]) -> str:
    a = call.args
    what = a.template_key or "a custom message"
    return f"Send {what} by {a.channel} to client {a.client_id}?"


COMMS_SEND_MESSAGE = Operation(
    name="comms_send_message",
    title="Send Message",
    description="Send one message to a client by email or WhatsApp (on once the practice's "
    "communication.whatsapp* settings are set): template_key (sessionConfirmation, sessionReminder, "
    "sessionCancellation, with session_id; on WhatsApp the practice's approved templates) or "
    "custom_message (with an optional subject). Queued and delivered once by a worker; refused when "
    "the client opted out of the channel or has no address on it. Requires confirm: true.",
    scopes=(access.PATIENTS_WRITE,),
    hints=CREATE,
    input=SendIn,
    output=QueuedOut,
    run=_send,
    ask=_ask_send,
)


# --- /mcp: manage_reminders and manage_messages --------------------------------------------------


class ManageRemindersIn(ConfigIn):
    action: Literal["get", "update"]


MANAGE_REMINDERS = Operation(
    name="manage_reminders",
    title="Reminder configuration",
    description="The practice's reminders: get the configuration per reminder type, or (admins) update "
    "some sections (bookingReminder, sessionReminder24h, sessionReminder1h, paymentReminder, "
    "paymentOverdue, notificationFollowup, pendingConfirmation, quietHours), each as get returns it.",
    scopes=READS,
    hints=MANAGE,
    input=ManageRemindersIn,
    output=ReminderConfig,
    actions={
        "get": Action("the whole configuration", _get_config),
        "update": Action("change the sections given (admins)", _update_config, (), tuple(_SECTION_OF)),
    },
)


class ManageMessagesIn(Input):
    action: Literal["get_preferences", "update_preferences", "send"]
    client_id: Annotated[OptionalId, Field(description="The client")] = None
    email: bool | None = None
    whatsapp: bool | None = None
    sms: bool | None = None
    channel: Literal["email", "whatsapp"] = "email"
    template_key: Annotated[
        Literal[tuple(TEMPLATES)] | None,  # type: ignore[valid-type]
        Field(description="(send) a shipped template about a session"),
    ] = None
    session_id: OptionalId = None
    custom_message: Annotated[str | None, MULTILINE, Field(min_length=1, max_length=5000)] = None
    subject: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    media_url: Annotated[
        str | None,
        Field(
            min_length=9,
            max_length=500,
            description="(send, WhatsApp) a picture or PDF by its https address (.png, .jpg, .jpeg, "
            ".pdf); custom_message is its caption",
        ),
    ] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


class ManageMessagesOut(BaseModel):
    action: str
    preferences: PreferencesOut | None = None
    message: QueuedOut | None = None


def _wrapped(kind: str, run: Runner) -> Runner:
    """An action's result under its name in manage_messages' one output shape."""

    async def wrapped(call: Call[Any]) -> Result:
        done = await run(call)
        data = ManageMessagesOut.model_validate({"action": str(call.args.action), kind: done.data})
        return Result(data, done.text)

    return wrapped


MANAGE_MESSAGES = Operation(
    name="manage_messages",
    title="Messages to clients",
    description="Messages: get_preferences / update_preferences (the practice's channels, or with "
    "client_id a client's opt-outs: email, whatsapp, sms true or false), send (one message to a "
    "client: template_key with session_id, or custom_message; queued, delivered once).",
    scopes=READS,
    hints=MANAGE,
    input=ManageMessagesIn,
    output=ManageMessagesOut,
    actions={
        "get_preferences": Action("channels on", _wrapped("preferences", _get_prefs), (), ("client_id",)),
        "update_preferences": Action(
            "turn channels on or off",
            _wrapped("preferences", _update_prefs),
            (),
            ("client_id", "email", "whatsapp", "sms"),
        ),
        "send": Action(
            "queue one message",
            _wrapped("message", _send),
            ("client_id",),
            ("channel", "template_key", "session_id", "custom_message", "subject", "media_url"),
            ask=_ask_send,
        ),
    },
)

COORDINALO_OPERATIONS = (
    REMINDERS_GET_CONFIG,
    REMINDERS_UPDATE_CONFIG,
    COMMS_GET_PREFERENCES,
    COMMS_UPDATE_PREFERENCES,
    COMMS_SEND_MESSAGE,
)
