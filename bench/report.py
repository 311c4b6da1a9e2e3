"""bench/results/latest.md (one table) and the PNG chart beside it."""

import datetime as dt
import os
import platform
from pathlib import Path

from bench.driver import Result

HEADER = (
    "| scenario | rps | p50 ms | p99 ms | errors "
    "| ref rps | ref p50 ms | ref p99 ms | ref errors | API / ref rps | target |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
)


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory_gib:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def row(scenario: str, api: Result, ref: Result, target: float | None = None) -> str:
    ratio = api.rps / ref.rps if ref.rps else 0.0
    verdict = (
        ""
        if target is None
        else f">= {target:g}: " + ("met" if ratio >= target else "MISSED")
    )
    return (
        f"| {scenario} | {api.rps:.1f} | {api.p50_ms:.1f} | {api.p99_ms:.1f} | {api.errors} "
        f"| {ref.rps:.1f} | {ref.p50_ms:.1f} | {ref.p99_ms:.1f} | {ref.errors} | {ratio:.2f} "
        f"| {verdict} |"
    )


def table(
    rows: list[tuple[str, Result, Result]], targets: dict[str, float | None]
) -> str:
    lines = [row(name, api, ref, targets.get(name)) for name, api, ref in rows]
    return HEADER + "\n".join(lines) + "\n"


def write(
    results_dir: Path,
    rows: list[tuple[str, Result, Result]],
    *,
    setup: str,
    notes: list[str],
    targets: dict[str, float | None],
    memory: str,
) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        "# Benchmark results (`make bench`)\n\n"
        f"Measured {when} on {machine()}.\n\n"
        f"{setup}\n\n"
        + table(rows, targets)
        + "\nResident memory at the end of the run (peak: the kernel's high-water "
        "mark of each process; gunicorn recycles its workers after "
        "WEB_MAX_REQUESTS):\n\n"
        + memory
        + "\n"
        + "\n".join(f"- {note}" for note in notes)
        + "\n\n![throughput and latency](latest.png)\n"
    )
    path = results_dir / "latest.md"
    path.write_text(text)
    chart(results_dir / "latest.png", rows)
    return path


def chart(path: Path, rows: list[tuple[str, Result, Result]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [name for name, _, _ in rows]
    x = range(len(names))
    width = 0.38
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8))
    top.bar([i - width / 2 for i in x], [a.rps for _, a, _ in rows], width, label="API")
    top.bar(
        [i + width / 2 for i in x],
        [r.rps for _, _, r in rows],
        width,
        label="bare reference",
    )
    top.set_ylabel("requests / s")
    top.set_yscale("log")
    top.set_ylim(bottom=1)
    top.set_title("Throughput")
    top.legend()
    for offset, (label, pick) in enumerate(
        (
            ("API p50", lambda a, r: a.p50_ms),
            ("API p99", lambda a, r: a.p99_ms),
            ("ref p50", lambda a, r: r.p50_ms),
            ("ref p99", lambda a, r: r.p99_ms),
        )
    ):
        bottom.bar(
            [i - 0.3 + offset * 0.2 for i in x],
            [max(pick(a, r), 0.01) for _, a, r in rows],
            0.2,
            label=label,
        )
    bottom.set_ylabel("latency, ms")
    bottom.set_yscale("log")
    bottom.set_title("Latency")
    bottom.legend(ncol=4, fontsize="small")
    for axis in (top, bottom):
        axis.set_xticks(list(x))
        axis.set_xticklabels(names, rotation=15, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
