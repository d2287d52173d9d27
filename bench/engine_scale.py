"""The free-slot engine alone (no database) at 1, 20 and 100 providers over 7, 30 and 90 days.

    .venv/bin/python bench/engine_scale.py [--reps 20] [--warmup 3]

As slots.py's engine figure, per provider: its weekly hours turned into UTC ranges
(`frontdesk.domain.scheduling.hours.expand_weekly`) and the free 30-minute slots among its bookings
(`frontdesk.domain.scheduling.slots.find_slots`, no limit, so the work grows with the range), on the
bench practice's layout (data.plan: Mon-Fri 08:00-18:00, 12 bookings a working day, two time zones).
One operation is all providers. The table shows the p50 per size, and a least-squares line of time
against provider-days (providers x days) with its R²: the engine is linear when R² is near 1.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import data
from common import Section, Stats, Target, log

from frontdesk.domain.scheduling.hours import WeeklyWindow, expand_weekly
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.scheduling.slots import Busy, SlotRules, find_slots

PROVIDERS = (1, 20, 100)
DAYS = (7, 30, 90)


def workload(anchor: date, providers: int, days: int) -> Callable[[], int]:
    """One search over `providers` x `days`: returns a function that runs it and counts the slots."""
    windows = [WeeklyWindow(d, *data.WORK) for d in range(5)]
    breaks = [WeeklyWindow(d, *data.BREAK) for d in range(5)]
    busy: dict[int, list[Busy]] = {i: [] for i in range(providers)}
    for b in data.plan(anchor, providers=providers, days=days):
        if b.cancelled:
            continue
        _, _, before, after, _ = data.SERVICES[b.service]
        busy[b.provider].append(
            Busy(TimeRange(b.starts_at, b.ends_at), timedelta(minutes=before), timedelta(minutes=after))
        )
    ref = ZoneInfo(data.DATEBOOKS[0][1])
    lo = datetime.combine(anchor, datetime.min.time(), ref).astimezone(UTC)
    window = TimeRange(lo, lo + timedelta(days=days))
    now = lo - timedelta(hours=12)
    first, last = anchor - timedelta(days=1), anchor + timedelta(days=days + 1)
    rules = SlotRules(duration=timedelta(minutes=30), grid=timedelta(minutes=15), horizon=timedelta(days=365))
    zones = [ZoneInfo(data.DATEBOOKS[data.datebook_of(i)][1]) for i in range(providers)]

    def search() -> int:
        found = 0
        for i, tz in enumerate(zones):
            opened = expand_weekly(windows, breaks, [], tz, first, last)
            found += len(find_slots(opened, busy[i], rules, tz, now, window, None))
        return found

    return search


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, R²)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    b = sxy / sxx if sxx else 0.0
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    return a, b, r2


def run(*, reps: int, warmup: int, anchor: date | None = None) -> tuple[Section, list[Target]]:
    anchor = anchor or datetime.now(UTC).date()
    rows: list[list[str]] = []
    points: list[tuple[int, float]] = []
    out: dict[str, object] = {}
    p50_20x30 = 0.0
    for providers in PROVIDERS:
        for days in DAYS:
            fn = workload(anchor, providers, days)
            found = fn()
            # Fewer repetitions for the big sizes, so the whole grid stays within a minute.
            n = max(5, min(reps, int(reps * 600 / (providers * days))))
            for _ in range(warmup):
                fn()
            secs = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                secs.append(time.perf_counter() - t0)
            st = Stats.of(secs)
            pd = providers * days
            points.append((pd, st.p50))
            per = st.p50 * 1000 / pd
            rows.append(
                [
                    str(providers),
                    str(days),
                    str(pd),
                    str(st.n),
                    f"{st.p50:.2f}",
                    f"{st.p95:.2f}",
                    f"{per:.1f}",
                    str(found),
                ]
            )
            out[f"{providers}x{days}"] = {
                "providers": providers,
                "days": days,
                "provider_days": pd,
                "n": st.n,
                "p50_ms": round(st.p50, 3),
                "p95_ms": round(st.p95, 3),
                "us_per_provider_day": round(per, 2),
                "slots": found,
            }
            if (providers, days) == (20, 30):
                p50_20x30 = st.p50
            log(f"  engine {providers} x {days}: p50 {st.p50:.2f} ms ({per:.1f} us per provider-day)")
    a, b, r2 = linear_fit([float(x) for x, _ in points], [y for _, y in points])
    out["fit"] = {"intercept_ms": a, "ms_per_provider_day": b, "r2": r2}
    out["p50_20x30_ms"] = p50_20x30
    sec = Section(
        key="engine_scale",
        title="Free-slot engine without a database: time against provider-days",
        columns=[
            "providers",
            "days",
            "provider-days",
            "n",
            "p50 ms",
            "p95 ms",
            "µs per provider-day",
            "slots found",
        ],
        rows=rows,
        notes=[
            f"Linear fit over the 9 sizes: time = {a:.3f} ms + {b * 1000:.2f} µs x provider-days, "
            f"R² = {r2:.4f}.",
            f"p50 for 20 providers x 30 days: {p50_20x30:.2f} ms (no limit on slots here; slots.py's "
            "engine figure stops at 200 per provider).",
            "Per provider: expand_weekly (hours to UTC ranges) + find_slots (30-minute slots, "
            "15-minute grid) over data.plan's bookings (12 a working day, 5% cancelled and skipped).",
        ],
        data=out,
    )
    targets = [
        Target(
            "engine: time linear in provider-days (R² of the fit)",
            f"R² {r2:.4f}; {b * 1000:.2f} µs per provider-day",
            "linear",
            r2 >= 0.98,
            f"p50 20 providers x 30 days {p50_20x30:.2f} ms",
        )
    ]
    return sec, targets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    sec, targets = run(reps=args.reps, warmup=args.warmup)
    print(sec.text())
    print("\n".join(sec.notes))
    print(Target.table(targets))


if __name__ == "__main__":
    main()
