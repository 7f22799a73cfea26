"""The runner: every engine, round by round, each in its own process.

For each benchmark, round ``r`` runs every engine once, in the engine order rotated
by ``r`` (so no engine is always first or last), each in a fresh child process
(``python -m benchmarks.bench_<key> --engine E --sizes ...``). A size that fails
(RecursionError, timeout, unsupported) is not retried in later rounds. Then the
report is written to ``docs/benchmarks.md`` and the raw results to
``reports/benchmarks.json``.

    flock /tmp/heavy.lock python -m benchmarks.run            # the full plan
    flock /tmp/heavy.lock python -m benchmarks.run --quick    # a few minutes

A change is measured side by side with the code before it by the engine
``reference-before``, the reference of another checkout, which runs only when
named (the report then shows it against the reference, and every engine's raw
times are in the JSON):

    git worktree add /tmp/before <commit>
    DEZERO_BEFORE=/tmp/before python -m benchmarks.run --benchmarks scalar_chain fan_in \
        --engines reference-before torch-1thread --rounds 20 --no-profile \
        --output /tmp/side-by-side.md --raw /tmp/side-by-side.json

Run it with the interpreter of the environment that holds the peers
(``docs/benchmarks.md`` says how to make it).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import engines, machine, plan, report
from benchmarks.plan import Benchmark

REPO_ROOT = machine.REPO_ROOT
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class ChildRun:
    """One engine's child process for one benchmark in one round."""

    benchmark: str
    engine: str
    round: int
    position: int  # where this engine ran in the round's order
    sizes: list[int]
    header: dict[str, Any] = field(default_factory=dict)
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    failure: str | None = None  # the process itself failed: timeout, crash
    seconds: float = 0.0


def child_env(engine: str) -> dict[str, str]:
    """The environment of a child: one BLAS/OpenMP thread (but for torch-default)."""
    env = dict(os.environ)
    for name in machine.OPENBLAS_OVERRIDES:
        env.pop(name, None)
    for name in THREAD_VARIABLES:
        env.pop(name, None)
        if engine not in engines.UNTHROTTLED:
            env[name] = "1"
    env["MPLBACKEND"] = "Agg"  # PyPI dezero imports matplotlib.pyplot
    env.pop("PYTHONPATH", None)  # each adapter puts its own dezero first on sys.path
    return env


def run_child(module: str, engine: str, sizes: list[int], args: list[str], timeout: float) -> tuple[list[dict[str, Any]], str | None, float]:
    """Run one child; returns its JSON records, why it failed (or None), and its wall time."""
    command = [sys.executable, "-m", module, "--engine", engine, "--sizes", *map(str, sizes), *args]
    start = time.perf_counter()
    failure: str | None = None
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, env=child_env(engine), capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        stdout, stderr = done.stdout, done.stderr
        if done.returncode != 0:
            failure = f"exit code {done.returncode}" + _last_line(stderr)
    except subprocess.TimeoutExpired as exc:
        stdout = _text(exc.stdout)
        failure = f"timeout after {timeout:.0f} s"
    return _json_lines(stdout), failure, time.perf_counter() - start


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data


def _last_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return f": {lines[-1][:200]}" if lines else ""


def _json_lines(stdout: str) -> list[dict[str, Any]]:
    records = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return records


def probe(engine: str) -> dict[str, Any]:
    """Load one engine in a child: its version and origin, or why it is missing."""
    records, failure, _ = run_child("benchmarks.bench_scalar_chain", engine, [], [], 120.0)
    header = records[0] if records else {"engine": engine}
    if failure and "missing" not in header:
        header["missing"] = failure
    return header


def check_origin(header: dict[str, Any]) -> None:
    """The reference must come from this work tree, PyPI dezero from anywhere else."""
    origin = Path(str(header.get("module_file", ""))).resolve()
    from_here = REPO_ROOT in origin.parents
    if header["engine"] == engines.REFERENCE and not from_here:
        raise SystemExit(f"the reference was imported from {origin}, not from {REPO_ROOT}")
    if header["engine"] in ("dezero-0.0.13", "reference-before") and from_here:
        raise SystemExit(f"{header['engine']} resolved to this work tree's dezero ({origin})")


