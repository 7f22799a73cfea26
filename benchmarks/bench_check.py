"""The time a learner waits: ``dezero-check PATH`` with its defaults (the ``dev``
profile, ``-n 2``), on the book's final package and on a step file, for this work
tree and for another checkout of the suite (a previous release) side by side.

Each round runs every (checkout, implementation) pair once, in an order rotated
by the round, from a temporary folder, so both checkouts see the same load. It
prints the median wall time per pair, the ratio this tree / the other, and the
failing properties of each run (the same set means no finding was lost).

    git worktree add /tmp/previous 1aecde8      # the release to compare with
    python -m benchmarks.bench_check --other /tmp/previous --rounds 3 \\
        --impl ../shared/book/dezero --impl ../shared/book/steps/step09.py

A checkout is run as ``python -m pytest CHECKOUT/tests/properties --impl=PATH``
with the options ``dezero-check`` adds (``-n 2``, ``--shrink-seconds 20``) and its
own suite first on the path (its ``tests/`` linked as ``dezero_check``), so no
install of either is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import machine

REPO_ROOT = machine.REPO_ROOT


def check_once(checkout: Path, impl: Path, timeout: float) -> tuple[float, list[str]]:
    """Wall time of one default check of ``impl`` by the suite of ``checkout``, and
    the properties it failed."""
    with tempfile.TemporaryDirectory(prefix="bench-check-") as folder:
        report = Path(folder) / "report"
        command = [sys.executable, "-m", "pytest", str(checkout / "tests" / "properties"), "--rootdir",
                   str(checkout), "-p", "no:cacheprovider", "-q", f"--impl={impl}", "-n", "2",
                   "--shrink-seconds", "20", "--report", str(report), "--tb=no"]
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
        # The checkout's own suite: its strategies, and its tests/ as the installed name
        # dezero_check (a link), ahead of whatever this interpreter has installed.
        (Path(folder) / "dezero_check").symlink_to(checkout / "tests", target_is_directory=True)
        env["PYTHONPATH"] = os.pathsep.join((str(checkout), folder))
        start = time.perf_counter()
        subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - start
        try:
            rows = json.loads(report.with_suffix(".json").read_text())["results"]
        except (OSError, ValueError, KeyError):
            return seconds, ["(no report)"]
        return seconds, sorted(r["nodeid"].split("::")[-1] for r in rows if r["status"] == "fail")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--other", type=Path, required=True, help="another checkout of the suite (a previous release)")
    parser.add_argument("--impl", type=Path, action="append", required=True, help="an implementation to check")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    checkouts = {"this tree": REPO_ROOT, "other": args.other.resolve()}
    pairs = [(c, i.resolve()) for i in args.impl for c in checkouts]
    times: dict[tuple[str, Path], list[float]] = {pair: [] for pair in pairs}
    failed: dict[tuple[str, Path], list[str]] = {}
    for r in range(args.rounds):
        for name, impl in pairs[r % len(pairs):] + pairs[:r % len(pairs)]:
            seconds, failures = check_once(checkouts[name], impl, args.timeout)
            times[(name, impl)].append(seconds)
            failed[(name, impl)] = failures
            print(f"round {r + 1}: {name:9} {impl.name:12} {seconds:7.1f} s, {len(failures)} failing", flush=True)
    print()
    print(f"{'implementation':14} {'this tree':>10} {'other':>10} {'ratio':>7}  same failing properties")
    for impl in (i.resolve() for i in args.impl):
        mine, theirs = statistics.median(times[("this tree", impl)]), statistics.median(times[("other", impl)])
        same = failed[("this tree", impl)] == failed[("other", impl)]
        print(f"{impl.name:14} {mine:9.1f}s {theirs:9.1f}s {mine / theirs:6.2f}x  {'yes' if same else 'no'}")
        if not same:
            print(f"    only this tree: {sorted(set(failed[('this tree', impl)]) - set(failed[('other', impl)]))}")
            print(f"    only the other: {sorted(set(failed[('other', impl)]) - set(failed[('this tree', impl)]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
