"""A WhatsApp message delivered exactly once, through the same send log as email (delivery.py): the
key is claimed (committed) before the API is called. Nothing went out (no connection, 429, 5xx): the
claim is released and the job retried (429 not before Retry-After). Refused for good (an invalid
number, a rejected token): the log records the message failed, with why, and the job is dead. The
request went out but no answer came: the message is `unconfirmed`, never sent a second time.

A picture of our own (a visual message's card) is uploaded as media inside the same claim, then sent by
its id. The upload is retried as a send is (429 after Retry-After, a network failure or a lost answer:
released and retried; any other refusal: failed for good), since nothing has reached the client yet. An
upload that worked followed by a send that failed before the API took it uploads again on the retry: a
second, unused copy of the media on Meta's side (harmless; it expires there), never a second message.

Appointment messages go as templates (a business may write first only with a template Meta approved):
the practice registers APPOINTMENT_TEMPLATES under these names, their body parameters in this order."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NoReturn

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.jobs.queue import ClaimedJob
from frontdesk.services.jobs.worker import Permanent, RetryLater
from frontdesk.services.messaging.whatsapp import (
    LANGUAGE_CODES,
    Account,
    ApiError,
    NoAnswer,
    WaMessage,
    WhatsAppClient,
    account,
)
from frontdesk.services.usecase import UseCases
from frontdesk.storage.models import SentMessage
from frontdesk.storage.repositories import jobs as repo
from frontdesk.storage.repositories import whatsapp as wa_repo

# shipped template kind -> (WhatsApp template name, the seed variables its body {{1}}, {{2}}... take)
APPOINTMENT_TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "confirmation": (
        "appointment_confirmation",
        ("nombre", "servicio", "profesional", "fecha", "hora", "lugar", "organizacion"),
    ),
    "reminder": (
        "appointment_reminder",
        ("nombre", "servicio", "profesional", "fecha", "hora", "lugar", "organizacion"),
    ),
    "cancellation": ("appointment_cancellation", ("nombre", "fecha", "hora", "organizacion")),
}
NOT_CONFIGURED = "the whatsapp channel is not configured for this practice"


@dataclass(frozen=True, slots=True)
class Upload:
    """Media to upload before sending: the message then goes by the media's id."""

    data: bytes
    mime: str
    filename: str


def appointment_message(
    kind: str, to: str, lang: str, values: dict[str, str], acct: Account, key: str
) -> WaMessage:
    """The template message of a shipped appointment message (`kind` confirmation, reminder, ...)."""
    name, variables = APPOINTMENT_TEMPLATES[kind]
    language = acct.template_language or LANGUAGE_CODES.get(lang, "en")
    params = tuple(values.get(v, "") or "-" for v in variables)  # the API refuses an empty parameter
    return WaMessage(to, "template", template=name, language=language, parameters=params, message_key=key)


def single_message(payload: dict[str, Any], key: str) -> WaMessage:
    """A message comms_send_message queued: text, or media by link with the text as its caption."""
    media = payload.get("media")
    if isinstance(media, dict):
        return WaMessage(
            str(payload["to"]),
            str(media["type"]),
            text=str(payload.get("text") or ""),
            link=str(media["link"]),
            filename=str(media.get("filename") or ""),
            message_key=key,
        )
    return WaMessage(str(payload["to"]), "text", text=str(payload["text"]), message_key=key)


async def practice_account(uc: UseCases, practice_id: int) -> Account | None:
    async with uc.db.read() as s:
        return account(await settings_values(s, practice_id))


async def deliver(
    uc: UseCases,
    client: WhatsAppClient,
    job: ClaimedJob,
    worker: str,
    acct: Account,
    msg: WaMessage,
    upload: Upload | None = None,
) -> str:
    """Send `msg` once for its key (with `upload`'s media id, uploaded first); the send log's status."""
    key = msg.message_key or job.dedupe_key

    async def claim(s: AsyncSession, now: datetime) -> SentMessage | None:
        return await repo.claim_send(
            s,
            job.practice_id,
            dedupe_key=key,
            job_id=job.id,
            channel=wa_repo.CHANNEL,
            recipient=msg.to,
            worker=worker,
            now=now,
        )

    earlier = await uc.run(claim)
    if earlier is not None:
        if earlier.status == repo.SENDING:  # its worker died mid-send: a person checks, no resend
            await _log(uc, job.practice_id, key, repo.UNCONFIRMED)
            return repo.UNCONFIRMED
        return earlier.status
    if upload is not None:
        msg = replace(msg, media_id=await _uploaded(uc, client, job.practice_id, key, acct, upload))
    try:
        wamid = await client.send(acct, msg)
    except ApiError as exc:
        await _refused(uc, job.practice_id, key, exc)
    except httpx.HTTPError as exc:  # connecting failed: nothing went out
        await _log(uc, job.practice_id, key, None)
        raise OSError(f"the WhatsApp API could not be reached: {type(exc).__name__}") from None
    except NoAnswer as exc:
        await _log(uc, job.practice_id, key, repo.UNCONFIRMED)
        raise Permanent(f"the WhatsApp API gave no answer ({exc}): unconfirmed, not sent again") from None
    await _log(uc, job.practice_id, key, repo.SENT, wamid=wamid)
    return repo.SENT


async def _uploaded(
    uc: UseCases, client: WhatsAppClient, practice_id: int, key: str, acct: Account, upload: Upload
) -> str:
    """The media id of `upload`, under the claim on `key`; nothing was sent yet, so every failure
    short of a refusal releases the claim for a retry."""
    try:
        return await client.upload(acct, upload.data, upload.mime, upload.filename)
    except ApiError as exc:
        await _refused(uc, practice_id, key, exc)
    except NoAnswer as exc:
        await _log(uc, practice_id, key, None)
        raise OSError(f"the WhatsApp media upload did not complete: {exc}") from None


async def _refused(uc: UseCases, practice_id: int, key: str, exc: ApiError) -> NoReturn:
    """The API's refusal: retried later (rate limited, 5xx; the claim released) or failed for good."""
    if exc.retryable:
        await _log(uc, practice_id, key, None)
        raise RetryLater(exc.reason, exc.retry_after or 0.0) from None
    await _log(uc, practice_id, key, wa_repo.FAILED, exc.reason)
    raise Permanent(exc.reason) from None


async def _log(
    uc: UseCases, practice_id: int, key: str, status: str | None, error: str = "", wamid: str = ""
) -> None:
    """Record the outcome: None releases the claim (the next attempt may send)."""

    async def body(s: AsyncSession, now: datetime) -> None:
        if status is None:
            await repo.release_send(s, practice_id, key)
        elif status == repo.SENT:
            await wa_repo.accepted(s, practice_id, key, wamid, now)
        elif status == wa_repo.FAILED:
            await wa_repo.refused(s, practice_id, key, error, now)
        else:
            await repo.mark_sent(s, practice_id, key, now, status=status)

    await uc.run(body)
