"""Operations: everything a caller can do, each declared once, beside its feature.

An `Operation` names one use case as callers see it: name, title, description, the scopes a credential
needs to see it, safety hints, the input model (every field with its rule), the output model, the
service call and its text summary, and (for a destructive call) the question to put to the person.
A "manage" operation groups several `Action`s under one `action` field, each declaring the fields it
takes once. Adapters build from these declarations alone: the MCP registry makes tools of them
(`frontdesk.mcp.registry`), under Frontdesk's own names on `/mcp` and a seed's names on its surface.

The rules behind an operation (limits, which fields an action takes, whether it needs consent) live
here and in the services it calls, never in an adapter."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, Protocol, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from frontdesk.domain.errors import Invalid
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import KEY_MAX, Idempotency

if TYPE_CHECKING:
    from frontdesk.services.audit import AuditService
    from frontdesk.services.booking.agendas import AgendaService
    from frontdesk.services.booking.public import PublicBookingService
    from frontdesk.services.clients.service import ClientRecordService
    from frontdesk.services.clinical.allergies import AllergyService
    from frontdesk.services.clinical.diagnoses import DiagnosisService
    from frontdesk.services.clinical.encounters import EncounterService
    from frontdesk.services.clinical.fhir import FhirExportService
    from frontdesk.services.clinical.files import FileService
    from frontdesk.services.clinical.history import HistoryService
    from frontdesk.services.clinical.labs import LabService
    from frontdesk.services.clinical.medications import MedicationService
    from frontdesk.services.clinical.notes import NoteService
    from frontdesk.services.clinical.practice import PracticeInfoService
    from frontdesk.services.clinical.recalls import RecallService
    from frontdesk.services.clinical.schedule import PatientScheduleService
    from frontdesk.services.clinical.vitals import VitalService
    from frontdesk.services.directory import DirectoryService
    from frontdesk.services.messaging.campaigns import CampaignService
    from frontdesk.services.messaging.domains import EmailDomainService
    from frontdesk.services.messaging.feedback import FeedbackService
    from frontdesk.services.messaging.service import MessagingService
    from frontdesk.services.messaging.visual_service import VisualService
    from frontdesk.services.patients import PatientService
    from frontdesk.services.scheduling.appointments import AppointmentService
    from frontdesk.services.scheduling.availability import AvailabilityService
    from frontdesk.services.scheduling.bookings import BookingService
    from frontdesk.services.scheduling.feeds import CalendarFeedService
    from frontdesk.services.scheduling.lifecycle import LifecycleService
    from frontdesk.services.scheduling.series import SeriesService
    from frontdesk.services.scheduling.waitlist_service import WaitlistService
    from frontdesk.services.settings import Settings
    from frontdesk.services.setup import Setup

ID_MAX = 2**63 - 1  # every id is a 64-bit integer in the database: larger ones are refused at the edge
PAGE_MAX = 10_000

Style = Literal["frontdesk", "medapp"]


@dataclass(frozen=True, slots=True)
class Hints:
    """What a client may assume about a call (MCP tool annotations)."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool = False  # no operation reaches outside Frontdesk


READ = Hints(read_only=True, destructive=False, idempotent=True)
CREATE = Hints(read_only=False, destructive=False, idempotent=False)
UPDATE = Hints(read_only=False, destructive=True, idempotent=True)
CONFIRM = Hints(read_only=False, destructive=False, idempotent=True)
# A "manage" operation lists and writes; some actions remove or correct records.
MANAGE = Hints(read_only=False, destructive=True, idempotent=False)


class Multiline:
    """Field marker: this text may span lines (newlines and tabs allowed; other controls still refused)."""


MULTILINE = Multiline()
_LINE_BREAKS = frozenset("\n\r\t")


def _control(text: str, multiline: bool) -> str | None:
    """The first control character (Unicode category Cc) the text may not carry, if any."""
    for char in text:
        if unicodedata.category(char) == "Cc" and not (multiline and char in _LINE_BREAKS):
            return char
    return None


