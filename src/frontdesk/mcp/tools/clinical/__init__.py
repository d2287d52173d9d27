"""The chart tools, named as in the CharmHealth EHR seed: encounters, patients and their history,
medications, allergies, diagnoses, notes, recalls, vitals, files, labs, practice info, appointments;
plus export_patient_fhir."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

from frontdesk.composition import Frontdesk
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.tools.clinical import drugs, encounters, files, measures, overview, patients, problems

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


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    for module in (patients, overview, encounters, drugs, problems, measures, files):
        module.register(server, app, resolve)
