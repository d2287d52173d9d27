"""Calendar feeds and the post-session question's answers (issue 14): /mcp only.

/mcp: manage_calendar_feeds (create, revoke, status) and nps_summary. The seeds have neither
(Coordinalo's tool list has no feed tool), so Coordinalo and MedCor bind nothing here."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.messaging.operations_nps import NPS_SUMMARY
from frontdesk.services.scheduling.operations.feeds import MANAGE_CALENDAR_FEEDS

FRONTDESK: tuple[Binding, ...] = (Binding(MANAGE_CALENDAR_FEEDS), Binding(NPS_SUMMARY))
COORDINALO: tuple[Binding, ...] = ()
MEDCOR: tuple[Binding, ...] = ()
