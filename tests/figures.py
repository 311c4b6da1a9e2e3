"""One figure line per proof test (fuzzing, faults), shown even when pytest
captures output, so a CI log carries the measured numbers."""

import sys


def report_figure(capsys, line: str) -> None:
    with capsys.disabled():
        sys.stdout.write(f"\n{line}\n")