class Input(BaseModel):
    """Base of every operation's input: unknown fields and control characters are refused."""

    model_config = ConfigDict(extra="forbid")
    _multiline: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._multiline = frozenset(
            name for name, info in cls.model_fields.items() if any(m is MULTILINE for m in info.metadata)
        )

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        texts = value if isinstance(value, list) else [value]
        multiline = info.field_name in cls._multiline
        for text in texts:
            if isinstance(text, str) and (bad := _control(text, multiline)) is not None:
                raise ValueError(f"must not contain control characters (found U+{ord(bad):04X})")
        return value


# Field types shared by every feature: the bounds are declared here once.
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
OptionalId = Annotated[int | None, Field(ge=1, le=ID_MAX)]
Page = Annotated[int, Field(ge=1, le=PAGE_MAX)]
IdempotencyKey = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=KEY_MAX,
        pattern=r"\S",
        description="Optional, for writes: retrying with the same key and arguments returns the first "
        "result instead of writing twice; the same key with other arguments is an error",
    ),
]
ConfirmFlag = Annotated[
    bool | None,
    Field(
        description="For a destructive change (cancel, delete, merge) when the client cannot ask the "
        "person itself: true once the person agreed"
    ),
]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A resource a result points to (a link), or carries when `data` is given (its content embedded)."""

    uri: str
    name: str
    mime_type: str
    size: int | None = None
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """An image a result shows the caller itself (MCP image content), such as a rendered message."""

    data: bytes
    mime_type: str = "image/png"


@dataclass(frozen=True, slots=True)
class Result:
    """What a call hands back: the output model's data (or its JSON form), a text summary, data for a
    widget (`meta`, MCP `_meta`) where the operation has one, the resources it returns (files) and the
    images it shows."""

    data: BaseModel | dict[str, Any]
    text: str
    meta: dict[str, Any] | None = None
    attachments: tuple[Attachment, ...] = ()
    images: tuple[Image, ...] = ()

    def json(self) -> dict[str, Any]:
        data = self.data
        return data if isinstance(data, dict) else data.model_dump(mode="json", by_alias=True)


InputT = TypeVar("InputT", bound=Input, covariant=True)


class Services(Protocol):
    """The services an operation calls. The composition root's `Frontdesk` is one: declared here, on
    the services' side, so operations need nothing from above them."""

    settings: Settings
    audit: AuditService
    directory: DirectoryService
    patients: PatientService
    client_records: ClientRecordService
    appointments: AppointmentService
    availability: AvailabilityService
    series: SeriesService
    waitlist: WaitlistService
    lifecycle: LifecycleService
    bookings: BookingService
    agendas: AgendaService
    public_booking: PublicBookingService
    patient_schedule: PatientScheduleService
    encounters: EncounterService
    medications: MedicationService
    allergies: AllergyService
    diagnoses: DiagnosisService
    notes: NoteService
    recalls: RecallService
    vitals: VitalService
    labs: LabService
    files: FileService
    history: HistoryService
    practice_info: PracticeInfoService
    fhir: FhirExportService
    setup: Setup
    messaging: MessagingService
    email_domains: EmailDomainService
    calendar_feeds: CalendarFeedService
    feedback: FeedbackService
    visual: VisualService
    campaigns: CampaignService


@dataclass(frozen=True, slots=True)
class Call(Generic[InputT]):
    """One invocation: the services, the caller, the validated input and the person's consent."""

    app: Services
    p: Principal
    args: InputT
    operation: str
    action: str | None = None
    consent: Consent = Consent.MISSING

    @property
    def idem(self) -> Idempotency | None:
        """The call's idempotency key with what makes two calls the same request: the operation, the
        action and the arguments (so a retry through another surface replays too)."""
        key = getattr(self.args, "idempotency_key", None)
        if key is None:
            return None
        body = self.args.model_dump(mode="json", exclude_none=True, exclude={"idempotency_key"})
        digest = json.dumps([self.operation, body], sort_keys=True, default=str)
        return Idempotency(key.strip(), hashlib.sha256(digest.encode()).hexdigest())


