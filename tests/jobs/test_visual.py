"""Visual messages (comms_render_visual_message on Coordinalo, render_visual_message on /mcp): the cards
are PNGs Pillow decodes, drawn with the bundled font, the same bytes for the same card; templates and
languages differ; a preview reaches the MCP client as image content; a send delivers an email with the
PNG attached to the local SMTP server, once."""

from __future__ import annotations

import base64
import hashlib
import io
from importlib.resources import files
from typing import Any

from mcp import Client
from PIL import Image, ImageChops, ImageDraw
from sqlalchemy import select, update

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.services.messaging.card import Card, render, wrap
from frontdesk.services.messaging.card import font as card_font
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.messaging.visual import Content, card
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m
from tests.factories import Scenario
from tests.jobs.conftest import Inbox, client_with_email

SESSION = {
    "clientName": "Juan Perez",
    "providerName": "Dra. Ana García",
    "date": "2026-03-04",
    "time": "10:00",
}


def _content(template: str = "session-confirmation", language: str = "es", **fields: Any) -> Content:
    base: dict[str, Any] = {
        "client_name": "Juan Perez",
        "provider_name": "Dra. Ana García",
        "date": "2026-03-04",
        "time": "10:00",
        "location": "Main Street",
    }
    if template == "payment-reminder":
        base = {"client_name": "Juan Perez", "amount": 4500, "currency": "USD", "due_date": "2026-03-06"}
    return Content(template, language, "Clínica Sonrisa", **(base | fields))


def _image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG"
    img.load()
    return img.convert("RGB")


