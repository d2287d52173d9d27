"""The booking page tells why the service refused in the visitor's language (es/pt/en), chosen by
the refusal's decision or its kind and field, never by showing the service's own (English, field-
naming) message: over HTTP on SQLite and PostgreSQL for a taken time and an invalid phone in each
language, and the mapping for every refusal the public booking service makes."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Conflict, Declined, FrontdeskError, Internal, Invalid, NotFound
from frontdesk.http.booking_text import LANGS, REFUSALS, refusal, refusal_key
from tests.factories import Scenario
from tests.http.booking import form, radios, refused, sc, web

__all__ = ["sc", "web"]  # fixtures


async def _details(web: httpx2.AsyncClient, base: str, sc: Scenario, lang: str) -> dict[str, Any]:
    """A create form for the first free time, with the visitor's language."""
    times = await web.get(base, params={"service": sc.cleaning, "lang": lang})
    slot = radios(times.text, "slot")[0]
    data: dict[str, Any] = form(times.text, "day-form") | {"csrf": web.cookies["fd_book_csrf"]}
    return data | {"step": "create", "slot": slot, "intent": "yes", "phone": ""}


@pytest.mark.parametrize("lang", LANGS)
async def test_a_taken_time_is_told_in_the_visitors_language(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario, lang: str
) -> None:
    await app.agendas.create(sc.principal, "garcia", {"title": "Dr. Garcia", "provider_id": sc.garcia}, None)
    base = f"/{sc.slug}/agenda/garcia"
    data = await _details(web, base, sc, lang)
    first = await web.post(base, data=data | {"full_name": "Ana Ruiz", "email": "ana@example.org"})
    assert first.status_code == 201
    taken = await web.post(base, data=data | {"full_name": "Rui Lopes", "email": "rui@example.org"})
    assert taken.status_code == 409 and f'<html lang="{lang}">' in taken.text
    assert refused(taken.text) == REFUSALS[lang]["slot_taken"]


@pytest.mark.parametrize("lang", LANGS)
async def test_an_invalid_phone_is_told_in_the_visitors_language(
    web: httpx2.AsyncClient, sc: Scenario, lang: str
) -> None:
    base = f"/{sc.slug}/book"
    data = await _details(web, base, sc, lang)
    bad = await web.post(base, data=data | {"full_name": "Ana Ruiz", "email": "", "phone": "12"})
    assert bad.status_code == 422 and 'id="review-form"' in bad.text  # the form kept, to fix it
    assert refused(bad.text) == REFUSALS[lang]["invalid_phone"]
    assert "requester" not in bad.text and "E.164" not in bad.text


async def test_too_many_pending_bookings_and_the_rate_limit_in_spanish(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    await app.practice_settings.update(sc.principal, {"policies.publicMaxPendingPerContact": 1})
    base = f"/{sc.slug}/book"
    data = await _details(web, base, sc, "es")
    who = {"full_name": "Ana Ruiz", "email": "ana@example.org"}
    assert (await web.post(base, data=data | who)).status_code == 201
    again = await web.post(base, data=data | who)
    assert again.status_code == 422 and refused(again.text) == REFUSALS["es"]["pending_limit"]
    await app.practice_settings.update(sc.principal, {"policies.publicRequestsPerMinuteIp": 1})
    for _ in range(3):
        limited = await web.get(base)
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
    assert refused(limited.text).startswith("Demasiadas solicitudes desde su conexión. Inténtelo de nuevo en")


TOKEN = NotFound("no booking matches this token", field="bookingToken")
CASES: list[tuple[FrontdeskError, dict[str, str] | None, str]] = [
    (Conflict("the time is taken", field="starts_at"), None, "slot_taken"),
    (
        Declined("too many", details={"decision": "rate_limited", "retryAfterSeconds": 7}),
        None,
        "rate_limited",
    ),
    (Declined("3 unconfirmed", field="requester"), None, "pending_limit"),
    (Invalid("requester.fullName is required", field="requester.fullName"), None, "invalid_name"),
    (Invalid("bad", field="requester.email"), {"email": "x@", "phone": ""}, "invalid_email"),
    (Invalid("give one", field="requester.email"), {"email": "", "phone": ""}, "contact_required"),
    (Invalid("bad", field="requester.phone"), None, "invalid_phone"),
    (Invalid("must be true", field="authorization.humanIntentConfirmed"), None, "no_intent"),
    (
        Conflict(
            "cancellations must be made 24 hours ahead", field="confirm", details={"deadline_hours": 24}
        ),
        None,
        "policy_deadline",
    ),
    (Invalid("book at least 60 minutes ahead", field="scheduledAt"), None, "policy_time"),
    (Conflict("a cancelled booking cannot be changed", field="bookingToken"), None, "invalid_state"),
    (TOKEN, None, "token"),
    (NotFound("expired", field="confirmationToken"), None, "token"),
    (NotFound("no service", field="serviceId"), None, "service"),
    (Invalid("give providerId", field="providerId"), None, "provider_needed"),
    (NotFound("no provider", field="providerId"), None, "provider"),
    (Internal("incident 1234: database down"), None, "other"),
]


@pytest.mark.parametrize(("exc", "given", "key"), CASES, ids=[c[2] + ":" + (c[0].field or "") for c in CASES])
def test_each_refusal_has_its_words_in_every_language(
    exc: FrontdeskError, given: dict[str, str] | None, key: str
) -> None:
    assert refusal_key(exc, given) == key
    texts = {lang: refusal(exc, lang, given) for lang in LANGS}
    assert len(set(texts.values())) == 3  # three languages, three texts
    for text in texts.values():
        assert exc.message not in text and "{" not in text
    if key == "rate_limited":
        assert "7" in texts["pt"]


def test_the_catalogues_have_the_same_refusals() -> None:
    assert REFUSALS["en"].keys() == REFUSALS["es"].keys() == REFUSALS["pt"].keys()
