"""`make mutate`: mutation testing of the modules where money, stock and events
live, with mutmut, bounded in time.

The modules are `[tool.mutmut] only_mutate` in pyproject.toml; each mutant
runs the tests of tests/inventory, tests/orders, tests/eventbus,
tests/common/test_tracing.py and tests/common/test_operational_metrics.py
that call the mutated function (mutmut's per-mutant selection). Per module it prints the mutants tried, killed,
survived and the score, then the survivors with their diffs. Mutants named in tests/mutation/equivalent.txt change no behaviour, and
survivors that change only a logger call are reported as log-only: neither
counts. Exits 1 when a module scores below the threshold, has mutants left
unrun, or equivalent.txt names a mutant that no longer exists.

    python -m tests.mutation.run [--modules consumer,outbox] [--sample N]
        [--functions send_rows,Class.method] [--seed S] [--time-limit SECONDS]
        [--threshold PERCENT]

Every chosen mutant is tried afresh; a run cut short by the time limit
reports what it finished and counts the rest as not run.
"""

import argparse
import ast
import contextlib
import fnmatch
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = Path(__file__).with_name("equivalent.txt")
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
SURVIVED = {"survived", "no tests"}


def modules() -> dict[str, str]:
    """Dotted module name -> source path, from pyproject's [tool.mutmut]."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return {
        path.removesuffix(".py").replace("/", "."): path
        for path in config["only_mutate"]
    }


def equivalents(*, every_mode: bool = False) -> dict[str, str]:
    """Mutant name (or glob) -> why it changes no behaviour. A name marked
    `single-db:` is equivalent only while every app shares one database (the
    per-app tests of services mode kill it)."""
    per_app = os.environ.get("DATABASE_ROUTING") == "per-app"
    found = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            bare = name.removeprefix("single-db:")
            if every_mode or bare == name or not per_app:
                found[bare] = why.strip()
    return found


def is_equivalent(name: str, listed: dict[str, str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in listed)


def log_lines(path: str) -> set[int]:
    """The lines of `path` inside a logger.<level>(...) call."""
    lines = set()
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "logger"
        ):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def function_lines(path: str) -> dict[str, int]:
    """Function (or Class.method) name -> the line of its `def`."""
    found = {}
    for node in ast.parse((ROOT / path).read_text()).body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found[f"{node.name}.{item.name}"] = item.lineno
    return found


def changed_lines(name: str, path: str) -> set[int]:
    """The lines of `path` a mutant changes, from its diff (whose line numbers
    count from the function's `def`)."""
    first = function_lines(path)[function_of(name)] - 1
    changed, line = set(), 0
    for text in diff_of(name, path).splitlines():
        if text.startswith("@@"):
            line = int(text.split()[1].split(",")[0].lstrip("-")) + first
        elif text.startswith("-") and not text.startswith("---"):
            changed.add(line)
            line += 1
        elif text.startswith(" "):
            line += 1
    return changed


def log_only(name: str, path: str) -> bool:
    """Changes nothing but a log line: what is logged, not what happens."""
    changed = changed_lines(name, path)
    return bool(changed) and changed <= log_lines(path)


# --- mutmut's internals, in one place --------------------------------------
# mutmut has no command that only generates mutants, nor one that prints a
# diff without loading its whole state. requirements/mutation.txt pins the
# version these names belong to; an ImportError here means they moved.


def generate() -> None:
    """Write mutants/ and its .meta files (what `mutmut run` does first)."""
    from mutmut.__main__ import (
        copy_also_copy_files,
        copy_src_dir,
        create_mutants,
        setup_source_paths,
    )

    (ROOT / "mutants").mkdir(exist_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):  # a line per file copied
        copy_src_dir()
        copy_also_copy_files()
        setup_source_paths()
        create_mutants(1)


def diff_of(name: str, path: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name, path=path)


def forget(path: str, names: list[str]) -> None:
    """Clear the cached verdicts of `names`, so none from an earlier run counts."""
    meta_path = ROOT / "mutants" / f"{path}.meta"
    meta = json.loads(meta_path.read_text())
    meta["exit_code_by_key"].update(dict.fromkeys(names))
    meta_path.write_text(json.dumps(meta))


def status_of(exit_code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[exit_code]


# ---------------------------------------------------------------------------


def exit_codes(path: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / f"{path}.meta"
    return json.loads(meta.read_text())["exit_code_by_key"]


def function_of(name: str) -> str:
    """The function (or Class.method) a mutant name belongs to."""
    # mutmut names a function x_<name>, a method x\u01c1<Class>\u01c1<name>.
    mangled = name.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
    return mangled[2:].replace("\u01c1", ".")


def pick(
    names: list[str],
    *,
    sample: int | None,
    seed: int,
    listed: dict[str, str],
    functions: set[str] | None = None,
) -> tuple[list[str], int]:
    """The mutants of one module to try: all (or those of `functions`), or
    `sample` of them at random (the same for the same seed and source,
    whatever equivalent.txt says), and how many of those were left out as
    known equivalents."""
    chosen = sorted(n for n in names if not functions or function_of(n) in functions)
    if sample is not None and sample < len(chosen):
        chosen = sorted(random.Random(seed).sample(chosen, sample))
    tried = [n for n in chosen if not is_equivalent(n, listed)]
    return tried, len(chosen) - len(tried)


@dataclass
class Tally:
    tried: int = 0
    killed: int = 0
    not_run: int = 0
    survivors: list[str] = field(default_factory=list)
    log_only: list[str] = field(default_factory=list)
    equivalent: int = 0

    @property
    def score(self) -> float | None:
        judged = self.killed + len(self.survivors)
        return 100.0 * self.killed / judged if judged else None


def run_mutmut(names: list[str], *, time_limit: float) -> None:
    """Run `names`; mutmut stores each verdict as it comes, so what finished
    before the limit counts. Its output goes to mutants/run.log."""
    log = ROOT / "mutants" / "run.log"
    # The tests keep their SQLite database (--reuse-db): a run stopped inside
    # a transaction=True test (a mutant's time-out) leaves rows that would
    # fail the next run's clean tests, so each run starts from a new one.
    shutil.rmtree(ROOT / "mutants" / ".test-databases", ignore_errors=True)
    try:
        with log.open("w") as out:
            done = subprocess.run(
                [MUTMUT, "run", "--max-children", "1", *names],
                cwd=ROOT,
                timeout=time_limit,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
    except subprocess.TimeoutExpired:
        print(f"time limit of {time_limit:.0f}s reached; unfinished mutants not run")
        return
    if done.returncode != 0:
        print(f"mutmut failed ({done.returncode}):\n{log.read_text()[-3000:]}")


def tally(selected: dict[str, list[str]], paths: dict[str, str]) -> dict[str, Tally]:
    tallies = {}
    for module, names in selected.items():
        codes = exit_codes(paths[module])
        t = tallies[module] = Tally()
        for name in names:
            status = status_of(codes.get(name))
            if status in KILLED:
                t.tried += 1
                t.killed += 1
            elif status in SURVIVED and log_only(name, paths[module]):
                t.log_only.append(name)
            elif status in SURVIVED:
                t.tried += 1
                t.survivors.append(name)
            else:
                t.not_run += 1
    return tallies


def report(tallies: dict[str, Tally], paths: dict[str, str], threshold: float) -> bool:
    print(f"{'module':44} {'tried':>5} {'killed':>6} {'survived':>8} {'score':>6}")
    ok = True
    for module, t in tallies.items():
        score = "-" if t.score is None else f"{t.score:.0f}%"
        late = f"  ({t.not_run} not run)" if t.not_run else ""
        late += f"  ({len(t.log_only)} log-only)" if t.log_only else ""
        late += f"  ({t.equivalent} equivalent)" if t.equivalent else ""
        print(
            f"{module:44} {t.tried:5} {t.killed:6} {len(t.survivors):8} {score:>6}{late}"
        )
        # A module with mutants not run is not judged: it fails the run.
        ok = ok and not t.not_run and t.score is not None and t.score >= threshold
    for module, t in tallies.items():
        for name in t.log_only:
            print(f"log-only, not scored: {name}")
        for name in t.survivors:
            print(f"\nsurvived: {name}\n{diff_of(name, paths[module])}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", help="comma-separated parts of module names")
    parser.add_argument("--sample", type=int, help="mutants per module (default all)")
    parser.add_argument(
        "--functions", help="comma-separated function (or Class.method) names"
    )
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--time-limit", type=float, default=3600.0)
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument(
        "--report-only", action="store_true", help="report the last verdicts"
    )
    args = parser.parse_args(argv)

    paths = modules()
    wanted = [w for w in (args.modules or "").split(",") if w]
    chosen = [m for m in paths if not wanted or any(w in m for w in wanted)]
    if not chosen:
        parser.error(f"no module matches {args.modules!r}; modules: {list(paths)}")

    functions = {f for f in (args.functions or "").split(",") if f} or None
    started = time.monotonic()
    os.chdir(ROOT)  # mutmut works in the current directory
    generate()
    listed = equivalents()
    every = [n for path in paths.values() for n in exit_codes(path)]
    stale = [
        p
        for p in equivalents(every_mode=True)
        if not any(fnmatch.fnmatchcase(n, p) for n in every)
    ]
    for pattern in stale:
        print(f"equivalent.txt names no mutant (review it): {pattern}")
    known = {function_of(n) for m in chosen for n in exit_codes(paths[m])}
    if functions and (unknown := functions - known):
        parser.error(f"no mutant of {sorted(unknown)} in {chosen}")
    picked = {
        m: pick(
            list(exit_codes(paths[m])),
            sample=args.sample,
            seed=args.seed,
            listed=listed,
            functions=functions,
        )
        for m in chosen
    }
    selected = {m: names for m, (names, _) in picked.items()}
    if not args.report_only:
        for module, names in selected.items():
            forget(paths[module], names)
        remaining = args.time_limit - (time.monotonic() - started)
        names = [n for names in selected.values() for n in names]
        run_mutmut(names, time_limit=remaining)
    tallies = tally(selected, paths)
    for module, (_, equivalent) in picked.items():
        tallies[module].equivalent = equivalent
    ok = report(tallies, paths, args.threshold)
    print(f"\n{time.monotonic() - started:.0f}s; threshold {args.threshold:.0f}%")
    return 0 if ok and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
