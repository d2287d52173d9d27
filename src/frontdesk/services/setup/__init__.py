"""Setting a practice up: locations, providers, services and who delivers them, weekly hours and
their exceptions, the organization's profile and summary, and imports from spreadsheets (CSV)."""

from __future__ import annotations

from frontdesk.services.admin.settings import SettingsService
from frontdesk.services.setup.catalogue import CatalogueService
from frontdesk.services.setup.exceptions import ExceptionService
from frontdesk.services.setup.importer import ImportService
from frontdesk.services.setup.locations import LocationService
from frontdesk.services.setup.organization import OrganizationService
from frontdesk.services.setup.providers import ProviderService
from frontdesk.services.setup.schedules import ScheduleService
from frontdesk.services.usecase import UseCases


class Setup:
    """The setup services together (the composition root's `setup`)."""

    def __init__(self, uc: UseCases, settings: SettingsService) -> None:
        self.locations = LocationService(uc)
        self.providers = ProviderService(uc)
        self.catalogue = CatalogueService(uc)
        self.schedules = ScheduleService(uc)
        self.exceptions = ExceptionService(uc)
        self.organization = OrganizationService(uc, settings)
        self.settings = settings
        self.importer = ImportService(uc)
