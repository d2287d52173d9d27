"""Message templates: the seed's variables ({nombre}, {apellido}, {nombre_completo}, {email},
{telefono}, {organizacion}) plus the appointment's ({fecha}, {hora}, {profesional}, {servicio},
{lugar}, {precio}; a notice's {enlace} and {vence}, notices.py), rendered in a sandboxed Jinja2
environment (a template is the practice's text: it may not reach Python). Dates, times and money are
formatted by babel in the message's locale and the location's time zone. Spanish, Portuguese and
English are shipped; the client's language wins, else the practice's locale."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from frontdesk.domain.errors import Invalid
from frontdesk.services.currencies import major

LANGUAGES = ("es", "pt", "en")
_SEED_VAR = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")

_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_html_env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)

# (subject, body) per kind and language; the body is text, its HTML part made from it (escaped).
SHIPPED: dict[str, dict[str, tuple[str, str]]] = {
    "confirmation": {
        "es": (
            "Cita confirmada: {fecha} {hora}",
            "Hola {nombre}, tu cita de {servicio} con {profesional} "
            "es el {fecha} a las {hora} en {lugar}.\n{organizacion}",
        ),
        "pt": (
            "Consulta confirmada: {fecha} {hora}",
            "Olá {nombre}, sua consulta de {servicio} com "
            "{profesional} é em {fecha} às {hora} em {lugar}.\n{organizacion}",
        ),
        "en": (
            "Appointment confirmed: {fecha} {hora}",
            "Hello {nombre}, your {servicio} appointment with "
            "{profesional} is on {fecha} at {hora} at {lugar}.\n{organizacion}",
        ),
    },
    "reminder": {
        "es": (
            "Recordatorio: {fecha} {hora}",
            "Hola {nombre}, te recordamos tu cita de {servicio} con "
            "{profesional} el {fecha} a las {hora} en {lugar}.\n{organizacion}",
        ),
        "pt": (
            "Lembrete: {fecha} {hora}",
            "Olá {nombre}, lembramos sua consulta de {servicio} com "
            "{profesional} em {fecha} às {hora} em {lugar}.\n{organizacion}",
        ),
        "en": (
            "Reminder: {fecha} {hora}",
            "Hello {nombre}, a reminder of your {servicio} appointment with "
            "{profesional} on {fecha} at {hora} at {lugar}.\n{organizacion}",
        ),
    },
    "cancellation": {
        "es": (
            "Cita cancelada: {fecha} {hora}",
            "Hola {nombre}, tu cita del {fecha} a las {hora} fue cancelada.\n{organizacion}",
        ),
        "pt": (
            "Consulta cancelada: {fecha} {hora}",
            "Olá {nombre}, sua consulta de {fecha} às {hora} foi cancelada.\n{organizacion}",
        ),
        "en": (
            "Appointment cancelled: {fecha} {hora}",
            "Hello {nombre}, your appointment on {fecha} at {hora} was cancelled.\n{organizacion}",
        ),
    },
    # The post-session question (reminders.followup): {enlace} is the feedback page's link.
    "feedback": {
        "es": (
            "¿Cómo fue tu cita en {organizacion}?",
            "Hola {nombre}, gracias por tu visita ({servicio}, {fecha}).\n"
            "Del 0 al 10, ¿qué tan probable es que nos recomiendes? Responde en un minuto:\n"
            "{enlace}\n{organizacion}",
        ),
        "pt": (
            "Como foi sua consulta em {organizacion}?",
            "Olá {nombre}, obrigado pela sua visita ({servicio}, {fecha}).\n"
            "De 0 a 10, qual a probabilidade de nos recomendar? Responda em um minuto:\n"
            "{enlace}\n{organizacion}",
        ),
        "en": (
            "How was your visit to {organizacion}?",
            "Hello {nombre}, thank you for your visit ({servicio}, {fecha}).\n"
            "From 0 to 10, how likely are you to recommend us? It takes a minute:\n"
            "{enlace}\n{organizacion}",
        ),
    },
    # The public booking's confirmation link ({enlace}, valid until {vence}).
    "confirm_link": {
        "es": (
            "Confirma tu reserva: {fecha} {hora}",
            "Hola {nombre}, recibimos tu reserva de {servicio} el {fecha} a las {hora} en {lugar}.\n"
            "Confírmala antes de las {vence} en este enlace; si no, la hora se libera:\n{enlace}\n"
            "{organizacion}",
        ),
        "pt": (
            "Confirme a sua marcação: {fecha} {hora}",
            "Olá {nombre}, recebemos a sua marcação de {servicio} em {fecha} às {hora} em {lugar}.\n"
            "Confirme-a até às {vence} neste link; caso contrário, o horário é libertado:\n{enlace}\n"
            "{organizacion}",
        ),
        "en": (
            "Confirm your booking: {fecha} {hora}",
            "Hello {nombre}, we received your {servicio} booking on {fecha} at {hora} at {lugar}.\n"
            "Confirm it by {vence} with this link, or the time is released:\n{enlace}\n{organizacion}",
        ),
    },
    # A waitlist offer: the slot is held for the client until {vence}; the practice books it for them.
    "waitlist_offer": {
        "es": (
            "Hay una hora para ti: {fecha} {hora}",
            "Hola {nombre}, se liberó una hora de {servicio} con {profesional} el {fecha} a las "
            "{hora} en {lugar}, y la guardamos para ti hasta las {vence}.\nPara tomarla, responde a "
            "este mensaje o llámanos antes de esa hora; después pasa a la siguiente persona en la "
            "lista de espera.\n{organizacion}",
        ),
        "pt": (
            "Há um horário para si: {fecha} {hora}",
            "Olá {nombre}, vagou um horário de {servicio} com {profesional} em {fecha} às {hora} em "
            "{lugar}, e guardamo-lo para si até às {vence}.\nPara o aceitar, responda a esta "
            "mensagem ou ligue-nos antes dessa hora; depois passa para a pessoa seguinte da lista de "
            "espera.\n{organizacion}",
        ),
        "en": (
            "A time for you: {fecha} {hora}",
            "Hello {nombre}, a {servicio} time with {profesional} opened on {fecha} at {hora} at "
            "{lugar}, and we are holding it for you until {vence}.\nTo take it, reply to this message "
            "or call us before then; after that it goes to the next person on the waitlist.\n"
            "{organizacion}",
        ),
    },
}


def language(client_language: str | None, practice_locale: str) -> str:
    """The client's language (BCP 47: "pt-BR" is pt) when shipped, else the practice's locale."""
    if client_language:
        base = client_language.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return practice_locale if practice_locale in LANGUAGES else "en"


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    starts_at: datetime  # UTC
    timezone: str  # the location's
    provider: str
    service: str
    location: str
    price_cents: int | None = None
    currency: str | None = None


def variables(
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
    organization: str,
    lang: str,
    appt: AppointmentFacts | None = None,
) -> dict[str, str]:
    out = {
        "nombre": first_name,
        "apellido": last_name,
        "nombre_completo": f"{first_name} {last_name}".strip(),
        "email": email or "",
        "telefono": phone or "",
        "organizacion": organization,
    }
    if appt is not None:
        local = local_time(appt.starts_at, appt.timezone)
        out |= {
            "fecha": day(local.date(), lang),
            "hora": clock(local.time(), lang),
            "profesional": appt.provider,
            "servicio": appt.service,
            "lugar": appt.location,
            "precio": (
                money(appt.price_cents, appt.currency, lang)
                if appt.price_cents is not None and appt.currency
                else ""
            ),
        }
    return out


# The formats every message uses (the visual cards too): babel, in the message's language.
def local_time(starts_at: datetime, timezone: str) -> datetime:
    """A UTC instant on the location's wall clock."""
    return starts_at.astimezone(ZoneInfo(timezone))


