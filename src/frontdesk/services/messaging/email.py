"""Email over SMTP with aiosmtplib. FRONTDESK_SMTP_URL: smtp://user:pass@host:587 (STARTTLS) or
smtps://user:pass@host:465 (TLS from the first byte); FRONTDESK_MAIL_FROM the sender. Without a URL the
email channel is off. The password is never shown back (repr and `describe` leave it out).

A signer hook (`Mailer(signer=...)`) may hand back how one message goes out instead: another From
and envelope sender, and a signature put in front of the exact bytes sent (DKIM, domains_signing.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from frontdesk.domain.errors import Invalid


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool  # implicit TLS (smtps://)
    starttls: bool
    username: str | None
    password: str | None = field(repr=False)
    mail_from: str
    timeout: float = 30.0

    @classmethod
    def parse(cls, url: str, mail_from: str | None) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise Invalid(
                "FRONTDESK_SMTP_URL must be smtp://host:port or smtps://host:port", field="smtp_url"
            )
        tls = parts.scheme == "smtps"
        port = parts.port or (465 if tls else 587)
        sender = mail_from or (
            f"{unquote(parts.username)}" if parts.username and "@" in unquote(parts.username) else None
        )
        if not sender:
            raise Invalid("FRONTDESK_MAIL_FROM is required with FRONTDESK_SMTP_URL", field="mail_from")
        # STARTTLS on submission ports unless the URL opts out (?starttls=no: a local relay or test server)
        starttls = not tls and "starttls=no" not in (parts.query or "")
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            mail_from=sender,
        )

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        url = os.environ.get("FRONTDESK_SMTP_URL")
        return cls.parse(url, os.environ.get("FRONTDESK_MAIL_FROM")) if url else None

    def describe(self) -> str:
        """The server as a person may see it: no password."""
        user = f"{self.username}@" if self.username else ""
        return f"{'smtps' if self.tls else 'smtp'}://{user}{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    message_key: str | None = None  # the dedupe key: the Message-ID is made from it
    # Images the HTML shows (<img src="cid:{name}">): the filename is also the Content-ID.
    inline: tuple[Attachment, ...] = ()


def build(mail: Email, sender: str) -> EmailMessage:
    """A multipart message: text, HTML alternative, attachments; List-Unsubscribe to the sender."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].strip("> ")
    msg["Message-ID"] = make_msgid(
        idstring=_safe(mail.message_key) if mail.message_key else None, domain=domain
    )
    msg["List-Unsubscribe"] = f"<mailto:{sender.strip('<>')}?subject=unsubscribe>"
    msg.set_content(mail.text)
    if mail.html is not None:
        msg.add_alternative(mail.html, subtype="html")
        html = msg.get_body(("html",))
        for i in mail.inline:  # the HTML part becomes multipart/related: HTML first, then its images
            main, _, sub = i.content_type.partition("/")
            assert html is not None
            cid = f"<{i.filename}>"
            html.add_related(
                i.data, maintype=main, subtype=sub, cid=cid, filename=i.filename, disposition="inline"
            )
    for a in mail.attachments:
        main, _, rest = a.content_type.partition("/")
        sub, *params = [p.strip() for p in rest.split(";")]
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        msg.add_attachment(a.data, maintype=main, subtype=sub, filename=a.filename, params=extra)
    return msg


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "." for c in key)[:120]


class Signed(Protocol):
    """What a signer hands back for one message."""

    @property
    def sender(self) -> str: ...  # the From header
    @property
    def address(self) -> str: ...  # the envelope sender

    def sign(self, message: bytes) -> bytes: ...


Signer = Callable[[str], Awaitable[Signed | None]]  # (the server's sender) -> how to send, or None


class Mailer:
    """One SMTP connection kept open between messages (a new connection per message cost most of a
    message's time in bench/messages.py), opened again when the server has closed it."""

    def __init__(self, settings: SmtpSettings, signer: Signer | None = None) -> None:
        self.settings = settings
        self.signer = signer
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()  # one conversation at a time on the shared connection

    def _new(self) -> aiosmtplib.SMTP:
        cfg = self.settings
        return aiosmtplib.SMTP(
            hostname=cfg.host,
            port=cfg.port,
            username=cfg.username,
            password=cfg.password,
            use_tls=cfg.tls,
            start_tls=cfg.starttls,
            timeout=cfg.timeout,
        )

    async def send(self, mail: Email) -> None:
        signed = await self.signer(self.settings.mail_from) if self.signer is not None else None
        if signed is None:
            message = build(mail, self.settings.mail_from)
            await self._deliver(lambda client: client.send_message(message))
            return
        # Signed: the bytes signed are the bytes sent (aiosmtplib would flatten the message again).
        out = build(mail, signed.sender)
        to = parseaddr(mail.to)[1]
        utf8 = not (to + signed.address).isascii()
        raw = out.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
        data = await asyncio.to_thread(signed.sign, raw)  # ~30 ms of pure-Python RSA: off the event loop
        options = ["SMTPUTF8"] if utf8 else []
        await self._deliver(lambda client: client.sendmail(signed.address, [to], data, mail_options=options))

    async def _deliver(self, send: Callable[[aiosmtplib.SMTP], Awaitable[Any]]) -> None:
        async with self._lock:
            for attempt in (1, 2):
                if self._client is None or not self._client.is_connected:
                    self._client = self._new()
                    await self._client.connect()
                try:
                    await send(self._client)
                    return
                except aiosmtplib.SMTPServerDisconnected:
                    self._client = None  # closed while idle: once more on a fresh connection
                    if attempt == 2:
                        raise
                except BaseException:
                    # A refusal or a failure mid-conversation: the next message starts afresh.
                    self._client.close()
                    self._client = None
                    raise

    async def close(self) -> None:
        async with self._lock:
            if self._client is not None and self._client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await self._client.quit()
            self._client = None