Runner = Callable[[Call[Any]], Awaitable[Result]]
Asker = Callable[[Call[Any]], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Action:
    """One action of a manage operation: the fields it takes (declared once) and what it does.
    `ask` returns the question for the person when the action is destructive (None: nothing to ask)."""

    summary: str
    run: Runner
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    ask: Asker | None = None


# Arguments that are never an action's data.
_CONTROL = frozenset({"action", "idempotency_key", "confirm"})


@dataclass(frozen=True)
class Operation:
    """One operation, declared once. Exactly one of `run` (a single call) and `actions` is given."""

    name: str
    title: str
    description: str
    scopes: tuple[str, ...]  # the operation is listed to a credential holding any of them
    hints: Hints
    input: type[Input]
    output: type[BaseModel]
    run: Runner | None = None
    actions: Mapping[str, Action] | None = None
    ask: Asker | None = None
    meta: dict[str, Any] | None = None  # static data about the tool (e.g. a widget template)
    style: Style = "frontdesk"  # how errors are shaped: Frontdesk's {error: {...}} or MedApp's
    _fields: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = frozenset(self.input.model_fields)
        object.__setattr__(self, "_fields", fields)
        if (self.run is None) == (self.actions is None):
            raise TypeError(f"{self.name}: give run or actions, not both")
        for name, act in (self.actions or {}).items():
            unknown = (set(act.required) | set(act.optional)) - fields
            if unknown:
                raise TypeError(f"{self.name}.{name}: no such fields {sorted(unknown)}")
        if self.actions is not None:
            choices = self.input.model_fields.get("action")
            if choices is None or set(get_args(choices.annotation)) != set(self.actions):
                raise TypeError(f"{self.name}: `action` must be a Literal of exactly its actions")

    @property
    def consents(self) -> bool:
        """Whether some call of it may need the person's consent."""
        return self.ask is not None or any(a.ask is not None for a in (self.actions or {}).values())

    def action_of(self, args: Input) -> Action | None:
        if self.actions is None:
            return None
        return self.actions[str(getattr(args, "action"))]  # noqa: B009 (declared by every manage input)

    def check(self, args: Input) -> None:
        """A manage call's fields against its action: every required one given, no field it does not use."""
        act = self.action_of(args)
        if act is None:
            return
        name = getattr(args, "action")  # noqa: B009
        given = args.model_dump(exclude_none=True)
        for f in act.required:
            if given.get(f) is None:
                raise Invalid(f"{f} is required for action {name}", field=f)
        allowed = set(act.required) | set(act.optional)
        for f in given:
            if f in _CONTROL or f in allowed or type(args).model_fields[f].default == given[f]:
                continue
            takes = ", ".join([*act.required, *act.optional]) or "no other fields"
            raise Invalid(f"{f} is not used by action {name} (it takes: {takes})", field=f)

    async def question(self, call: Call[Any]) -> str | None:
        """What to ask the person before this call changes anything, or None when nothing needs asking."""
        act = self.action_of(call.args)
        ask = act.ask if act is not None else self.ask
        if ask is None:
            return None
        self.check(call.args)
        return await ask(call)

    async def invoke(self, call: Call[Any]) -> Result:
        act = self.action_of(call.args)
        if act is None:
            assert self.run is not None
            return await self.run(call)
        self.check(call.args)
        return await act.run(call)

    def describe_actions(self, omit: frozenset[str] = frozenset()) -> str:
        """The actions and their fields (`omit`: fields a surface does not offer)."""
        lines = ["What to do. Fields per action:"]
        for name, a in (self.actions or {}).items():
            parts = [a.summary]
            if a.required:
                parts.append("requires " + ", ".join(a.required))
            optional = [f for f in a.optional if f not in omit]
            if optional:
                parts.append("optional " + ", ".join(optional))
            lines.append(f"- {name}: " + "; ".join(parts))
        return "\n".join(lines)

    def actions_schema(self) -> dict[str, Any]:
        """The machine-readable map of each action's fields (`x-actions` in the input schema)."""
        return {
            name: {"required": list(a.required), "optional": list(a.optional)}
            for name, a in (self.actions or {}).items()
        }
