"""What the benchmarks read of the machine itself, and how they print a duration."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat.

    Not the children's rusage: Chromium's renderer processes are not waited for by the
    process tree that started them, and on this machine rusage missed 45 % of what a
    replay costs (25 s of 45 s). On an otherwise idle machine the difference is the
    measured command's own cost; where /proc/stat does not exist, the children's rusage it is.
    """
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime
    # user nice system idle iowait irq softirq (steal: another machine's, not counted)
    ticks = [int(value) for value in fields[:7]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def seconds(value: float) -> str:
    """A duration as the benchmarks print it: “12,3 s”."""
    return f"{value:.1f}".replace(".", ",") + " s"
