"""The chart tools, named as in the CharmHealth EHR seed: encounters, patients and their history,
medications, allergies, diagnoses, notes, recalls, vitals, files, labs, practice info, appointments;
plus export_patient_fhir."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

from frontdesk.domain import access
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.tools.clinical import drugs, encounters, files, measures, overview, patients, problems
from frontdesk.services.app import Frontdesk

TOOL_NAMES = frozenset(
    {
        "documentEncounter",
        "findPatients",
        "managePatient",
        "reviewPatientHistory",
        "managePatientDrugs",
        "managePatientAllergies",
        "managePatientDiagnoses",
        "managePatientNotes",
        "managePatientRecalls",
        "managePatientVitals",
        "managePatientFiles",
        "managePatientLabs",
        "getPracticeInfo",
        "manageAppointments",
        "export_patient_fhir",
    }
)


SCOPES: dict[str, tuple[str, ...]] = {
    "findPatients": (access.PATIENTS_READ,),
    "managePatient": (access.PATIENTS_READ,),
    "getPracticeInfo": (access.APPOINTMENTS_READ,),
    "manageAppointments": (access.APPOINTMENTS_READ,),
    "reviewPatientHistory": (access.CLINICAL_READ,),
    "documentEncounter": (access.CLINICAL_READ, access.BILLING_READ),
    "managePatientDiagnoses": (access.CLINICAL_READ, access.BILLING_READ),
    "managePatientDrugs": (access.CLINICAL_READ,),
    "managePatientAllergies": (access.CLINICAL_READ,),
    "managePatientNotes": (access.CLINICAL_READ,),
    "managePatientRecalls": (access.CLINICAL_READ, access.APPOINTMENTS_READ),
    "managePatientVitals": (access.CLINICAL_READ,),
    "managePatientLabs": (access.CLINICAL_READ,),
    "managePatientFiles": (access.CLINICAL_READ,),
    "export_patient_fhir": (access.CLINICAL_READ,),
}


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    for module in (patients, overview, encounters, drugs, problems, measures, files):
        module.register(server, app, resolve)
