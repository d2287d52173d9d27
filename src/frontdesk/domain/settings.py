"""A practice's settings: every key, its chapter, type, default and rule, declared once.

The chapters are the Coordinalo seed's (basics, availability, communication, finances, policies,
reminders, client_data); a key is written `chapter.name` ("policies.noShowMaxStrikes"). Only values
that differ from the default are stored; `validate` checks a whole change before anything is written,
so one bad key changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from frontdesk.domain.errors import Invalid

CHAPTERS = ("basics", "availability", "communication", "finances", "policies", "reminders", "client_data")

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REGION = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
TEXT_MAX = 500
SET, NOT_SET = "set", "not set"  # how a secret setting is shown back


@dataclass(frozen=True, slots=True)
class Key:
    """One setting. `kind`: bool, int, text, choice, choices (a list drawn from `choices`), time
    (HH:MM), currency (ISO 4217 code), region (ISO 3166-1 alpha-2), timezone (an IANA name, checked
    where zones are known: the services), digits (an id such as a phone number's, or ""), language
    (en, en_US), secret (text that is kept but never shown back: see `shown`)."""

    chapter: str
    name: str
    kind: str
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    lo: int = 0
    hi: int = 10_000

    @property
    def path(self) -> str:
        return f"{self.chapter}.{self.name}"

    @property
    def secret(self) -> bool:
        return self.kind == "secret"

    def shown(self, value: Any) -> Any:
        """The value as a reader may see it: a secret only as "set" or "not set"."""
        if self.secret:
            return SET if value else NOT_SET
        return value

    def check(self, value: Any) -> Any:
        """`value` as stored, or Invalid naming the key and its rule."""
        where = self.path
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise Invalid(f"{where} must be true or false", field=where)
            return value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
                raise Invalid(f"{where} must be a whole number from {self.lo} to {self.hi}", field=where)
            return value
        if not self.kind == "choices" and not isinstance(value, str):
            raise Invalid(f"{where} must be text", field=where)
        if self.kind == "choices":
            if not isinstance(value, list) or any(v not in self.choices for v in value):
                raise Invalid(f"{where} must be a list drawn from: {', '.join(self.choices)}", field=where)
            return sorted(set(value), key=self.choices.index)
        text = value.strip()
        if any(ord(c) < 32 for c in text):
            raise Invalid(f"{where} must not contain control characters", field=where)
        ok, rule = self._fits(text)
        if not ok:
            raise Invalid(f"{where} must be {rule}", field=where)
        return text

    def _fits(self, text: str) -> tuple[bool, str]:
        if self.kind == "choice":
            return text in self.choices, f"one of: {', '.join(self.choices)}"
        if self.kind == "time":  # a key whose default is "" may be cleared (no time)
            ok = bool(_HHMM.match(text)) or (text == "" and self.default == "")
            return ok, "a time of day as HH:MM" + (' or "" for none' if self.default == "" else "")
        if self.kind == "currency":
            return bool(_CURRENCY.match(text)), "an ISO 4217 code such as USD or EUR"
        if self.kind == "region":
            return bool(_REGION.match(text)), "an ISO 3166 country code such as US or ES"
        if self.kind == "timezone":
            return 0 < len(text) <= 64, "an IANA time zone such as America/New_York"
        if self.kind == "secret":  # "set" back from a read is how it is shown, never the secret itself
            return len(text) <= TEXT_MAX and text not in (SET, NOT_SET), (
                f'the secret itself, at most {TEXT_MAX} characters ("" removes it)'
            )
        if self.kind == "language":  # a template's language code as WhatsApp names them: en, en_US, pt_BR
            return bool(
                _LANGUAGE.match(text)
            ) or text == "", 'a language code such as en or en_US ("" for none)'
        if self.kind == "digits":
            return (text.isdigit() and len(text) <= 32) or text == "", 'digits only ("" for none)'
        return len(text) <= TEXT_MAX, f"at most {TEXT_MAX} characters"


def _keys(chapter: str, *specs: tuple[Any, ...]) -> list[Key]:
    return [Key(chapter, *spec) for spec in specs]


STRATEGIES = ("round_robin", "least_booked", "most_available", "priority", "random")

CATALOGUE: dict[str, Key] = {
    k.path: k
    for k in [
        *_keys(
            "basics",
            ("name", "text", "", "The practice's name (also the practice record's)"),
            ("description", "text", "", "A sentence or two about the practice"),
            ("logoUrl", "text", "", "Address (https) of the practice's logo image"),
            (
                "vertical",
                "choice",
                "health",
                "Kind of practice",
                ("health", "dental", "therapy", "wellness", "beauty", "other"),
            ),
            ("timezone", "timezone", "UTC", "The practice's time zone (each location has its own too)"),
            ("currency", "currency", "USD", "Currency of prices and charges (ISO 4217)"),
            ("locale", "choice", "en", "Language of messages and pages", ("en", "es", "pt")),
            ("defaultRegion", "region", "US", "Country assumed for phone numbers written without +code"),
        ),
        *_keys(
            "availability",
            ("weekdayStart", "time", "09:00", "Default opening time Monday to Friday"),
            ("weekdayEnd", "time", "18:00", "Default closing time Monday to Friday"),
            ("saturdayEnabled", "bool", False, "Open on Saturdays by default"),
            ("saturdayStart", "time", "09:00", "Default Saturday opening time"),
            ("saturdayEnd", "time", "13:00", "Default Saturday closing time"),
            ("assistedAssignment", "bool", True, "Assign a provider automatically when a booking names none"),
            (
                "assignmentStrategy",
                "choice",
                "round_robin",
                "How a provider is chosen when none is named",
                STRATEGIES,
            ),
            # How far ahead a client may book is the public agenda's booking policy (minimum and
            # maximum advance, issue 13), not a practice-wide setting.
        ),
        *_keys(
            "communication",
            (
                "channels",
                "choices",
                ["email"],
                "Channels messages may be sent on",
                ("email", "whatsapp", "sms"),
            ),
            ("phoneRequired", "bool", False, "A client must have a phone number"),
            (
                "calendarFeedNames",
                "choice",
                "initials",
                "What a provider's calendar feed shows of each client: initials, or the full name",
                ("initials", "full"),
            ),
            # WhatsApp through the Cloud API: off until the number's id and an access token are set.
            (
                "whatsappPhoneNumberId",
                "digits",
                "",
                "WhatsApp Cloud API: the id of the practice's business phone number",
            ),
            ("whatsappAccessToken", "secret", "", "WhatsApp Cloud API: the access token (never shown)"),
            (
                "whatsappAppSecret",
                "secret",
                "",
                "WhatsApp: the Meta app secret the status webhook's signature is checked with (never shown)",
            ),
            (
                "whatsappVerifyToken",
                "secret",
                "",
                "WhatsApp: the token Meta echoes when the webhook is subscribed (never shown)",
            ),
            (
                "whatsappTemplateLanguage",
                "language",
                "",
                'Language code of the WhatsApp templates, e.g. en_US ("": the client\'s language)',
            ),
            # Campaigns (issue 14): how fast one goes out, and what its predefined audiences mean.
            ("emailPerMinute", "int", 60, "Campaign emails sent per minute at most", (), 1, 6000),
            ("activeMonths", "int", 6, "A client with a visit in this many months is active", (), 1, 60),
            ("newClientDays", "int", 30, "A client added in this many days is new", (), 1, 365),
        ),
        *_keys(
            "finances",
            (
                "providerPaymentType",
                "choice",
                "commission",
                "How providers are paid",
                ("commission", "fixed", "per_session", "none"),
            ),
            ("clientPaymentTiming", "choice", "AFTER", "When clients pay", ("BEFORE", "AFTER")),
            (
                "maxBalance",
                "int",
                0,
                "Largest unpaid balance (minor units) before booking is refused; 0 is no limit",
                (),
                0,
                100_000_000,
            ),
        ),
        *_keys(
            "policies",
            (
                "noShowMaxStrikes",
                "int",
                3,
                "No-shows after which a client cannot book; 0 is never",
                (),
                0,
                100,
            ),
            ("noShowBlockDays", "int", 30, "Days a client with too many no-shows cannot book", (), 0, 3650),
            ("noShowCharge", "int", 0, "Charge for a no-show (minor units)", (), 0, 100_000_000),
            ("noShowAutoApply", "bool", False, "Record the no-show charge without asking"),
            (
                "cancellationType",
                "choice",
                "free",
                "free: cancel any time; penalty: a late cancel is charged; block: a late cancel is refused",
                ("free", "penalty", "block"),
            ),
            ("cancellationDeadlineHours", "int", 24, "How many hours ahead a cancel is on time", (), 0, 720),
            (
                "cancellationPenaltyKind",
                "choice",
                "percent",
                "The late-cancel penalty is an amount or a percent of the service's price",
                ("amount", "percent"),
            ),
            (
                "cancellationPenaltyValue",
                "int",
                0,
                "The penalty: minor units, or percent (0 to 100)",
                (),
                0,
                100_000_000,
            ),
            # The public booking surface (/mcp/public and the booking page): abuse limits.
            (
                "publicRequestsPerMinuteIp",
                "int",
                30,
                "Public booking requests one IP address may make per minute",
                (),
                1,
                10_000,
            ),
            (
                "publicRequestsPerMinutePractice",
                "int",
                600,
                "Public booking requests the practice accepts per minute from everyone together",
                (),
                1,
                100_000,
            ),
            (
                "publicMaxPendingPerContact",
                "int",
                3,
                "Unconfirmed public bookings one email address or phone number may hold at once",
                (),
                1,
                50,
            ),
            (
                "waitlistHoldMinutes",
                "int",
                30,
                "Minutes a freed slot is held for the waitlist entry offered it",
                (),
                1,
                1440,
            ),
        ),
        *_keys(
            "reminders",
            ("session24h", "bool", True, "Remind the client 24 hours before"),
            ("session1h", "bool", False, "Remind the client 1 hour before"),
            ("booking", "bool", True, "Send a message when a booking is made"),
            ("payment", "bool", False, "Remind unpaid charges"),
            (
                "confirmationTimeoutHours",
                "int",
                24,
                "Hours a booking may wait for the client's confirmation",
                (),
                1,
                720,
            ),
            # The detail reminders_get_config / reminders_update_config show per reminder type.
            (
                "session24hHoursBefore",
                "int",
                24,
                "Hours before the session the first reminder goes",
                (),
                1,
                168,
            ),
            ("session24hSendTime", "time", "", "Send the first reminder at this local time instead (HH:MM)"),
            ("session1hHoursBefore", "int", 1, "Hours before the session the last reminder goes", (), 1, 24),
            ("bookingDaysAfter", "int", 1, "Days after booking the follow-up goes", (), 0, 60),
            ("bookingMaxReminders", "int", 1, "Follow-ups after a booking at most", (), 0, 10),
            ("bookingInterval", "int", 1, "Days between booking follow-ups", (), 1, 60),
            ("paymentDaysAfter", "int", 1, "Days after the session an unpaid charge is reminded", (), 0, 60),
            ("paymentMaxReminders", "int", 3, "Payment reminders at most", (), 0, 20),
            ("paymentInterval", "int", 3, "Days between payment reminders", (), 1, 60),
            ("paymentOverdue", "bool", False, "Remind overdue charges"),
            ("overdueDaysOverdue", "int", 7, "Days past due before the overdue reminder", (), 1, 365),
            ("overdueMaxReminders", "int", 3, "Overdue reminders at most", (), 0, 20),
            ("overdueInterval", "int", 7, "Days between overdue reminders", (), 1, 60),
            ("followup", "bool", False, "Ask for a 0-10 score after the session"),
            ("followupDaysAfter", "int", 1, "Days after the session the question goes", (), 0, 60),
            ("followupMaxFollowups", "int", 1, "Questions at most", (), 0, 5),
            ("followupInterval", "int", 2, "Days between questions", (), 1, 60),
            ("pendingConfirmation", "bool", False, "Act on bookings left unconfirmed"),
            ("pendingAutoConfirm", "bool", False, "Confirm, rather than cancel, an unconfirmed booking"),
            ("quietStart", "time", "", 'No message goes from this local time (HH:MM; "" for none)'),
            ("quietEnd", "time", "", "until this local time (HH:MM)"),
        ),
        *_keys(
            "client_data",
            ("lastName", "bool", False, "A new client must have a last name"),
            (
                "rut",
                "bool",
                False,
                "A new client must have a national id (RUT); recorded only: client "
                "records have no national id field yet",
            ),
            ("email", "bool", False, "A new client must have an email address"),
            ("phone", "bool", False, "A new client must have a phone number"),
            (
                "direccion",
                "bool",
                False,
                "A new client must have an address; recorded only: client_create "
                "takes no address yet (manage_patient holds it)",
            ),
        ),
    ]
}


def key(path: str) -> Key:
    found = CATALOGUE.get(path)
    if found is None:
        chapter = path.split(".", 1)[0]
        if chapter in CHAPTERS:
            names = ", ".join(k.name for k in CATALOGUE.values() if k.chapter == chapter)
            raise Invalid(f"{path}: unknown setting (chapter {chapter} has: {names})", field=path)
        raise Invalid(
            f"{path}: unknown setting (keys are chapter.name; chapters: {', '.join(CHAPTERS)})", field=path
        )
    return found


def validate(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Every change checked before any is kept: the values as stored, or Invalid for the first bad key."""
    if not changes:
        raise Invalid("settings must name at least one key", field="settings")
    return {path: key(path).check(value) for path, value in changes.items()}


def chapter(name: str) -> list[Key]:
    if name not in CHAPTERS:
        raise Invalid(f"chapter must be one of: {', '.join(CHAPTERS)}", field="chapter")
    return [k for k in CATALOGUE.values() if k.chapter == name]


def missing_client_data(
    v: Values, *, last_name: str | None, email: str | None, phone: str | None
) -> str | None:
    """The first field a new client lacks that the practice requires (client_data, and
    communication.phoneRequired), or None."""
    given = {"lastName": last_name, "email": email, "phone": phone}
    for key, value in given.items():
        if v[f"client_data.{key}"] and not value:
            return key
    if v["communication.phoneRequired"] and not phone:
        return "phone"
    return None


@dataclass(frozen=True, slots=True)
class Values:
    """A practice's effective settings: stored values over the defaults."""

    stored: Mapping[str, Any]

    def __getitem__(self, path: str) -> Any:
        return self.stored.get(path, CATALOGUE[path].default)

    def chapter(self, name: str) -> dict[str, Any]:
        return {k.name: self[k.path] for k in chapter(name)}
