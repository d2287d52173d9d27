"""Templates, language choice, the SMTP settings' secrecy, the local due time across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.domain.errors import Invalid
from frontdesk.services.messaging import templates
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.messaging.reminders import local_due

FACTS = templates.AppointmentFacts(
    starts_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    timezone="America/Sao_Paulo",
    provider="Dra. Ana",
    service="Limpieza",
    location="Centro",
    price_cents=150000,
    currency="BRL",
)


def _vars(lang: str) -> dict[str, str]:
    return templates.variables(
        first_name="Juan",
        last_name="Pérez",
        email="j@example.com",
        phone="+5511999999999",
        organization="Clínica Sol",
        lang=lang,
        appt=FACTS,
    )


def test_seed_variables_render_with_local_time_and_money_in_the_locale() -> None:
    out = templates.render("{nombre_completo} · {fecha} {hora} · {precio} · {organizacion}", _vars("pt"))
    assert out.startswith("Juan Pérez · quarta-feira, 4 de março de 2026 12:00")  # São Paulo is UTC-3
    assert "R$" in out and "1.500,00" in out and out.endswith("Clínica Sol")


def test_the_sandbox_refuses_reaching_python_and_unknown_variables() -> None:
    with pytest.raises(Invalid) as exc:
        templates.render("{{ nombre.__class__.__mro__ }}", _vars("es"))
    assert exc.value.field == "template"
    with pytest.raises(Invalid):
        templates.render("{desconocido}", _vars("es"))


def test_html_part_escapes_the_values() -> None:
    values = _vars("en") | {"nombre": "<script>x</script>"}
    _subject, text, html = templates.shipped("confirmation", "en", values)
    assert "<script>" in text and "<script>" not in html and "&lt;script&gt;" in html


def test_language_is_the_clients_then_the_practices() -> None:
    assert templates.language("pt-BR", "es") == "pt"
    assert templates.language("fr", "es") == "es"
    assert templates.language(None, "en") == "en"


def test_smtp_password_is_never_shown_back() -> None:
    cfg = SmtpSettings.parse("smtp://ana%40x.org:s3cret@mail.x.org:587", "ana@x.org")
    assert cfg.starttls and not cfg.tls and cfg.password == "s3cret"
    assert "s3cret" not in repr(cfg) and "s3cret" not in cfg.describe()
    assert SmtpSettings.parse("smtps://mail.x.org", "a@x.org").port == 465
    with pytest.raises(Invalid):
        SmtpSettings.parse("http://mail.x.org", "a@x.org")


def test_a_day_before_is_the_same_local_time_across_a_dst_change() -> None:
    # Monday 9 March 2026 10:00 in New York is EDT (14:00 UTC); the Sunday before 8 March was EST.
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    due = local_due(start, "America/New_York", timedelta(days=1))
    assert due == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 10:00 EDT on 8 March (DST began at 02:00)
    due_sat = local_due(datetime(2026, 3, 8, 14, 0, tzinfo=UTC), "America/New_York", timedelta(days=1))
    assert due_sat == datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 10:00 EST on Saturday
