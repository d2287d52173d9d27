"""The prompts: the front desk's usual tasks, each telling the assistant which tools to use in which
order. Their arguments (doctor, patient, service, datebook) are completed by `completion/complete`
(mcp/completions.py).

`declare()` (from `new_server()`, SDK only) registers them and a strict `prompts/get`: an unknown
prompt, an unknown or missing argument, or a malformed value is JSON-RPC -32602 naming the field and
the rule. `install()` then lists and serves each prompt only to credentials holding its scope, as the
tool guard does for tools."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    GetPromptRequestParams,
    GetPromptResult,
    InputRequiredResult,
    ListPromptsResult,
    PaginatedRequestParams,
    PromptMessage,
    TextContent,
)

from frontdesk.domain import access

if TYPE_CHECKING:
    from frontdesk.services.context import Principal

# The tools the prompts name (the main /mcp surface). Change them here only.
LIST_DATEBOOKS = "list_datebooks"
LIST_DOCTORS = "list_doctors"
LIST_SERVICES = "list_services"
LIST_APPOINTMENTS = "list_appointments"
FIND_AVAILABLE_SLOTS = "find_available_slots"
CREATE_APPOINTMENT = "create_appointment"
UPDATE_APPOINTMENT = "update_appointment"
HOLD_SLOT = "hold_slot"
CONFIRM_APPOINTMENT = "confirm_appointment"
FIND_PATIENTS = "find_patients"
MANAGE_PATIENT = "manage_patient"
REVIEW_PATIENT_HISTORY = "review_patient_history"
DOCUMENT_ENCOUNTER = "document_encounter"

MAX_VALUE = 120  # characters per argument value
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Arg:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class PromptSpec:
    name: str
    title: str
    description: str
    args: tuple[Arg, ...]
    scopes: tuple[str, ...]  # the credential needs one of these
    text: Callable[[Mapping[str, str]], str]

    def allowed(self, scopes: frozenset[str]) -> bool:
        return any(s in scopes for s in self.scopes)


PATIENT = Arg("patient", "The patient's name, as the practice has it (completion offers them).", True)
DOCTOR = Arg("doctor", "The doctor's name (completion offers the practice's doctors).")
SERVICE = Arg("service", "The service or visit type, e.g. a cleaning (completion offers them).")
DATEBOOK = Arg("datebook", "The location's datebook (completion offers them).")
DATE = Arg("date", "A day: today, tomorrow or YYYY-MM-DD, in the datebook's time zone.")


def _q(value: str) -> str:
    return f"“{value}”"


def _day(args: Mapping[str, str], default: str) -> str:
    day = args.get("date")
    if day is None:
        return default
    return day if day in ("today", "tomorrow") else f"on {day}"


def _book(a: Mapping[str, str]) -> str:
    parts = [f"Book an appointment for the patient {_q(a['patient'])}"]
    if "service" in a:
        parts.append(f"for {_q(a['service'])}")
    if "doctor" in a:
        parts.append(f"with {_q(a['doctor'])}")
    if "datebook" in a:
        parts.append(f"at {_q(a['datebook'])}")
    parts.append(_day(a, "at the first time that suits the patient"))
    return f"""{" ".join(parts)}.

Use Frontdesk's tools in this order:
1. {FIND_PATIENTS} with the patient's name, for their patient id. If several patients match, ask me which \
one (date of birth or phone); if none does, ask whether to register them with {MANAGE_PATIENT}.
2. {LIST_DOCTORS} and {LIST_SERVICES} for the doctor's and the service's ids (ask me to choose when I \
have not said), and {LIST_DATEBOOKS} when the doctor works in more than one place.
3. {FIND_AVAILABLE_SLOTS} for that doctor, service and day; show me at most five times, in the \
datebook's local time.
4. When I pick one, {CREATE_APPOINTMENT} with the patient, doctor, service and the exact start time \
{FIND_AVAILABLE_SLOTS} gave. If the patient needs a moment to decide, {HOLD_SLOT} keeps the time for \
five minutes and {CONFIRM_APPOINTMENT} books it.
Never book a time I have not chosen. If a tool answers an error, tell me what it says and what to \
change; do not retry with guessed values."""


def _schedule(a: Mapping[str, str]) -> str:
    where = f" at {_q(a['datebook'])}" if "datebook" in a else ""
    who = f" for {_q(a['doctor'])}" if "doctor" in a else ""
    return f"""Show me the schedule {_day(a, "today")}{where}{who}.

