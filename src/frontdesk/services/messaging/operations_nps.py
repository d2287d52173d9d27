"""/mcp's nps_summary: what clients answered to the post-session question (reminders.followup):
responses, average score, promoters / passives / detractors, NPS, and the latest comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.messaging.feedback import NpsSummary
from frontdesk.services.operations import READ, Call, Input, Operation, OptionalId, Result


class NpsIn(Input):
    start: Annotated[
        str | None, Field(max_length=40, description="Answers from (ISO 8601; default: 90 days before end)")
    ] = None
    end: Annotated[
        str | None, Field(max_length=40, description="Answers before (ISO 8601; default: now)")
    ] = None
    provider_id: Annotated[OptionalId, Field(description="Only this provider's sessions")] = None
    service_id: Annotated[OptionalId, Field(description="Only this service's sessions")] = None


class CommentOut(BaseModel):
    score: int
    comment: str | None
    answeredAt: datetime
    provider: str
    service: str | None


class NpsOut(BaseModel):
    start: datetime
    end: datetime
    asked: int = Field(description="Sessions in the range whose client was sent the question")
    responses: int
    responseRate: float | None = Field(description="responses / asked (0 to 1), null when none asked")
    averageScore: float | None = Field(description="Mean of the 0-10 scores")
    promoters: int = Field(description="Scores 9-10")
    passives: int = Field(description="Scores 7-8")
    detractors: int = Field(description="Scores 0-6")
    nps: float | None = Field(description="% promoters - % detractors, -100 to 100; null without answers")
    recentComments: list[CommentOut] = Field(description="The latest answers that carry a comment")


def _out(x: NpsSummary) -> Result:
    out = NpsOut(
        start=x.start,
        end=x.end,
        asked=x.asked,
        responses=x.responses,
        responseRate=x.response_rate,
        averageScore=x.average,
        promoters=x.promoters,
        passives=x.passives,
        detractors=x.detractors,
        nps=x.nps,
        recentComments=[
            CommentOut(
                score=c.score,
                comment=c.comment,
                answeredAt=c.answered_at,
                provider=c.provider,
                service=c.service,
            )
            for c in x.recent
        ],
    )
    if not x.responses:
        return Result(out, f"No answers between {x.start:%Y-%m-%d} and {x.end:%Y-%m-%d} ({x.asked} asked).")
    text = (
        f"NPS {x.nps:+.0f} from {x.responses} answers ({x.asked} asked): average {x.average}, "
        f"{x.promoters} promoters, {x.passives} passives, {x.detractors} detractors."
    )
    return Result(out, text)


async def _summary(call: Call[Any]) -> Result:
    a = call.args
    found = await call.app.feedback.summary(
        call.p, start=a.start, end=a.end, provider_id=a.provider_id, service_id=a.service_id
    )
    return _out(found)


NPS_SUMMARY = Operation(
    name="nps_summary",
    title="Client feedback (NPS)",
    description="What clients answered to the question sent after a completed session (0-10: how "
    "likely they are to recommend the practice, and a comment): responses, average, promoters (9-10), "
    "passives (7-8), detractors (0-6), NPS (% promoters - % detractors) and the latest comments, "
    "over a range (default the last 90 days), optionally for one provider or service. The question is "
    "turned on in the reminders configuration (notificationFollowup).",
    scopes=(access.PATIENTS_READ, access.ADMIN),
    hints=READ,
    input=NpsIn,
    output=NpsOut,
    run=_summary,
)
