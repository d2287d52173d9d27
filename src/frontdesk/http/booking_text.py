"""The booking page's words in English, Spanish and Portuguese (one small catalogue per language),
and how a visitor's language is chosen: `?lang=` (remembered in a cookie), else the cookie, else
Accept-Language, else English."""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale, UnknownLocaleError

from frontdesk.domain.errors import Conflict, Declined, FrontdeskError, Invalid, NotFound

LANGS = ("en", "es", "pt")
NAMES = {"en": "English", "es": "Español", "pt": "Português"}

EN = {
    "day": "Day",
    "earliest": "Earliest free times",
    "show_day": "Show this day",
    "title": "Book an appointment",
    "step_provider": "Choose who you want to see",
    "provider_any": "Anyone available",
    "step_service": "Choose a service",
    "step_time": "Choose a day and time",
    "step_identity": "Your details",
    "step_review": "Review and request",
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
    "step_provider": "Elija con quién quiere la cita",
    "provider_any": "Cualquier profesional disponible",
    "step_service": "Elija un servicio",
    "step_time": "Elija día y hora",
    "step_identity": "Sus datos",
    "step_review": "Revisar y solicitar",
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
    "step_provider": "Escolha com quem quer a consulta",
    "provider_any": "Qualquer profissional disponível",
    "step_service": "Escolha um serviço",
    "step_time": "Escolha o dia e a hora",
    "step_identity": "Os seus dados",
    "step_review": "Rever e pedir",
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

# Why the service refused a request, in the patient's words: keyed by the refusal (its decision or
# its error code and field, see `refusal`), never the service's own message, which names internal
# fields (requester.phone, humanIntentConfirmed) and is in English.
EN_REFUSALS = {
    "slot_taken": "Sorry, this time was just taken by someone else. Please choose another time.",
    "rate_limited": "Too many requests from your connection. Please try again in {seconds} seconds.",
    "pending_limit": "This email or phone already has bookings waiting for confirmation. "
    "Confirm or cancel one of them first.",
    "invalid_name": "Please write your full name.",
    "invalid_email": "This email address is not valid. Please check it.",
    "invalid_phone": "This phone number is not valid. Please write it with its country code, "
    "e.g. +34 600 000 000.",
    "contact_required": "Please give an email or a phone number so the practice can reach you.",
    "no_intent": "Please tick the box to confirm that you want this appointment.",
    "policy_deadline": "It is too late to cancel or move this booking online. Please call the practice.",
    "policy_time": "This time cannot be booked online (too soon, too far ahead, or today). "
    "Please choose another time.",
    "invalid_state": "This booking can no longer be changed.",
    "token": "This link is not valid, or no longer is. Please start again.",
    "service": "This service cannot be booked online here. Please choose another one.",
    "provider_needed": "Please choose who you want to see.",
    "provider": "This person does not take online bookings for this service. Please choose again.",
    "other": "Your request could not be completed. Please start again or call the practice.",
}

ES_REFUSALS = {
    "slot_taken": "Lo sentimos, otra persona acaba de reservar esta hora. Elija otra hora, por favor.",
    "rate_limited": "Demasiadas solicitudes desde su conexión. Inténtelo de nuevo en {seconds} segundos.",
    "pending_limit": "Este correo o teléfono ya tiene reservas pendientes de confirmar. "
    "Confirme o cancele una de ellas primero.",
    "invalid_name": "Escriba su nombre completo, por favor.",
    "invalid_email": "Este correo electrónico no es válido. Revíselo, por favor.",
    "invalid_phone": "Este número de teléfono no es válido. "
    "Escríbalo con su prefijo, p. ej. +34 600 000 000.",
    "contact_required": "Indique un correo o un teléfono para que el centro pueda contactarle.",
    "no_intent": "Marque la casilla para confirmar que quiere esta cita, por favor.",
    "policy_deadline": "Ya es tarde para cancelar o cambiar esta reserva en línea. "
    "Llame al centro, por favor.",
    "policy_time": "Esta hora no se puede reservar en línea (demasiado pronto, demasiado lejos o es hoy). "
    "Elija otra hora, por favor.",
    "invalid_state": "Esta reserva ya no se puede cambiar.",
    "token": "Este enlace no es válido (o ya no lo es). Empiece de nuevo, por favor.",
    "service": "Este servicio no se puede reservar en línea aquí. Elija otro, por favor.",
    "provider_needed": "Elija con quién quiere la cita, por favor.",
    "provider": "Esta persona no acepta reservas en línea para este servicio. Elija de nuevo, por favor.",
    "other": "No se pudo completar su solicitud. Empiece de nuevo o llame al centro.",
}

PT_REFUSALS = {
    "slot_taken": "Lamentamos, outra pessoa acabou de marcar este horário. Escolha outro horário, por favor.",
    "rate_limited": "Demasiados pedidos a partir da sua ligação. Tente de novo dentro de {seconds} segundos.",
    "pending_limit": "Este e-mail ou telefone já tem marcações à espera de confirmação. "
    "Confirme ou cancele uma delas primeiro.",
    "invalid_name": "Escreva o seu nome completo, por favor.",
    "invalid_email": "Este endereço de e-mail não é válido. Verifique-o, por favor.",
    "invalid_phone": "Este número de telefone não é válido. Escreva-o com o indicativo, "
    "ex. +351 910 000 000.",
    "contact_required": "Indique um e-mail ou um telefone para que a clínica o possa contactar.",
    "no_intent": "Assinale a caixa para confirmar que quer esta consulta, por favor.",
    "policy_deadline": "Já é tarde para cancelar ou mudar esta marcação online. "
    "Ligue para a clínica, por favor.",
    "policy_time": "Este horário não pode ser marcado online (demasiado cedo, demasiado longe ou é hoje). "
    "Escolha outro horário, por favor.",
    "invalid_state": "Esta marcação já não pode ser alterada.",
    "token": "Este link não é válido (ou já não é). Comece de novo, por favor.",
    "service": "Este serviço não pode ser marcado online aqui. Escolha outro, por favor.",
    "provider_needed": "Escolha com quem quer a consulta, por favor.",
    "provider": "Esta pessoa não aceita marcações online para este serviço. Escolha de novo, por favor.",
    "other": "Não foi possível concluir o seu pedido. Comece de novo ou ligue para a clínica.",
}

CATALOGUES = {"en": EN, "es": ES, "pt": PT}
REFUSALS = {"en": EN_REFUSALS, "es": ES_REFUSALS, "pt": PT_REFUSALS}
_TOKENS = ("bookingToken", "confirmationToken", "credential")
_TIMES = ("starts_at", "scheduledAt")
_BY_FIELD = {
    "requester.fullName": "invalid_name",
    "requester.phone": "invalid_phone",
    "authorization.humanIntentConfirmed": "no_intent",
    "scheduledAt": "policy_time",
    "serviceId": "service",
}


def refusal_key(exc: FrontdeskError, given: Mapping[str, str] | None = None) -> str:
    """Which REFUSALS entry tells why the service refused: by its decision, else its kind and field
    (the fields the public booking service names). `given` is the form as sent: a refusal naming
    the email when none was given asks for a way to reach the person."""
    field = exc.field or ""
    if exc.details.get("decision") == "rate_limited":
        return "rate_limited"
    if isinstance(exc, Declined) and field == "requester":
        return "pending_limit"
    if isinstance(exc, Conflict):
        if field in _TIMES:
            return "slot_taken"
        return "invalid_state" if field in _TOKENS else "policy_deadline" if field == "confirm" else "other"
    if isinstance(exc, NotFound):
        return (
            "token"
            if field in _TOKENS
            else {"serviceId": "service", "providerId": "provider"}.get(field, "other")
        )
    if isinstance(exc, Invalid):
        if field == "requester.email":
            none_given = given is not None and not (given.get("email") or given.get("phone"))
            return "contact_required" if none_given else "invalid_email"
        if field == "providerId":
            return "provider_needed"
        return _BY_FIELD.get(field, "other")
    return "other"


def refusal(exc: FrontdeskError, lang: str, given: Mapping[str, str] | None = None) -> str:
    text = REFUSALS[lang if lang in REFUSALS else "en"][refusal_key(exc, given)]
    return text.format(seconds=int(exc.details.get("retryAfterSeconds") or 60))


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