def run_benchmark(bench: Benchmark, available: list[str], log: Any) -> list[ChildRun]:
    names = [e for e in bench.engines if e in available]
    dead: dict[str, int] = {}  # engine -> smallest size that failed; it and larger are skipped
    runs: list[ChildRun] = []
    extra = ["--repeats", str(bench.repeats), "--budget", str(bench.budget)]
    for rnd in range(bench.rounds):
        shift = rnd % len(names)
        order = names[shift:] + names[:shift]
        for position, engine in enumerate(order):
            sizes = [s for s in bench.sizes if s < dead.get(engine, sys.maxsize)]
            if not sizes:
                continue
            records, failure, seconds = run_child(bench.module, engine, sizes, extra, bench.timeout)
            run = ChildRun(bench.key, engine, rnd, position, sizes, failure=failure, seconds=seconds)
            for record in records:
                if "size" in record:
                    run.results[int(record["size"])] = record["result"]
                else:
                    run.header = record
            runs.append(run)
            for size in sizes:
                result = run.results.get(size)
                if result is None or "error" in result or "unsupported" in result:
                    dead[engine] = min(dead.get(engine, sys.maxsize), size)
            status = failure or "ok"
            print(f"  [{bench.key}] round {rnd + 1}/{bench.rounds} {engine:<14} {seconds:6.1f} s  {status}", file=log, flush=True)
    return runs


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--benchmarks", nargs="+", metavar="KEY", help="only these (keys of benchmarks.plan)")
    parser.add_argument("--engines", nargs="+", metavar="NAME", choices=sorted(engines.REGISTRY), help="only these engines (the reference and the NumPy floor are always added)")
    parser.add_argument("--rounds", type=int, help="override every benchmark's number of rounds")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile of the reference")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--raw", type=Path, default=REPO_ROOT / "reports" / "benchmarks.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = " ".join(["python -m benchmarks.run", shlex.join(sys.argv[1:] if argv is None else argv)]).strip()
    log = sys.stderr
    benchmarks = plan.select(args.quick, args.benchmarks, args.rounds)
    always = {engines.REFERENCE, engines.FLOOR}  # what the ratios are taken against
    asked = set(engines.REGISTRY) - engines.OPT_IN if args.engines is None else set(args.engines)
    wanted = [e for e in engines.REGISTRY if e in asked or e in always]
    started = time.time()
    facts = machine.describe()
    busy_start, own_start = machine.busy_cpu_seconds(), machine.own_cpu_seconds()

    print("probing engines ...", file=log, flush=True)
    headers = {name: probe(name) for name in wanted}
    for header in headers.values():
        if "missing" not in header:
            check_origin(header)
        print(f"  {header['engine']:<14} {header.get('version') or 'MISSING: ' + header.get('missing', '?')}", file=log)
    available = [n for n, h in headers.items() if "missing" not in h]
    if engines.REFERENCE not in available:
        raise SystemExit("the reference itself cannot be loaded: " + headers[engines.REFERENCE].get("missing", "?"))

    runs: list[ChildRun] = []
    for bench in benchmarks:
        print(f"{bench.key}: sizes {bench.sizes}, {bench.rounds} round(s)", file=log, flush=True)
        runs.extend(run_benchmark(bench, available, log))

    profile_md = None
    if not args.no_profile:
        print("profiling the reference ...", file=log, flush=True)
        profile_n = 10_000
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.profile_reference", "--n", str(profile_n)],
            cwd=REPO_ROOT, env=child_env(engines.REFERENCE), capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        profile_md = done.stdout if done.returncode == 0 else f"(profile failed: {_last_line(done.stderr)})"

    facts["load_average_end"] = os.getloadavg()
    facts["wall_seconds"] = time.time() - started
    busy_end = machine.busy_cpu_seconds()
    if busy_start is not None and busy_end is not None:
        others = (busy_end - busy_start) - (machine.own_cpu_seconds() - own_start)
        facts["other_processes_cores"] = max(0.0, others) / facts["wall_seconds"]
    facts["started"] = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started))
    markdown = report.render(
        benchmarks=benchmarks, headers=headers, runs=[asdict(r) for r in runs],
        facts=facts, command=command, quick=args.quick, profile=profile_md,
        suite=report.load_suite(),
    )  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(markdown)
    args.raw.parent.mkdir(parents=True, exist_ok=True)
    args.raw.write_text(json.dumps(
        {"facts": facts, "command": command, "quick": args.quick, "headers": headers,
         "runs": [asdict(r) for r in runs], "plan": [asdict(b) for b in benchmarks],
         "profile": profile_md}, indent=1))  # fmt: skip
    print(f"wrote {args.output} and {args.raw} in {facts['wall_seconds']:.0f} s", file=log)


if __name__ == "__main__":
    main()