def _ink(img: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many pixels in `box` are darker than the paper (text drawn there)."""
    return sum(img.crop(box).convert("L").histogram()[:160])


def test_a_card_is_a_png_of_its_size_drawn_the_same_each_time() -> None:
    png = render(card(_content()))
    img = _image(png.data)
    assert img.size == (png.width, png.height) and png.width == 800 and png.height >= 420
    assert render(card(_content())).data == png.data  # deterministic: no timestamp, bundled fonts
    # Text where the layout put it, paper where it put nothing.
    for part in ("title", "greeting", "row:Profesional", "row:Fecha", "row:Hora", "row:Lugar"):
        assert _ink(img, png.regions[part]) > 50, part
    assert _ink(img, (0, png.height - 30, png.width, png.height)) == 0
    assert img.getpixel((5, 5)) == (15, 118, 110)  # the confirmation's band
    fonts = files("frontdesk.data").joinpath("fonts")  # the package's fonts, with their licence
    assert "Bitstream Vera" in fonts.joinpath("LICENSE").read_text(encoding="utf-8")
    assert card_font(26).getname() == ("DejaVu Sans", "Book")
    assert card_font(26, bold=True).getname() == ("DejaVu Sans", "Bold")


def test_the_name_drawn_is_the_name_given() -> None:
    """A card differs from another only where their texts differ: the name is in the greeting."""
    one = render(card(_content(client_name="Juan Perez")))
    other = render(card(_content(client_name="Ana Lima")))
    diff = ImageChops.difference(_image(one.data), _image(other.data)).getbbox()
    assert diff is not None
    _, top, _, bottom = one.regions["greeting"]
    assert top <= diff[1] and diff[3] <= bottom  # nothing else moved
    # The greeting is the same pixels as the string drawn alone with the card's font.
    alone = Image.new("RGB", (800, bottom - top), (255, 255, 255))
    greeting = "Hola, Juan Perez. Tu cita está confirmada."
    ImageDraw.Draw(alone).text((48, 0), greeting, font=card_font(26), fill=(17, 24, 39))
    drawn = _image(one.data).crop((0, top, 800, bottom))
    assert ImageChops.difference(drawn, alone).getbbox() is None


def test_templates_and_languages_give_different_cards() -> None:
    seen = {
        render(card(_content(t, lang))).data
        for t in ("session-confirmation", "session-reminder", "payment-reminder")
        for lang in ("es", "pt", "en")
    }
    assert len(seen) == 9
    pay = card(_content("payment-reminder", "pt"))
    assert pay.title == "Lembrete de pagamento" and pay.highlight == ("Valor", "US$\u00a045,00")
    en = card(_content("session-reminder", "en"))
    assert ("Date", "Wednesday, March 4, 2026") in en.rows and ("Time", "10:00\u202fAM") in en.rows


def test_long_names_wrap_and_the_card_grows() -> None:
    long_name = "María José Fernández de la Torre y Castillo-Valenzuela " * 3
    short = render(card(_content()))
    tall = render(card(_content(client_name=long_name.strip(), location="Z" * 120)))
    assert tall.height > short.height
    face = card_font(28, bold=True)
    assert all(face.getlength(line) <= 704 for line in wrap("Z" * 120, face, 704))
    lines = wrap(long_name, card_font(26), 704)
    assert len(lines) >= 3 and " ".join(lines).split() == long_name.split()
    assert Card((0, 0, 0), "P", "T", "G").text().startswith("T")


async def call(client: Client, tool: str, args: dict[str, Any], *, error: bool = False) -> Any:
    result = await client.call_tool(tool, args)
    assert result.is_error is error, (tool, result.content[0].text if result.content else result)
    assert result.structured_content is not None
    return result


def _server(app: Frontdesk, sc: Scenario, surface: str) -> Client:
    return Client(build_server(app, surface=surface, default_principal=sc.principal))


def _png_of(result: Any) -> bytes:
    [image] = [x for x in result.content if x.type == "image"]
    assert image.mime_type == "image/png"
    return base64.b64decode(image.data)


async def test_preview_returns_image_content_and_checks_fields(mail_app: Frontdesk) -> None:
    sc, _ = await client_with_email(mail_app)
    async with _server(mail_app, sc, "coordinalo") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert {"clientName", "providerName", "date", "time", "sessionId"} <= set(
            tools["comms_render_visual_message"].input_schema["properties"]
        )
        got = await call(
            client,
            "comms_render_visual_message",
            {"action": "preview", "template": "session-confirmation", "language": "es", **SESSION},
        )
        data = _png_of(got)
        out = got.structured_content
        assert out["image"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert out["image"]["bytes"] == len(data) and _image(data).size == (800, out["image"]["height"])
        assert out["fields"]["date"] == "miércoles, 4 de marzo de 2026" and out["language"] == "es"
        missing = await call(
            client,
            "comms_render_visual_message",
            {"action": "preview", "template": "session-reminder", "clientName": "Juan", "date": "2026-03-04"},
            error=True,
        )
        err = missing.structured_content["error"]
        assert err["field"] == "providerName" and "needs providerName" in err["message"]
        payment = await call(
            client,
            "comms_render_visual_message",
            {"action": "preview", "template": "payment-reminder", "clientName": "Juan", "amount": 4500},
            error=True,
        )
        assert payment.structured_content["error"]["field"] == "currency"
        unused = await call(
            client,
            "comms_render_visual_message",
            {"action": "preview", "template": "session-reminder", **SESSION, "amount": 5},
            error=True,
        )
        assert unused.structured_content["error"]["field"] == "amount"
        bad_day = await call(
            client,
            "comms_render_visual_message",
            {"action": "preview", "template": "session-reminder", **SESSION, "date": "04/03/2026"},
            error=True,
        )
        assert "YYYY-MM-DD" in bad_day.structured_content["error"]["message"]
    async with _server(mail_app, sc, "frontdesk") as client:
        mine = await call(
            client,
            "render_visual_message",
            {
                "action": "preview",
                "template": "payment-reminder",
                "client_id": sc.juan,
                "amount": 4500,
                "currency": "USD",
            },
        )
        out = mine.structured_content
        assert out["fields"] == {"clientName": "Juan Perez", "amount": "$45.00"} and out["language"] == "en"
        assert _image(_png_of(mine)).size[0] == 800


async def test_a_session_fills_the_fields_in_the_clients_language(mail_app: Frontdesk) -> None:
    sc, _ = await client_with_email(mail_app)
    async with mail_app.db.write() as s:
        now = mail_app.clock()
        s.add(
            c.PatientProfile(
                practice_id=sc.practice_id,
                patient_id=sc.juan,
                language="pt-BR",
                status="active",
                created_at=now,
                created_by="test",
                updated_at=now,
            )
        )
        await s.execute(
            update(m.Service)
            .where(m.Service.practice_id == sc.practice_id, m.Service.id == sc.cleaning)
            .values(price_cents=4500, currency="EUR")
        )
    appt = await mail_app.appointments.book(
        sc.principal,
        BookingRequest(
            provider_id=sc.garcia,
            datebook_id=sc.ny,
            starts_at="2026-03-04T10:00",
            patient_id=sc.juan,
            service_id=sc.cleaning,
        ),
    )
    async with _server(mail_app, sc, "coordinalo") as client:
        base = {"action": "preview", "sessionId": appt.id}
        got = await call(client, "comms_render_visual_message", {**base, "template": "session-reminder"})
        out = got.structured_content
        assert out["language"] == "pt"
        assert out["fields"] == {
            "clientName": "Juan Perez",
            "providerName": "Dr. Ana Garcia",
            "date": "quarta-feira, 4 de março de 2026",
            "time": "10:00",
            "serviceName": "Cleaning",
            "location": "Main Street",
        }
        over = await call(
            client,
            "comms_render_visual_message",
            {**base, "template": "session-reminder", "clientName": "Juanito", "language": "es"},
        )
        assert over.structured_content["fields"]["clientName"] == "Juanito"
        assert _png_of(over) != _png_of(got)
        pay = await call(client, "comms_render_visual_message", {**base, "template": "payment-reminder"})
        assert pay.structured_content["fields"]["amount"] == "€\u00a045,00"
        other = await call(
            client,
            "comms_render_visual_message",
            {**base, "template": "session-reminder", "clientId": sc.maria},
            error=True,
        )
        assert other.structured_content["error"]["field"] == "sessionId"
    async with mail_app.db.read() as s:
        read = (
            await s.execute(
                select(m.AuditEvent.record_type, m.AuditEvent.record_id).where(
                    m.AuditEvent.practice_id == sc.practice_id, m.AuditEvent.action == "comms.visual.preview"
                )
            )
        ).all()
    assert ("appointment", str(appt.id)) in {(t, str(i)) for t, i in read}  # a preview is an audited read


async def test_send_emails_the_png_once(mail_app: Frontdesk, inbox: tuple[Inbox, SmtpSettings]) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    args = {"action": "send", "template": "session-confirmation", "clientId": sc.juan, **SESSION}
    async with _server(mail_app, sc, "coordinalo") as client:
        unconfirmed = await call(client, "comms_render_visual_message", args, error=True)
        assert unconfirmed.structured_content["error"]
        whatsapp = await call(
            client,
            "comms_render_visual_message",
            {**args, "channel": "whatsapp", "confirm": True},
            error=True,
        )
        assert whatsapp.structured_content["error"]["field"] == "channel"
        assert "not configured" in whatsapp.structured_content["error"]["message"]
        nobody = {**args, "clientId": 999_999_999, "confirm": True}
        no_client = await call(client, "comms_render_visual_message", nobody, error=True)
        assert no_client.structured_content["error"]["field"] == "clientId"
        sent = await call(client, "comms_render_visual_message", {**args, "confirm": True})
        message = sent.structured_content["message"]
        assert message["channel"] == "email" and message["recipient"] == address
        shown = _png_of(sent)
        keyed = {**args, "confirm": True, "idempotencyKey": "card-1"}
        first = await call(client, "comms_render_visual_message", keyed)
        again = await call(client, "comms_render_visual_message", keyed)
        assert again.structured_content["message"] == first.structured_content["message"]
        assert _png_of(again) == shown
    await mail_app.worker().drain()
    await mail_app.worker().drain()
    assert len(box.to(address)) == 2  # the keyed send once, though asked twice
    msg = box.to(address)[0]
    assert msg["Subject"] == message["subject"] == "Appointment confirmed · Test Practice"
    [part] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert part.get_content_disposition() == "inline"
    assert part.get_content() == shown  # the image the sender saw is the one sent
    html = msg.get_body(("html",))  # inside multipart/related, with the image
    assert html is not None and html.get_content_type() == "text/html"
    cid = str(part["Content-ID"]).strip("<>")
    assert f'src="cid:{cid}"' in html.get_content() and "Dra. Ana García" in html.get_content()
    assert "Dra. Ana García" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    async with _server(mail_app, sc, "coordinalo") as client:
        await call(client, "comms_update_preferences", {"clientId": sc.juan, "email": False})
        refused = await call(client, "comms_render_visual_message", {**args, "confirm": True}, error=True)
        assert "opted out" in refused.structured_content["error"]["message"]


async def test_send_without_email_channel_is_refused(app: Frontdesk, scenario: Scenario) -> None:
    async with _server(app, scenario, "frontdesk") as client:
        refused = await call(
            client,
            "render_visual_message",
            {
                "action": "send",
                "template": "session-reminder",
                "client_id": scenario.juan,
                "client_name": "Juan",
                "provider_name": "Dr. Ana Garcia",
                "date": "2026-03-04",
                "time": "10:00",
                "confirm": True,
            },
            error=True,
        )
        err = refused.structured_content["error"]
        assert err["field"] == "channel" and "email channel is not configured" in err["message"]