1. {LIST_DATEBOOKS} for the datebook{" named " + _q(a["datebook"]) if "datebook" in a else "s"} and \
time zone ("today" is today there); {LIST_DOCTORS} for the doctor's id when one is named.
2. {LIST_APPOINTMENTS} for that datebook{" and doctor" if who else ""}, from the start to the end of \
that day in the datebook's time zone.
3. List them by time: time, patient, doctor, service and status. Point out free gaps of 30 minutes or \
more, holds not yet confirmed, and cancellations (separately).
Only read the schedule: change nothing."""


def _change(a: Mapping[str, str]) -> str:
    which = f"the appointment of {_q(a['patient'])}"
    if "date" in a:
        which += f" {_day(a, '')}"
    if "doctor" in a:
        which += f" with {_q(a['doctor'])}"
    return f"""Help me reschedule or cancel {which}.

1. {FIND_PATIENTS} for the patient's id (ask me if several match), then {LIST_APPOINTMENTS} for that \
patient to find the appointment; if there are several, ask me which one.
2. Ask me whether to move it or to cancel it (and why, for a cancellation).
3. To move it: {FIND_AVAILABLE_SLOTS} for the same doctor and service, offer at most five times, and \
when I choose one, {UPDATE_APPOINTMENT} with the new start time. To cancel it: {UPDATE_APPOINTMENT} \
with the cancelled status and the reason.
Read the change back to me before calling {UPDATE_APPOINTMENT}, then tell me the result as the tool \
reports it."""


def _chart(a: Mapping[str, str]) -> str:
    return f"""Review the chart of the patient {_q(a["patient"])} before their visit.

1. {FIND_PATIENTS} for the patient's id (ask me if several match).
2. {REVIEW_PATIENT_HISTORY} for that patient: problems and diagnoses, medications, allergies, recent \
vitals and labs, and the last encounters.
3. Summarise it for a clinician in short sections: active problems, current medications, allergies \
(say so plainly when none are recorded), recent results worth attention, open follow-ups.
Only read the chart. If I then want to write the visit's note, use {DOCUMENT_ENCOUNTER}."""


PROMPTS: dict[str, PromptSpec] = {
    p.name: p
    for p in (
        PromptSpec(
            "book_appointment",
            "Book an appointment",
            "Find the patient, the doctor, the service and a free time, then book it (or hold it).",
            (PATIENT, DOCTOR, SERVICE, DATE, DATEBOOK),
            (access.APPOINTMENTS_WRITE,),
            _book,
        ),
        PromptSpec(
            "todays_schedule",
            "Today's schedule",
            "A day's appointments in a datebook, by time, with gaps and unconfirmed holds.",
            (DATEBOOK, DOCTOR, DATE),
            (access.APPOINTMENTS_READ,),
            _schedule,
        ),
        PromptSpec(
            "reschedule_or_cancel",
            "Reschedule or cancel",
            "Find a patient's appointment, then move it to a free time or cancel it.",
            (PATIENT, DATE, DOCTOR),
            (access.APPOINTMENTS_WRITE,),
            _change,
        ),
        PromptSpec(
            "review_patient_chart",
            "Review a patient's chart",
            "A clinician's summary of the patient's history before a visit.",
            (PATIENT,),
            (access.CLINICAL_READ,),
            _chart,
        ),
    )
}


def invalid(field: str, rule: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=f"{field}: {rule}", data={"field": field})