def day(d: date, lang: str) -> str:
    return format_date(d, format="full", locale=lang)


def clock(t: time, lang: str) -> str:
    return format_time(t, format="short", locale=lang)


def money(cents: int, currency: str, lang: str) -> str:
    """Minor units (as prices are stored: hundredths of USD, whole CLP) in the currency, as the language
    writes it."""
    return format_currency(major(cents, currency), currency, locale=lang)


def render(template: str, values: dict[str, str], *, html: bool = False) -> str:
    """Render the practice's or a shipped template; the seed's `{var}` is Jinja's `{{ var }}`.
    An unknown variable or a forbidden construct is refused, naming the template field."""
    source = _SEED_VAR.sub(r"{{ \1 }}", template)
    try:
        return (_html_env if html else _env).from_string(source).render(**values)
    except SecurityError:
        raise Invalid("template: that expression is not allowed in a message", field="template") from None
    except TemplateError as exc:
        raise Invalid(f"template: {exc.message or 'cannot be rendered'}", field="template") from None


def shipped(kind: str, lang: str, values: dict[str, str]) -> tuple[str, str, str]:
    """(subject, text, html) of a shipped template."""
    subject, body = SHIPPED[kind][lang]
    text = render(body, values)
    html_body = render(body, values, html=True).replace("\n", "<br>\n")
    return render(subject, values), text, f"<!doctype html><html><body><p>{html_body}</p></body></html>"
