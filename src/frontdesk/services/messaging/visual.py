"""The visual messages (the seed's comms_render_visual_message): session-confirmation, session-reminder
and payment-reminder as cards. Each template needs its own data fields (clientName, providerName, date,
time; clientName, amount, currency for a payment); a card's words are Spanish, Portuguese or English
like the email templates, its dates, times and money formatted as they are (templates.day, clock,
money: babel, in the message's language). `Content` is everything a card shows, in plain JSON values:
a send's queued job carries it and the worker draws the same card the preview showed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, time
from typing import Any

from frontdesk.domain.errors import Invalid
from frontdesk.services.messaging import templates
from frontdesk.services.messaging.card import Card

SESSION = ("session-confirmation", "session-reminder")
TEMPLATES = (*SESSION, "payment-reminder")
# The data fields, as the operation names them (Coordinalo camelCases them: clientName ...).
DATA = (
    "client_name",
    "provider_name",
    "service_name",
    "date",
    "time",
    "location",
    "amount",
    "currency",
    "due_date",
)
REQUIRED = {
    "session-confirmation": ("client_name", "provider_name", "date", "time"),
    "session-reminder": ("client_name", "provider_name", "date", "time"),
    "payment-reminder": ("client_name", "amount", "currency"),
}
OPTIONAL = {
    "session-confirmation": ("service_name", "location"),
    "session-reminder": ("service_name", "location"),
    "payment-reminder": ("due_date", "service_name", "provider_name", "date", "time"),
}
ACCENT = {
    "session-confirmation": (15, 118, 110),
    "session-reminder": (29, 78, 216),
    "payment-reminder": (180, 83, 9),
}

# template -> language -> (title, greeting with {name}, closing line)
WORDS: dict[str, dict[str, tuple[str, str, str]]] = {
    "session-confirmation": {
        "es": ("Cita confirmada", "Hola, {name}. Tu cita está confirmada.", "Te esperamos."),
        "pt": ("Consulta confirmada", "Olá, {name}. Sua consulta está confirmada.", "Esperamos por você."),
        "en": ("Appointment confirmed", "Hello {name}, your appointment is confirmed.", "See you soon."),
    },
    "session-reminder": {
        "es": (
            "Recordatorio de cita",
            "Hola, {name}. Te recordamos tu próxima cita.",
            "Si no puedes asistir, avísanos con anticipación.",
        ),
        "pt": (
            "Lembrete de consulta",
            "Olá, {name}. Lembramos sua próxima consulta.",
            "Se não puder comparecer, avise-nos com antecedência.",
        ),
        "en": (
            "Appointment reminder",
            "Hello {name}, a reminder of your upcoming appointment.",
            "If you cannot come, please let us know in advance.",
        ),
    },
    "payment-reminder": {
        "es": (
            "Recordatorio de pago",
            "Hola, {name}. Tienes un pago pendiente.",
            "Si ya realizaste el pago, ignora este mensaje.",
        ),
        "pt": (
            "Lembrete de pagamento",
            "Olá, {name}. Você tem um pagamento pendente.",
            "Se você já pagou, desconsidere esta mensagem.",
        ),
        "en": (
            "Payment reminder",
            "Hello {name}, you have a payment due.",
            "If you have already paid, please disregard this message.",
        ),
    },
}
LABELS: dict[str, dict[str, str]] = {
    "es": {
        "provider_name": "Profesional",
        "service_name": "Servicio",
        "date": "Fecha",
        "time": "Hora",
        "location": "Lugar",
        "amount": "Monto",
        "due_date": "Vence",
        "session": "Sesión",
    },
    "pt": {
        "provider_name": "Profissional",
        "service_name": "Serviço",
        "date": "Data",
        "time": "Horário",
        "location": "Local",
        "amount": "Valor",
        "due_date": "Vencimento",
        "session": "Sessão",
    },
    "en": {
        "provider_name": "Provider",
        "service_name": "Service",
        "date": "Date",
        "time": "Time",
        "location": "Location",
        "amount": "Amount",
        "due_date": "Due",
        "session": "Session",
    },
}


@dataclass(frozen=True, slots=True)
class Content:
    """What one card shows. Dates and times are the location's local ones (YYYY-MM-DD, HH:MM);
    an amount is in minor units (hundredths, as prices are stored)."""

    template: str
    language: str
    practice: str
    client_name: str | None = None
    provider_name: str | None = None
    service_name: str | None = None
    date: str | None = None
    time: str | None = None
    location: str | None = None
    amount: int | None = None
    currency: str | None = None
    due_date: str | None = None

    def data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> Content:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_given(template: str, given: dict[str, Any]) -> None:
    """The data fields a caller gave: each one the template uses, dates and times well formed."""
    if template not in TEMPLATES:
        raise Invalid(f"template must be one of: {', '.join(TEMPLATES)}", field="template")
    used = (*REQUIRED[template], *OPTIONAL[template])
    for name, value in given.items():
        if value is None:
            continue
        if name not in used:
            raise Invalid(
                f"{name} is not used by template {template} (it takes: {', '.join(used)})", field=name
            )
        if name in ("date", "due_date"):
            _day(value, name)
        elif name == "time":
            _clock(value, name)


def complete(content: Content) -> Content:
    """`content` checked for the fields its template needs: the first missing one is named."""
    for name in REQUIRED[content.template]:
        value = getattr(content, name)
        if value is None or value == "":
            raise Invalid(
                f"template {content.template} needs {name}: give it, or a session_id to fill it in",
                field=name,
            )
    return content


def merged(base: Content, given: dict[str, Any]) -> Content:
    """The fields a session or client filled in, overridden by the ones the caller gave."""
    used = set(REQUIRED[base.template]) | set(OPTIONAL[base.template])
    filled = {k: (v if k in used else None) for k, v in base.data().items() if k in DATA}
    return Content.of(base.data() | filled | {k: v for k, v in given.items() if v is not None})


def shown(c: Content) -> dict[str, str]:
    """The card's data fields as it writes them (camelCase keys, the seed's names)."""
    lang = c.language
    out: dict[str, str] = {}
    for name in (*REQUIRED[c.template], *OPTIONAL[c.template]):
        value = getattr(c, name)
        if value is None or value == "" or name == "currency":
            continue
        if name in ("date", "due_date"):
            text = templates.day(_day(value, name), lang)
        elif name == "time":
            text = templates.clock(_clock(value, name), lang)
        elif name == "amount":
            text = templates.money(int(value), str(c.currency), lang)
        else:
            text = str(value)
        out[_camel(name)] = text
    return out


def card(c: Content) -> Card:
    title, greeting, closing = WORDS[c.template][c.language]
    labels = LABELS[c.language]
    values = shown(c)
    highlight = None
    order: tuple[str, ...]
    if c.template in SESSION:
        order = ("provider_name", "service_name", "date", "time", "location")
        rows = [(labels[n], values[_camel(n)]) for n in order if _camel(n) in values]
    else:
        highlight = (labels["amount"], values["amount"])
        order = ("due_date", "service_name", "provider_name")
        rows = [(labels[n], values[_camel(n)]) for n in order if _camel(n) in values]
        session = " · ".join(values[k] for k in ("date", "time") if k in values)
        if session:
            rows.append((labels["session"], session))
    return Card(
        accent=ACCENT[c.template],
        header=c.practice,
        title=title,
        greeting=greeting.format(name=c.client_name),
        rows=tuple(rows),
        highlight=highlight,
        closing=closing,
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be a day as YYYY-MM-DD (got {value!r})", field=name) from None


def _clock(value: str, name: str) -> time:
    try:
        if len(value) != 5:
            raise ValueError(value)
        return time.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be a local time as HH:MM (got {value!r})", field=name) from None
