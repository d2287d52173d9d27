"""The booking page's words in English, Spanish and Portuguese (one small catalogue per language),
and how a visitor's language is chosen: `?lang=` (remembered in a cookie), else the cookie, else
Accept-Language, else English."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

LANGS = ("en", "es", "pt")
NAMES = {"en": "English", "es": "Español", "pt": "Português"}

EN = {
    "day": "Day",
    "earliest": "Earliest free times",
    "show_day": "Show this day",
    "title": "Book an appointment",
    "step_service": "1. Choose a service",
    "step_time": "2. Choose a day and time",
    "step_identity": "3. Your details",
    "step_review": "4. Review and request",
    "service": "Service",
    "minutes": "{n} min",
    "next": "Continue",
    "back": "Back",
    "no_services": "This practice offers no services to book online right now.",
    "no_slots": "No free times in the coming days. Please try another service or call the practice.",
    "time": "Time",
    "with": "with {name}",
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "phone_hint": "Give an email or a phone (or both). Phone with country code, e.g. +34 600 000 000.",
    "when": "When",
    "where": "Where",
    "who": "Name",
    "provider": "With",
    "intent": "I am the person booking (or they asked me to) and I want this appointment.",
    "request": "Request the booking",
    "pending_title": "Booked: please confirm",
    "pending_text": "Your time is held until {time}. Confirm it now, or it will be released.",
    "confirm": "Confirm my booking",
    "link_sent": (
        "We sent a link to confirm it to your {channel}. Open it by {time}, or the time will be released."
    ),
    "channel_email": "email",
    "channel_whatsapp": "WhatsApp",
    "channel_sms": "phone (SMS)",
    "link_title": "Confirm your booking",
    "link_text": "Press the button to confirm your booking.",
    "confirmed_title": "Your booking is confirmed",
    "manage_text": "Keep this link to see, move or cancel your booking:",
    "manage": "Manage my booking",
    "manage_title": "My booking",
    "status": "Status",
    "cancel": "Cancel this booking",
    "cancelled_title": "Your booking is cancelled",
    "reschedule": "Choose another time",
    "reschedule_title": "Choose a new time",
    "move": "Move my booking",
    "not_found": "This booking link is not valid (or no longer is).",
    "no_practice": "There is no booking page here.",
    "expired_form": "This form has expired; please try again.",
    "language": "Language",
    "penalty": "Late-cancellation charge",
    "status_pending_confirmation": "waiting for your confirmation",
    "status_scheduled": "booked",
    "status_confirmed": "confirmed",
    "status_cancelled": "cancelled",
}

ES = {
    "day": "Día",
    "earliest": "Primeras horas libres",
    "show_day": "Ver este día",
    "title": "Reservar una cita",
    "step_service": "1. Elija un servicio",
    "step_time": "2. Elija día y hora",
    "step_identity": "3. Sus datos",
    "step_review": "4. Revisar y solicitar",
    "service": "Servicio",
    "minutes": "{n} min",
    "next": "Continuar",
    "back": "Volver",
    "no_services": "Este centro no ofrece servicios para reservar en línea ahora mismo.",
    "no_slots": "No hay horas libres en los próximos días. Pruebe otro servicio o llame al centro.",
    "time": "Hora",
    "with": "con {name}",
    "full_name": "Nombre completo",
    "email": "Correo electrónico",
    "phone": "Teléfono",
    "phone_hint": "Indique un correo o un teléfono (o ambos). Teléfono con prefijo, p. ej. +34 600 000 000.",
    "when": "Cuándo",
    "where": "Dónde",
    "who": "Nombre",
    "provider": "Con",
    "intent": "Soy quien reserva (o me lo ha pedido) y quiero esta cita.",
    "request": "Solicitar la reserva",
    "pending_title": "Reservado: confirme, por favor",
    "pending_text": "Su hora queda retenida hasta las {time}. Confírmela ahora o se liberará.",
    "confirm": "Confirmar mi reserva",
    "link_sent": (
        "Le enviamos un enlace para confirmarla a su {channel}. "
        "Ábralo antes de las {time}, o la hora se liberará."
    ),
    "channel_email": "correo electrónico",
    "channel_whatsapp": "WhatsApp",
    "channel_sms": "teléfono (SMS)",
    "link_title": "Confirme su reserva",
    "link_text": "Pulse el botón para confirmar su reserva.",
    "confirmed_title": "Su reserva está confirmada",
    "manage_text": "Guarde este enlace para ver, cambiar o cancelar su reserva:",
    "manage": "Gestionar mi reserva",
    "manage_title": "Mi reserva",
    "status": "Estado",
    "cancel": "Cancelar esta reserva",
    "cancelled_title": "Su reserva está cancelada",
    "reschedule": "Elegir otra hora",
    "reschedule_title": "Elija una nueva hora",
    "move": "Cambiar mi reserva",
    "not_found": "Este enlace de reserva no es válido (o ya no lo es).",
    "no_practice": "Aquí no hay página de reservas.",
    "expired_form": "Este formulario ha caducado; inténtelo de nuevo.",
    "language": "Idioma",
    "penalty": "Cargo por cancelación tardía",
    "status_pending_confirmation": "pendiente de su confirmación",
    "status_scheduled": "reservada",
    "status_confirmed": "confirmada",
    "status_cancelled": "cancelada",
}

PT = {
    "day": "Dia",
    "earliest": "Primeiros horários livres",
    "show_day": "Ver este dia",
    "title": "Marcar uma consulta",
    "step_service": "1. Escolha um serviço",
    "step_time": "2. Escolha o dia e a hora",
    "step_identity": "3. Os seus dados",
    "step_review": "4. Rever e pedir",
    "service": "Serviço",
    "minutes": "{n} min",
    "next": "Continuar",
    "back": "Voltar",
    "no_services": "Esta clínica não oferece serviços para marcar online neste momento.",
    "no_slots": "Não há horários livres nos próximos dias. Tente outro serviço ou ligue para a clínica.",
    "time": "Hora",
    "with": "com {name}",
    "full_name": "Nome completo",
    "email": "E-mail",
    "phone": "Telefone",
    "phone_hint": "Indique um e-mail ou um telefone (ou ambos). "
    "Telefone com indicativo, ex. +351 910 000 000.",
    "when": "Quando",
    "where": "Onde",
    "who": "Nome",
    "provider": "Com",
    "intent": "Sou eu quem marca (ou pediram-me) e quero esta consulta.",
    "request": "Pedir a marcação",
    "pending_title": "Marcado: confirme, por favor",
    "pending_text": "O seu horário fica reservado até às {time}. Confirme agora, ou será libertado.",
    "confirm": "Confirmar a marcação",
    "link_sent": (
        "Enviámos uma ligação para a confirmar para o seu {channel}. "
        "Abra-a até às {time}, ou o horário será libertado."
    ),
    "channel_email": "e-mail",
    "channel_whatsapp": "WhatsApp",
    "channel_sms": "telefone (SMS)",
    "link_title": "Confirme a sua marcação",
    "link_text": "Carregue no botão para confirmar a sua marcação.",
    "confirmed_title": "A sua marcação está confirmada",
    "manage_text": "Guarde este link para ver, mudar ou cancelar a marcação:",
    "manage": "Gerir a minha marcação",
    "manage_title": "A minha marcação",
    "status": "Estado",
    "cancel": "Cancelar esta marcação",
    "cancelled_title": "A sua marcação está cancelada",
    "reschedule": "Escolher outra hora",
    "reschedule_title": "Escolha uma nova hora",
    "move": "Mudar a marcação",
    "not_found": "Este link de marcação não é válido (ou já não é).",
    "no_practice": "Não há página de marcações aqui.",
    "expired_form": "Este formulário expirou; tente de novo.",
    "language": "Idioma",
    "penalty": "Taxa de cancelamento tardio",
    "status_pending_confirmation": "à espera da sua confirmação",
    "status_scheduled": "marcada",
    "status_confirmed": "confirmada",
    "status_cancelled": "cancelada",
}

CATALOGUES = {"en": EN, "es": ES, "pt": PT}


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for asked in (query, cookie):
        if asked in LANGS:
            return asked
    wanted = []
    for part in (accept_language or "").split(",")[:20]:
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag:
            wanted.append((weight, tag.replace("-", "_")))
    wanted.sort(key=lambda x: -x[0])
    try:
        found = Locale.negotiate([t for _, t in wanted], list(LANGS))
    except (UnknownLocaleError, ValueError):
        found = None
    return found.language if found is not None and found.language in LANGS else "en"
