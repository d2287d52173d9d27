"""The seed's comms_render_visual_message: a session-confirmation, session-reminder or
payment-reminder drawn as a PNG card. preview returns the image (MCP image content) with what it shows;
send renders it and queues it to a client (confirm: true). Coordinalo camelCases the fields
(clientName, providerName ...); /mcp serves it as render_visual_message with the same fields in
snake_case."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.messaging.operations import QueuedOut
from frontdesk.services.messaging.visual import DATA, REQUIRED, TEMPLATES, shown
from frontdesk.services.messaging.visual_service import Visual
from frontdesk.services.operations import (
    MANAGE,
    Action,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Image,
    Input,
    Operation,
    OptionalId,
    Result,
)

Name = Annotated[str | None, Field(min_length=1, max_length=200)]


class RenderIn(Input):
    action: Literal["preview", "send"]
    template: Annotated[
        Literal[tuple(TEMPLATES)] | None,  # type: ignore[valid-type]
        Field(description="The card: " + "; ".join(f"{t} needs {', '.join(REQUIRED[t])}" for t in TEMPLATES)),
    ] = None
    session_id: Annotated[
        OptionalId,
        Field(
            description="A session whose client, provider, service, date, time, place "
            "and price fill the fields (the ones given override them)"
        ),
    ] = None
    client_id: Annotated[
        OptionalId, Field(description="The client (send: the recipient); fills clientName and the language")
    ] = None
    client_name: Name = None
    provider_name: Name = None
    service_name: Name = None
    date: Annotated[str | None, Field(min_length=10, max_length=10, description="Local day, YYYY-MM-DD")] = (
        None
    )
    time: Annotated[str | None, Field(min_length=5, max_length=5, description="Local time, HH:MM")] = None
    location: Name = None
    amount: Annotated[
        int | None, Field(ge=0, le=10**12, description="payment-reminder: minor units (4500 is 45.00)")
    ] = None
    currency: Annotated[str | None, Field(pattern=r"^[A-Z]{3}$", max_length=3, description="ISO 4217")] = None
    due_date: Annotated[str | None, Field(min_length=10, max_length=10, description="YYYY-MM-DD")] = None
    language: Annotated[
        Literal["es", "pt", "en"] | None,
        Field(description="The card's language; default the client's, else the practice's"),
    ] = None
    channel: Annotated[
        Literal["email", "whatsapp"] | None,
        Field(description="send: whatsapp where the practice has it configured and on, else email"),
    ] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


class ImageOut(BaseModel):
    mimeType: str
    width: int
    height: int
    bytes: int
    sha256: str = Field(description="Of the PNG: the same card gives the same image")


class VisualOut(BaseModel):
    action: str
    template: str
    language: str
    fields: dict[str, str] = Field(description="The data fields as the card writes them")
    image: ImageOut
    message: QueuedOut | None = None


def _given(args: Any) -> dict[str, Any]:
    return {f: getattr(args, f) for f in DATA if getattr(args, f) is not None}


async def _result(call: Call[Any], done: Visual) -> Result:
    c, png = done.content, await done.png()
    image = ImageOut(
        mimeType="image/png",
        width=png.width,
        height=png.height,
        bytes=len(png.data),
        sha256=hashlib.sha256(png.data).hexdigest(),
    )
    fields = shown(c)
    message = None
    text = f"{c.template} card ({c.language}, {png.width}x{png.height} PNG): " + "; ".join(
        f"{k}: {v}" for k, v in fields.items()
    )
    if done.message is not None:
        q = done.message
        message = QueuedOut(
            messageId=q.message_id,
            clientId=q.client_id,
            channel=q.channel,
            recipient=q.recipient,
            subject=q.subject,
            status=q.status,
        )
        text += f". Queued {q.channel} to {q.recipient}"
    out = VisualOut(
        action=str(call.args.action),
        template=c.template,
        language=c.language,
        fields=fields,
        image=image,
        message=message,
    )
    return Result(out, text, images=(Image(png.data),))


async def _preview(call: Call[Any]) -> Result:
    a = call.args
    done = await call.app.visual.preview(
        call.p, a.template, _given(a), session_id=a.session_id, client_id=a.client_id, language=a.language
    )
    return await _result(call, done)


async def _send(call: Call[Any]) -> Result:
    a = call.args
    done = await call.app.visual.send(
        call.p,
        a.template,
        _given(a),
        client_id=a.client_id,
        session_id=a.session_id,
        language=a.language,
        channel=a.channel,
        consent=call.consent,
        idem=call.idem,
    )
    return await _result(call, done)


async def _ask_send(call: Call[Any]) -> str:
    a = call.args
    return f"Send the {a.template} image to client {a.client_id}?"


_FIELDS = ("session_id", *DATA, "language")

RENDER_VISUAL_MESSAGE = Operation(
    name="comms_render_visual_message",
    title="Render Visual Message",
    description="Render a message to a client as an image (PNG): session-confirmation, session-reminder "
    "or payment-reminder. preview returns the image; send renders it and sends it to client_id with "
    "the image attached (by WhatsApp where the practice has it configured and on, else by email; "
    "queued, delivered once; "
    "requires confirm: true). Each template needs its data fields (client_name, provider_name, date, "
    "time for a session; client_name, amount, currency for a payment): give them, or a session_id "
    "(and client_id) to fill them in; fields given override. Words follow the client's language.",
    scopes=(access.PATIENTS_READ, access.ADMIN),
    hints=MANAGE,
    input=RenderIn,
    output=VisualOut,
    actions={
        "preview": Action("the image and what it shows", _preview, ("template",), ("client_id", *_FIELDS)),
        "send": Action(
            "render and send to a client",
            _send,
            ("template", "client_id"),
            (*_FIELDS, "channel"),
            ask=_ask_send,
        ),
    },
)
