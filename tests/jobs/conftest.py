"""Fixtures for the messaging tests: a real local SMTP server (aiosmtpd) and an app that sends to it."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from frontdesk.composition import Frontdesk
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[attr-defined]
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [msg for msg in self.messages if msg["To"] == address]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(handler: object) -> Iterator[SmtpSettings]:
    """A real aiosmtpd server on a free local port, delivering to `handler`, while the block runs."""
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSettings.parse(f"smtp://127.0.0.1:{port}?starttls=no", "Clinic <clinic@example.com>")
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, SmtpSettings]]:
    box = Inbox()
    with smtp_server(box) as settings:
        yield box, settings


@pytest.fixture
async def mail_app(db_url: str, clock: Clock, inbox: tuple[Inbox, SmtpSettings]) -> AsyncIterator[Frontdesk]:
    fd = Frontdesk(Database(db_url), clock=clock, settings=Settings(), smtp=inbox[1])
    yield fd
    await fd.close()


async def client_with_email(app: Frontdesk) -> tuple[Scenario, str]:
    sc = await build_scenario(app)
    address = f"juan.{sc.slug}@example.com"
    async with app.db.write() as s:
        await s.execute(
            update(m.Patient)
            .where(m.Patient.practice_id == sc.practice_id, m.Patient.id == sc.juan)
            .values(email=address)
        )
    return sc, address
