"""Run every benchmark, one child process each, then print all figures in one table.

Each benchmark prints its own table as it finishes; the combined table comes last. Exit
code 0 even when a target is missed (the table says MISSED); 1 only when a benchmark
crashed, so that a broken benchmark is not mistaken for a slow one.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Figure, arguments, format_table, load_figures, log, skipped, write_figures

BENCHMARKS = ("validate_corpus", "apply_throughput", "dry_run_throughput", "dry_run_memory")
HERE = Path(__file__).resolve().parent


def run_one(name: str, folder: Path) -> tuple[list[Figure], bool]:
    """Run ``bench/<name>.py``; its figures and whether it ended normally."""
    output = folder / f"{name}.json"
    log(f"running {name}")
    started = time.perf_counter()
    code = subprocess.call([sys.executable, str(HERE / f"{name}.py"), "--json", str(output)])
    log(f"{name} took {time.perf_counter() - started:.0f} s")
    if code != 0 or not output.exists():
        return [skipped(name, f"the benchmark crashed (exit code {code}); see its output")], False
    return load_figures(output), True


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=BENCHMARKS,
                        help="run only this benchmark (repeatable)")
    args = parser.parse_args()
    figures: list[Figure] = []
    healthy = True
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="c8migrate-bench-") as temp:
        for name in args.only or BENCHMARKS:
            found, ok = run_one(name, Path(temp))
            figures.extend(found)
            healthy = healthy and ok
            print(flush=True)
    print(f"c8migrate benchmarks ({time.perf_counter() - started:.0f} s in all; ratios are "
          "measured / baseline, both from this run)")
    print(format_table(figures), flush=True)
    if args.json:
        write_figures(figures, args.json)
    return 0 if healthy else 1


if __name__ == "__main__":
    raise SystemExit(main())
