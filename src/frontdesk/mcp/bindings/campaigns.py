"""The campaign tools (issue 14).

/mcp: manage_campaigns (list, get, create, send). Coordinalo: the seed's comms_list_campaigns,
comms_get_campaign, comms_create_email_campaign, comms_send_campaign with camelCase parameters (the
seed gives no lists: status, campaignId, includeLogs, name, subject, htmlBody, audienceType, audienceId,
filters, confirm). MedCor has no campaign tools."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.messaging import campaigns_ops as ops
from frontdesk.services.messaging.campaigns_ops import camel
from frontdesk.services.operations import Operation


def _coordinalo(op: Operation) -> Binding:
    """Top-level fields camelCased (html_body -> htmlBody); texts name them so too."""
    rename = {camel(f): f for f in op.input.model_fields if "_" in f}
    return Binding(op, rename=rename, words={f: a for a, f in rename.items()})


FRONTDESK: tuple[Binding, ...] = (Binding(ops.MANAGE_CAMPAIGNS),)
COORDINALO: tuple[Binding, ...] = tuple(_coordinalo(op) for op in ops.COORDINALO_OPERATIONS)
MEDCOR: tuple[Binding, ...] = ()
