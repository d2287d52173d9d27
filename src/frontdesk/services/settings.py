"""Tunable rules, read once at start-up (environment variables FRONTDESK_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True, slots=True)
class Settings:
    hold_minutes: int = 5
    default_duration_minutes: int = 60  # Odonto.me: ends_at defaults to an hour when no service is given
    slot_minutes: int = 30  # slot length for searches that name no service
    slot_grid_minutes: int = 15
    min_notice_minutes: int = 0
    horizon_days: int = 365
    max_range_days: int = 90
    max_results: int = 500
    max_appointment_hours: int = 12  # at most 24: range queries rely on it (repositories.appointments)
    # The origin the HTTP server announces (http/settings.py reads the same variable): messages'
    # links to the booking page are absolute.
    public_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            hold_minutes=_int("FRONTDESK_HOLD_MINUTES", 5),
            slot_grid_minutes=_int("FRONTDESK_SLOT_GRID_MINUTES", 15),
            min_notice_minutes=_int("FRONTDESK_MIN_NOTICE_MINUTES", 0),
            horizon_days=_int("FRONTDESK_HORIZON_DAYS", 365),
            public_url=os.environ.get("FRONTDESK_PUBLIC_URL") or "http://127.0.0.1:8000",
        )
