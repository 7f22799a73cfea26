"""What checking over the wire costs: the request properties
(``tests/properties/test_requests.py``, the ``ci`` profile: 100 derandomized examples
each) on a Python DeZero in process (``--requests-in-process``) and through its
driver (``--port``), and on other ports' drivers, side by side in one run.

Each round runs every target once, in an order rotated by the round, from a
temporary folder, with ``-n 2``. It prints the median wall time per target, the
examples run (from the report), examples per second, and the ratio to the
in-process run.

    python -m benchmarks.bench_ports --rounds 3 \\
        --port "node $PWD/tests/fixtures/ports/js/driver.js"     # (runs from a temporary folder)
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


def run_once(options: list[str], timeout: float) -> tuple[float, int, int]:
    """Wall time, examples run and failures of the request properties with ``options``."""
    with tempfile.TemporaryDirectory(prefix="bench-ports-") as folder:
        report = Path(folder) / "report"
        command = [sys.executable, "-m", "pytest", str(REPO_ROOT / "tests" / "properties"), "--rootdir",
                   str(REPO_ROOT), "-p", "no:cacheprovider", "-q", "--tb=no", "-n", "2", "-k", "test_request",
                   "--hypothesis-profile", "ci", "--report", str(report), *options]
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
        env["PYTHONPATH"] = str(REPO_ROOT)
        start = time.perf_counter()
        subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - start
        rows = json.loads(report.with_suffix(".json").read_text())["results"]
    return seconds, sum(r.get("examples") or 0 for r in rows), sum(r["status"] == "fail" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impl", default="dezero", help="the Python DeZero run in process and through its driver")
    parser.add_argument("--port", action="append", default=[], help="another driver command to time")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    targets = {
        "in process": [f"--impl={args.impl}", "--requests-in-process"],
        "over the wire": [f"--port={sys.executable} -m strategies.ports.python_driver {args.impl}"],
        **{command: [f"--port={command}"] for command in args.port},
    }
    names = list(targets)
    times: dict[str, list[float]] = {name: [] for name in names}
    examples: dict[str, int] = {}
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            seconds, examples[name], failures = run_once(targets[name], args.timeout)
            times[name].append(seconds)
            print(f"round {r + 1}: {name:40} {seconds:7.1f} s, {examples[name]} examples, {failures} failing", flush=True)
    print()
    base = statistics.median(times["in process"])
    print(f"{'target':40} {'median':>8} {'examples':>9} {'per s':>7} {'vs in process':>14}")
    for name in names:
        median = statistics.median(times[name])
        print(f"{name:40} {median:7.1f}s {examples[name]:9d} {examples[name] / median:7.1f} {median / base:13.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
