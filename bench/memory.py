"""Resident memory of the processes a run started, from /proc (Linux)."""

from dataclasses import dataclass
from pathlib import Path

from stack.procs import ProcessGroup, child_pids


@dataclass(frozen=True)
class Memory:
    process: str  # the group's name, and "worker <pid>"/"pool <pid>" for children
    pid: int
    rss_mib: float
    peak_mib: float  # the kernel's high-water mark of the process's RSS


def _status_kib(pid: int, field: str) -> int | None:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:  # gone meanwhile (a recycled gunicorn worker)
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def _of(name: str, pid: int) -> Memory | None:
    rss, peak = _status_kib(pid, "VmRSS"), _status_kib(pid, "VmHWM")
    if rss is None or peak is None:
        return None
    return Memory(process=name, pid=pid, rss_mib=rss / 1024, peak_mib=peak / 1024)


def group_memory(group: ProcessGroup) -> list[Memory]:
    """Every process of `group` and the processes each started (gunicorn's
    workers, a Celery worker's pool), in start order."""
    found = []
    for name, proc in group.procs.items():
        if proc.poll() is not None:
            continue
        kind = "worker" if name == "gunicorn" else "pool"
        members = [(name, proc.pid)] + [
            (f"{name} {kind} {pid}", pid) for pid in child_pids(proc.pid)
        ]
        found += [m for m in (_of(n, pid) for n, pid in members) if m is not None]
    return found


def table(memory: list[Memory]) -> str:
    lines = [
        "| process | pid | RSS MiB | peak RSS MiB |",
        "|---|---:|---:|---:|",
        *(
            f"| {m.process} | {m.pid} | {m.rss_mib:.1f} | {m.peak_mib:.1f} |"
            for m in memory
        ),
        f"| total | | {sum(m.rss_mib for m in memory):.1f} | |",
    ]
    return "\n".join(lines) + "\n"
