"""How many threads ONNX Runtime should use: the CPUs this process may really run on, not the machine's count.

Lambda shows 2 vCPUs at every memory size while giving one vCPU's worth of time per 1,769 MB, so there the count
comes from ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``. Elsewhere: the process's CPU affinity (``taskset``), capped by a
cgroup CPU quota (containers). Two threads on one core cost more than they give (design notes: p50 1,848 ms with
two ONNX Runtime threads on one core, 1,061 ms with one; the speed benchmark in bench-results/ has the rest).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

LAMBDA_MB_PER_VCPU = 1769
MAX_THREADS = 8


def available_cpus(environ: Mapping[str, str] | None = None, cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """The number of CPUs' worth of time this process gets, rounded to the nearest whole CPU (at least 1)."""
    environ = os.environ if environ is None else environ
    memory = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    if memory.isdigit():
        return _bounded(round(int(memory) / LAMBDA_MB_PER_VCPU))
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cgroup_quota(cgroup_root)
    if quota is not None:
        count = min(count, round(quota))
    return _bounded(count)


def cgroup_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs allowed by a cgroup quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``/``cpu.cfs_period_us``), or None."""
    try:
        v2 = (root / "cpu.max").read_text().split()
    except OSError:
        v2 = []
    if len(v2) == 2 and v2[0] != "max" and v2[0].isdigit() and v2[1].isdigit() and int(v2[1]):
        return int(v2[0]) / int(v2[1])
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def _bounded(count: int) -> int:
    return max(1, min(MAX_THREADS, count))
