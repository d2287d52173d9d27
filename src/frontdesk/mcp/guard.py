"""What each tool needs, and the middleware that applies it to tools/list and tools/call.

Services check scopes themselves (that is the rule); here tools a credential can never use are hidden
from tools/list, and each call is tagged with its tool name for the audit trail."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp_types import ListToolsResult

from frontdesk.domain import access
from frontdesk.domain.errors import FrontdeskError
from frontdesk.mcp.principal import from_request
from frontdesk.services.audit import current_tool
from frontdesk.services.context import Principal

# A tool is listed to a credential holding its scope (or any one of several, given as a tuple).
TOOL_SCOPES: dict[str, str | tuple[str, ...]] = {
    "list_datebooks": access.APPOINTMENTS_READ,
    "list_doctors": access.APPOINTMENTS_READ,
    "list_services": access.APPOINTMENTS_READ,
    "list_appointments": access.APPOINTMENTS_READ,
    "find_available_slots": access.APPOINTMENTS_READ,
    "search_doctors": access.APPOINTMENTS_READ,
    "get_available_slots": access.APPOINTMENTS_READ,
    "search_patients": access.PATIENTS_READ,
    "create_appointment": access.APPOINTMENTS_WRITE,
    "update_appointment": access.APPOINTMENTS_WRITE,
    "hold_slot": access.APPOINTMENTS_WRITE,
    "confirm_appointment": access.APPOINTMENTS_WRITE,
    "schedule_appointment": access.APPOINTMENTS_WRITE,
    "list_audit_events": access.ADMIN,
    # The chart (CharmHealth seed names). Actions needing more (writes) are checked by the services.
    "findPatients": access.PATIENTS_READ,
    "managePatient": access.PATIENTS_READ,
    "getPracticeInfo": access.APPOINTMENTS_READ,
    "manageAppointments": access.APPOINTMENTS_READ,
    "reviewPatientHistory": access.CLINICAL_READ,
    "documentEncounter": (access.CLINICAL_READ, access.BILLING_READ),
    "managePatientDiagnoses": (access.CLINICAL_READ, access.BILLING_READ),
    "managePatientDrugs": access.CLINICAL_READ,
    "managePatientAllergies": access.CLINICAL_READ,
    "managePatientNotes": access.CLINICAL_READ,
    "managePatientRecalls": (access.CLINICAL_READ, access.APPOINTMENTS_READ),
    "managePatientVitals": access.CLINICAL_READ,
    "managePatientLabs": access.CLINICAL_READ,
    "managePatientFiles": access.CLINICAL_READ,
    "export_patient_fhir": access.CLINICAL_READ,
}


def allowed(tool: str, principal: Principal) -> bool:
    needed = TOOL_SCOPES.get(tool)
    if needed is None:
        return True
    return any(s in principal.scopes for s in ((needed,) if isinstance(needed, str) else needed))


class ToolGuard:
    """Server middleware: filters tools/list by scope and names the tool being called."""

    def __init__(self, default: Principal | None) -> None:
        self.default = default

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call":
            name = (ctx.params or {}).get("name")
            token = current_tool.set(name if isinstance(name, str) else None)
            try:
                return await call_next(ctx)
            finally:
                current_tool.reset(token)
        result = await call_next(ctx)
        if ctx.method != "tools/list":
            return result
        try:
            principal = from_request(ctx.request, self.default)
        except FrontdeskError:
            return result
        # The chain hands back the wire form (a dict); a model is accepted too.
        if isinstance(result, ListToolsResult):
            result.tools = [t for t in result.tools if allowed(t.name, principal)]
        elif isinstance(result, dict) and isinstance(result.get("tools"), list):
            result["tools"] = [t for t in result["tools"] if allowed(str(t.get("name")), principal)]
        return result


def fingerprint(tool: str, arguments: dict[str, Any]) -> str:
    """What makes two calls "the same request" for an idempotency key: the tool and its arguments."""
    # Only the call's own values: a tool's locals() also hold the context and closure objects.
    body = {
        k: v
        for k, v in arguments.items()
        if k != "idempotency_key" and isinstance(v, str | int | float | bool | list | dict)
    }
    return hashlib.sha256(json.dumps([tool, body], sort_keys=True, default=str).encode()).hexdigest()
