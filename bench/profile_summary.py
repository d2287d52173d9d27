"""Summarise a py-spy "raw" (collapsed stacks) profile: where a server spends its time.

    .venv/bin/py-spy record --pid PID -d 10 -r 200 --format raw -o prof.raw --nonblocking
    .venv/bin/python bench/profile_summary.py prof.raw [--top 40] [--match frontdesk]

Prints the functions with the largest inclusive share of samples (each function counted once per
sample however often it recurs), optionally only those whose frame text contains --match, and the
largest self shares. Samples that only wait (see IDLE_LEAVES) are dropped; record with --gil to keep
just the samples that hold the GIL, i.e. the CPU a single-process server can spend. Frames are
shortened to `function (package/module.py)`.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# Leaf frames that mean "waiting", not working: aiosqlite's worker threads blocked on their queue, the
# event loop in epoll. py-spy without --gil counts them; they are dropped here.
IDLE_LEAVES = ("_connection_worker_thread (", "EpollSelector.select (", "Condition.wait (", "Event.wait (")
_FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def short(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('fn')} ({path})"


def load(path: Path) -> tuple[Counter[str], Counter[str], int]:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";") if f]
        # py-spy puts the thread ("process NNN:...", "thread (0x...)") first; idle samples have no frames.
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames or frames[-1].startswith(IDLE_LEAVES):
            continue
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    return inclusive, own, total


def report(path: Path, *, top: int = 40, match: str | None = None) -> str:
    inclusive, own, total = load(path)
    lines = [f"{total} samples in {path.name}", "", "inclusive %  function"]
    shown = 0
    for fn, n in inclusive.most_common():
        if match and match not in fn:
            continue
        lines.append(f"{100 * n / total:10.1f}  {fn}")
        shown += 1
        if shown >= top:
            break
    lines += ["", "self %  function"]
    for fn, n in own.most_common(top // 2):
        lines.append(f"{100 * n / total:6.1f}  {fn}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--match", help="only functions whose frame contains this text (inclusive list)")
    args = ap.parse_args()
    print(report(args.raw, top=args.top, match=args.match))


if __name__ == "__main__":
    main()