def checked(spec: PromptSpec, arguments: Mapping[str, Any] | None) -> dict[str, str]:
    """The prompt's arguments, stripped, with every rule applied; -32602 naming the first that fails."""
    given = dict(arguments or {})
    names = [a.name for a in spec.args]
    for name in given:
        if name not in names:
            shown = name[:40] if isinstance(name, str) else "?"
            rule = f"{spec.name} takes no such argument (it takes {', '.join(names)})"
            raise invalid(f"arguments.{shown}", rule)
    out: dict[str, str] = {}
    for arg in spec.args:
        raw = given.get(arg.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if arg.required:
                raise invalid(f"arguments.{arg.name}", "is required")
            continue
        if not isinstance(raw, str):
            raise invalid(f"arguments.{arg.name}", "must be a string")
        value = " ".join(raw.split())
        if len(value) > MAX_VALUE:
            raise invalid(f"arguments.{arg.name}", f"must be at most {MAX_VALUE} characters")
        if _CONTROL.search(value):
            raise invalid(f"arguments.{arg.name}", "must not contain control characters")
        if arg.name == "date":
            value = _check_day(value)
        out[arg.name] = value
    return out


def _check_day(value: str) -> str:
    lowered = value.lower()
    if lowered in ("today", "tomorrow"):
        return lowered
    try:
        if _ISO_DAY.fullmatch(value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise invalid("arguments.date", "must be today, tomorrow or a date as YYYY-MM-DD")


def render(spec: PromptSpec, arguments: Mapping[str, Any] | None) -> GetPromptResult:
    text = spec.text(checked(spec, arguments))
    message = PromptMessage(role="user", content=TextContent(type="text", text=text))
    return GetPromptResult(description=spec.description, messages=[message])


def _as_prompt(spec: PromptSpec) -> Prompt:
    def fn(**kwargs: str) -> str:  # what MCPServer.get_prompt would run; the handler below renders itself
        return spec.text(checked(spec, kwargs))

    arguments = [
        PromptArgument(name=a.name, description=a.description, required=a.required) for a in spec.args
    ]
    return Prompt(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        arguments=arguments,
        fn=fn,
        context_kwarg=None,
    )


Scopes = Callable[[ServerRequestContext[Any, Any]], frozenset[str] | None]


def _handlers(server: MCPServer[Any], scopes: Scopes) -> None:
    """prompts/list and prompts/get, showing each of ours only to credentials `scopes(ctx)` allows
    (None: everyone). Prompts registered otherwise (`@server.prompt`) keep the SDK's rendering."""
    lowlevel = server._lowlevel_server
    sdk_get = server._handle_get_prompt

    async def list_prompts(
        ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
    ) -> ListPromptsResult:
        held = scopes(ctx)
        shown = [
            p
            for p in await server.list_prompts()
            if held is None or p.name not in PROMPTS or PROMPTS[p.name].allowed(held)
        ]
        return ListPromptsResult(prompts=shown)

    async def get_prompt(
        ctx: ServerRequestContext[Any, Any], params: GetPromptRequestParams
    ) -> GetPromptResult | InputRequiredResult:
        spec = PROMPTS.get(params.name)
        if spec is None:
            if params.name not in {p.name for p in await server.list_prompts()}:
                raise invalid("name", f"no prompt is named {params.name[:64]!r}; prompts/list names them")
            try:
                return await sdk_get(ctx, params)
            except ValueError as exc:  # the SDK's missing-argument and rendering failures
                raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None
        held = scopes(ctx)
        if held is not None and not spec.allowed(held):
            needed = " or ".join(spec.scopes)
            raise invalid("name", f"{spec.name} needs the {needed} scope, which this credential lacks")
        return render(spec, params.arguments)

    lowlevel.add_request_handler("prompts/list", PaginatedRequestParams, list_prompts)
    lowlevel.add_request_handler("prompts/get", GetPromptRequestParams, get_prompt)


def declare(server: MCPServer[Any]) -> None:
    """The prompts and the strict prompts/get, for every caller (before the services are loaded)."""
    for spec in PROMPTS.values():
        server.add_prompt(_as_prompt(spec))
    _handlers(server, lambda ctx: None)


def install(server: MCPServer[Any], caller: Callable[[ServerRequestContext[Any, Any]], Principal]) -> None:
    """From now on each prompt is listed and served to credentials holding its scope."""
    _handlers(server, lambda ctx: caller(ctx).scopes)
