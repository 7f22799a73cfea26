"""The Markdown report: machine, versions, one table per benchmark, targets, profile.

``render`` takes what the runner collected. ``python -m benchmarks.report RAW.json``
renders a saved run again (after a change to this module, say) without measuring.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import engines
from benchmarks.plan import Benchmark
from benchmarks.stats import Spread, loglog_slope, per_round_ratios

REF = engines.REFERENCE
SUITE_RAW = Path(__file__).resolve().parents[1] / "reports" / "suite.json"
TORCH = ("torch-1thread", "torch-default")
FLOOR = engines.FLOOR
FLAT_LIMIT = 1 << 20  # bytes of RSS growth over the measured loops still called flat

SETUP = """\
python3 -m venv /work/bench-venv
/work/bench-venv/bin/pip install -e ./dezero         # the reference, from this work tree
/work/bench-venv/bin/pip install torch==2.13.0 autograd mygrad micrograd matplotlib threadpoolctl pyinstrument
/work/bench-venv/bin/pip install --no-deps --target /work/bench-venv/pypi-dezero dezero==0.0.13"""


class Results:
    """The runner's records, indexed by benchmark, engine, size and round."""

    def __init__(self, runs: Iterable[dict[str, Any]]) -> None:
        self.by: dict[tuple[str, str, int], dict[int, dict[str, Any]]] = defaultdict(dict)
        self.failures: dict[tuple[str, str], str] = {}
        for run in runs:
            for size, result in run["results"].items():
                self.by[(run["benchmark"], run["engine"], int(size))][run["round"]] = result
            if run.get("failure"):
                self.failures[(run["benchmark"], run["engine"])] = run["failure"]

    def rounds(self, bench: str, engine: str, size: int) -> dict[int, dict[str, Any]]:
        return self.by.get((bench, engine, size), {})

    def times(self, bench: str, engine: str, size: int) -> dict[int, float]:
        """Per round, the fastest of that round's timed calls."""
        return {r: min(res["times"]) for r, res in self.rounds(bench, engine, size).items() if "times" in res}

    def values(self, bench: str, engine: str, size: int, key: str) -> dict[int, float]:
        return {r: res[key] for r, res in self.rounds(bench, engine, size).items() if key in res}

    def problem(self, bench: str, engine: str, size: int) -> str | None:
        """Why there is no number for this cell, if there is none."""
        for res in self.rounds(bench, engine, size).values():
            if "error" in res:
                return str(res["error"]).split(":")[0]
            if "unsupported" in res:
                return "n/a"
        failure = self.failures.get((bench, engine))
        if failure:
            return failure
        return "not run (failed at a smaller size)"


# ------------------------------------------------------------------ formatting


def fmt_seconds(t: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def fmt_spread(s: Spread, fmt: Any, suffix: str = "") -> str:
    if s.count == 1:
        return f"{fmt(s.median)}{suffix}"
    return f"{fmt(s.median)}{suffix} [{fmt(s.low)}–{fmt(s.high)}]"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}×"


def fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# ------------------------------------------------------------------ sections


def time_section(bench: Benchmark, res: Results, available: set[str]) -> list[str]:
    header = ["engine"] + [f"{bench.size_label} = {s:,}" for s in bench.sizes]
    if bench.slope:
        header.append("slope of log t vs log N")
    rows = []
    ref_times = {s: res.times(bench.key, REF, s) for s in bench.sizes}
    for engine in bench.engines:
        if engine not in available:
            rows.append([engine] + ["missing"] * (len(header) - 1))
            continue
        row = [f"**{engine}**" if engine == REF else engine]
        for size in bench.sizes:
            row.append(_time_cell(bench, res, engine, size, ref_times[size]))
        if bench.slope:
            row.append(_slope_cell(bench, res, engine))
        rows.append(row)
    notes = ["", "Cells: median [min–max] over rounds of the fastest call in each round"
             + (", then time per op-node" if bench.key != "mlp" else "")
             + "; below it, the median [min–max] of the per-round ratios engine / reference"
             + (", then engine / NumPy floor" if bench.key == "mlp" else "")
             + " (below 1 means faster than the reference)."]  # fmt: skip
    return table(header, rows) + notes + round_ratios(bench, res, available)


def round_ratios(bench: Benchmark, res: Results, available: set[str]) -> list[str]:
    """Every per-round ratio engine / reference, in round order, folded away."""
    rows = []
    for engine in bench.engines:
        if engine == REF or engine not in available:
            continue
        cells = []
        for size in bench.sizes:
            times, ref = res.times(bench.key, engine, size), res.times(bench.key, REF, size)
            ratios = [f"{times[r] / ref[r]:.2f}" for r in sorted(times) if r in ref]
            cells.append(" ".join(ratios) or "—")
        rows.append([engine, *cells])
    header = ["engine / reference, round by round"] + [f"{bench.size_label} = {s:,}" for s in bench.sizes]
    return ["", "<details><summary>Per-round ratios</summary>", "", *table(header, rows), "", "</details>"]


def _time_cell(bench: Benchmark, res: Results, engine: str, size: int, ref: dict[int, float]) -> str:
    times = res.times(bench.key, engine, size)
    spread = Spread.of(list(times.values()))
    if spread is None:
        return res.problem(bench.key, engine, size) or "—"
    cell = fmt_spread(spread, fmt_seconds)
    nodes = next(iter(res.rounds(bench.key, engine, size).values())).get("nodes")
    if nodes and bench.key != "mlp":
        cell += f" · {spread.median / nodes * 1e6:.2f} µs/node"
    if engine != REF:
        ratio = Spread.of(per_round_ratios(times, ref))
        if ratio is not None:
            cell += "<br>" + fmt_spread(ratio, fmt_ratio)
    if bench.key == "mlp" and engine != FLOOR:
        floor = Spread.of(per_round_ratios(times, res.times(bench.key, FLOOR, size)))
        if floor is not None:
            cell += "<br>floor " + fmt_spread(floor, fmt_ratio)
    return cell


def round_slopes(bench: Benchmark, res: Results, engine: str) -> tuple[list[float], list[int]]:
    """Per round, the slope over the sizes measured in that round (two at least)."""
    per_size = {s: res.times(bench.key, engine, s) for s in bench.sizes}
    rounds = sorted({r for times in per_size.values() for r in times})
    slopes: list[float] = []
    used: list[int] = []
    for r in rounds:
        sizes = [s for s in bench.sizes if r in per_size[s]]
        if len(sizes) >= 2:
            slopes.append(loglog_slope(sizes, [per_size[s][r] for s in sizes]))
            used = sizes
    return slopes, used


def _slope_cell(bench: Benchmark, res: Results, engine: str) -> str:
    slopes, sizes = round_slopes(bench, res, engine)
    spread = Spread.of(slopes)
    if spread is None:
        return "—"
    cell = fmt_spread(spread, lambda x: f"{x:.2f}")
    if sizes and sizes[-1] != bench.sizes[-1]:
        cell += f" (N ≤ {sizes[-1]:,})"
    return cell


def memory_section(bench: Benchmark, res: Results, available: set[str]) -> list[str]:
    (size,) = bench.sizes
    header = ["engine", "peak RSS per op-node", "vs reference", "tracemalloc peak per op-node"]
    rows = []
    ref = res.values(bench.key, REF, size, "rss_per_node")
    for engine in bench.engines:
        if engine not in available:
            rows.append([engine, "missing", "", ""])
            continue
        rss = res.values(bench.key, engine, size, "rss_per_node")
        spread = Spread.of(list(rss.values()))
        if spread is None:
            rows.append([engine, res.problem(bench.key, engine, size) or "—", "", ""])
            continue
        ratio = Spread.of(per_round_ratios(rss, ref)) if engine != REF else None
        traced = Spread.of(list(res.values(bench.key, engine, size, "traced_per_node").values()))
        rows.append([
            f"**{engine}**" if engine == REF else engine,
            fmt_spread(spread, fmt_int, " B"),
            fmt_spread(ratio, fmt_ratio) if ratio else "",
            fmt_spread(traced, fmt_int, " B") if traced else "not visible to tracemalloc",
        ])  # fmt: skip
    note = (
        f"Scalar chain of N = {size:,} op-nodes. RSS: the peak resident set (VmHWM, "
        "reset through /proc/self/clear_refs just before the call) minus the RSS before it, "
        "over N; it counts every allocator. tracemalloc: its traced peak over N, from a "
        "second call; Python objects and NumPy buffers only (exact and repeatable)."
    )
    notes = ["", note]
    return table(header, rows) + notes


def flat_rss_section(bench: Benchmark, res: Results, available: set[str]) -> list[str]:
    (loops,) = bench.sizes
    header = ["engine", "RSS first → last checkpoint", "growth", "per loop", "objects only the cyclic GC frees", "verdict"]
    rows = []
    for engine in bench.engines:
        if engine not in available:
            rows.append([engine, "missing", "", "", "", ""])
            continue
        rounds = res.rounds(bench.key, engine, loops)
        result = next((r for r in rounds.values() if "growth_bytes" in r), None)
        if result is None:
            rows.append([engine, res.problem(bench.key, engine, loops) or "—", "", "", "", ""])
            continue
        rss = result["rss_checkpoints"]
        growth = result["growth_bytes"]
        rows.append([
            f"**{engine}**" if engine == REF else engine,
            f"{rss[0] / 2**20:.1f} → {rss[-1] / 2**20:.1f} MiB",
            f"{growth / 2**10:,.0f} KiB",
            f"{result['growth_per_loop']:,.0f} B",
            f"{result['unreachable_objects']:,}",
            "flat" if growth < FLAT_LIMIT else "grows",
        ])  # fmt: skip
    note = (
        f"{loops:,} loops of a 30-node scalar chain (build, backward, drop), with "
        "`gc.disable()`; RSS read every tenth of the loops; growth is last minus first "
        f"checkpoint; 'flat' means under {FLAT_LIMIT // 2**20} MiB. The objects column is "
        "what `gc.collect()` found unreachable after the loops: reference cycles the "
        "engine left behind."
    )
    notes = ["", note]
    return table(header, rows) + notes


def depth_section(bench: Benchmark, res: Results, available: set[str]) -> list[str]:
    (n,) = bench.sizes
    header = ["engine", "survives", "time", "peak RSS", "failure", "deepest chain that worked"]
    rows = []
    for engine in bench.engines:
        if engine not in available:
            rows.append([engine, "missing", "", "", "", ""])
            continue
        result = next(iter(res.rounds(bench.key, engine, n).values()), None)
        if result is None or "ok" not in result:
            problem = res.problem(bench.key, engine, n) or "—"
            rows.append([engine, "no", "", "", problem, ""])
            continue
        deepest = result.get("deepest_ok")
        rows.append([
            f"**{engine}**" if engine == REF else engine,
            "yes" if result["ok"] else "**no**",
            f"{result['seconds']:.1f} s",
            f"{result['rss_peak_bytes'] / 2**20:,.0f} MiB ({result['rss_peak_bytes'] / n:,.0f} B/node)",
            result.get("failure", ""),
            "" if result["ok"] else (f"{deepest:,}" if deepest else "none tried"),
        ])  # fmt: skip
    note = (
        f"One chain of {n:,} op-nodes per engine, default recursion limit; time and "
        "peak RSS cover the attempt (including a failed one)."
    )
    notes = ["", note]
    return table(header, rows) + notes


def consistency(benchmarks: Sequence[Benchmark], res: Results) -> list[str]:
    """Every engine's small-size check values against the reference's."""
    disagree = []
    for bench in benchmarks:
        for (key, engine, size), rounds in res.by.items():
            if key != bench.key or engine == REF:
                continue
            ref = next((r["check"] for r in res.rounds(key, REF, size).values() if "check" in r), None)
            mine = next((r["check"] for r in rounds.values() if "check" in r), None)
            if ref is None or mine is None:
                continue
            if not all(math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-12) for a, b in zip(ref, mine)):
                disagree.append(f"{engine} on {key}")
    if disagree:
        return ["**Disagreements with the reference** (output or gradients): " + ", ".join(sorted(set(disagree)))]
    agree = (
        "Every engine's output and gradients on each workload's check size agree with the "
        "reference's (relative tolerance 1e-7)."
    )
    return [agree]


def targets_section(benchmarks: Sequence[Benchmark], res: Results) -> list[str]:
    keys = {b.key: b for b in benchmarks}
    rows: list[list[str]] = []

    def vs(bench: Benchmark, other: str, target: float, what: str) -> None:
        for size in bench.sizes:
            ratios = Spread.of(per_round_ratios(res.times(bench.key, REF, size), res.times(bench.key, other, size)))
            if ratios is not None:
                rows.append([f"{what}, {bench.size_label} = {size:,}: reference / {other} ≤ {target:g}",
                             fmt_spread(ratios, fmt_ratio), _met(ratios.median <= target)])  # fmt: skip

    for key, what in (("scalar_chain", "Scalar chain"), ("fan_in", "Fan-in"), ("dag", "Random DAG")):
        if key in keys:
            for torch in TORCH:
                vs(keys[key], torch, 1.0, what)
            if keys[key].slope:
                slopes = Spread.of(round_slopes(keys[key], res, REF)[0])
                if slopes is not None:
                    rows.append([f"{what}: growth slope of the reference ≤ 1.1",
                                 fmt_spread(slopes, lambda x: f"{x:.2f}"), _met(slopes.median <= 1.1)])  # fmt: skip
    if "mlp" in keys:
        vs(keys["mlp"], FLOOR, 1.15, "MLP")
    if "memory" in keys:
        (size,) = keys["memory"].sizes
        for key, label in (("rss_per_node", "peak RSS"), ("traced_per_node", "tracemalloc peak")):
            s = Spread.of(list(res.values("memory", REF, size, key).values()))
            if s is not None:
                rows.append([f"Memory: {label} per op-node ≤ 600 B", fmt_spread(s, fmt_int, " B"), _met(s.median <= 600)])
    if "flat_rss" in keys:
        (loops,) = keys["flat_rss"].sizes
        r = next(iter(res.rounds("flat_rss", REF, loops).values()), None)
        if r and "growth_bytes" in r:
            measured = f"{r['growth_bytes'] / 2**10:,.0f} KiB growth, {r['unreachable_objects']} cyclic objects"
            rows.append([f"Flat RSS over {loops:,} loops, GC off", measured, _met(r["growth_bytes"] < FLAT_LIMIT)])
    if "depth" in keys:
        (n,) = keys["depth"].sizes
        r = next(iter(res.rounds("depth", REF, n).values()), None)
        if r and "ok" in r:
            rows.append([f"Depth: {n:,}-node chain, no RecursionError", f"{r['seconds']:.1f} s" if r["ok"] else r.get("failure", "failed"), _met(r["ok"])])
    return table(["target (issue 5)", "measured (median [min–max] over rounds)", "met"], rows)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


# ------------------------------------------------------------------ the test suite (bench_suite.py)

SUITE_LIMIT = 600.0  # seconds: the ci profile on 2 cores
SUITE_SPEEDUP = 1.7  # -n 2 against -n 0


def fmt_minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _suite_runs(suite: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {run["workers"]: run for run in suite.get("suite", [])}


def suite_targets(suite: dict[str, Any]) -> list[list[str]]:
    """Rows for the targets table from a ``bench_suite`` record."""
    rows: list[list[str]] = []
    runs = _suite_runs(suite)
    two, serial = runs.get(2), runs.get(0)
    if two is not None:
        rows.append(["Suite: the `ci` profile with `-n 2` under 10 minutes",
                     fmt_minutes(two["seconds"]), _met(two["seconds"] <= SUITE_LIMIT and two.get("returncode") == 0)])  # fmt: skip
    if two is not None and serial is not None:
        speedup = serial["seconds"] / two["seconds"]
        rows.append([f"Suite: `-n 2` at least {SUITE_SPEEDUP}× faster than `-n 0`", f"{speedup:.2f}×",
                     _met(speedup >= SUITE_SPEEDUP)])  # fmt: skip
    projection = suite.get("oracle", {}).get("random projection")
    if projection is not None:
        most = projection["summary"]["directional_evaluations_max"]
        rows.append(["Oracle: the random projection takes O(1) graph evaluations per check",
                     f"at most {most:.0f} per check", _met(most <= 1)])  # fmt: skip
    return rows


def suite_section(suite: dict[str, Any]) -> list[str]:
    """The test suite's wall time and the oracle's cost per example."""
    out = [f"`benchmarks/bench_suite.py`, started {suite.get('started', '?')} at commit "
           f"{suite.get('commit', '?')}; load average at start {_load(suite.get('load_average_start'))}. "
           "Reproduce: `flock /tmp/heavy.lock .venv/bin/python -m benchmarks.bench_suite` "
           "(an environment with the test extra).", ""]  # fmt: skip
    runs = _suite_runs(suite)
    if runs:
        if suite.get("suite_from"):
            out += [f"(The suite timings are from {suite['suite_from']}.)", ""]
        rows = [[f"`CI=true pytest -n {w}`", fmt_minutes(r["seconds"]), str(r.get("outcome", ""))]
                for w, r in sorted(runs.items(), reverse=True)]  # fmt: skip
        out += table(["run (the `ci` profile: derandomized, 100 examples a property)", "wall time", "outcome"], rows)
        out += [""]
    oracle = suite.get("oracle", {})
    if oracle:
        rows = []
        for name, entry in oracle.items():
            m = entry["summary"]
            options = ", ".join(f"{k}={v}" for k, v in entry["options"].items()) or "defaults"
            rows.append([
                f"{name} (`dags({options})`)", f"{m['examples']:.0f}",
                f"{m['leaf_elements_median']:.0f} / {m['leaf_elements_max']:.0f}",
                f"{m['jacobians_evaluations_median']:.0f} / {m['jacobians_evaluations_max']:.0f}",
                f"{fmt_seconds(m['jacobians_s_median'])} [max {fmt_seconds(m['jacobians_s_max'])}]",
                f"{m['directional_evaluations_max']:.0f}",
                f"{fmt_seconds(m['directional_s_median'])} [max {fmt_seconds(m['directional_s_max'])}]",
                f"{m['ratio_median']:.1f}×",
            ])  # fmt: skip
        out += table(["graphs", "examples", "leaf elements (median / max)",
                      "full Jacobian: graph evaluations (median / max)", "full Jacobian: time per example",
                      "projection: graph evaluations (max)", "projection: time per example",
                      "time ratio (median)"], rows)  # fmt: skip
        out += ["", "The oracle per example: `strategies.oracles.numerics.jacobians` evaluates the graph once per "
                "leaf element (complex step, column by column); `strategies.oracles.numerics.directional` (the "
                "random-projection check) once, whatever the graph's size. Times are the fastest of 3 "
                "calls; evaluations are counted, not inferred."]  # fmt: skip
    return out


def engines_section(headers: dict[str, dict[str, Any]]) -> list[str]:
    rows = []
    for name in engines.REGISTRY:
        h = headers.get(name)
        if h is None:
            continue
        if "missing" in h:
            rows.append([name, "**missing**", h["missing"], ""])
            continue
        pools = [f"{b.get('internal_api')}={b.get('num_threads')}" for b in h.get("blas", [])]
        threads = ", ".join([f"{k}={v}" for k, v in h.get("threads", {}).items()] + pools)
        rows.append([name, h.get("version", "?"), f"`{h.get('module_file', '?')}`", threads])
    return table(["engine", "version", "imported from", "threads (PyTorch; thread pools seen by threadpoolctl)"], rows)


def machine_section(facts: dict[str, Any], headers: dict[str, dict[str, Any]]) -> list[str]:
    ref = headers.get(REF, {})
    blas = "; ".join(
        f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')}), {b.get('num_threads')} thread(s)"
        for b in ref.get("blas", [])
    )  # fmt: skip
    mem = facts.get("memory_gib")
    overrides = facts.get("openblas_overrides") or {}
    lines = [
        f"- CPU: {facts['cpu']}, {facts['cores']} cores" + (f", {mem:.0f} GiB RAM" if mem else ""),
        f"- OS: {facts['os']}; {facts['python']} (`{facts['executable']}`)",
        f"- BLAS in the children (seen by threadpoolctl in the reference's child): {blas or 'unknown'}",
        "- OpenBLAS overrides in the environment (removed for the children): "
        + (", ".join(f"{k}={v}" for k, v in overrides.items()) or "none set"),
        f"- Load average at start / end: {_load(facts['load_average'])} / {_load(facts.get('load_average_end'))}",
        "- CPU used by processes other than this run, averaged over the run: "
        + (f"{facts['other_processes_cores']:.2f} of {facts['cores']} cores" if "other_processes_cores" in facts else "unknown"),
        f"- Commit: {facts['commit']}; started {facts.get('started', '?')}; took {facts.get('wall_seconds', 0) / 60:.1f} min",
    ]  # fmt: skip
    return lines


def _load(load: Sequence[float] | None) -> str:
    return " ".join(f"{x:.2f}" for x in load) if load else "?"


METHOD = """\
- Each engine runs in its own process (`python -m benchmarks.bench_<name> --engine E --sizes ...`),
  one process per engine per round; round *r* runs the engines in the list order rotated by *r*.
  A round's value for an engine is the fastest of up to `repeats` calls (fewer when the calls
  exceed about a second), after one warm-up call on a small graph. Tables give the median and
  range of those values over the rounds, and the median and range of the per-round ratios
  against the reference measured in the same round.
- A timed call covers everything a user pays for: making the leaves, the forward pass that
  builds the graph, the backward pass, reading the gradients, and freeing the graph. The cyclic
  GC stays on (garbage from earlier calls is collected before each call).
- Every child has `OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1`, except
  `torch-default`, which runs with PyTorch's defaults (no thread variables); `torch-1thread`
  also calls `torch.set_num_threads(1)`.
- The reference and PyPI `dezero` are both the package `dezero`: the reference's adapter puts
  this work tree first on `sys.path`, PyPI dezero's puts its `--target` directory first
  (`$DEZERO_PYPI_PATH`, default `<venv>/pypi-dezero`), and the runner checks where each came
  from before measuring (see `docs/pypi-dezero.md`).
- micrograd works on Python floats and has no `sin`; its adapter adds one the way micrograd's
  own operators are made. It runs the scalar benchmarks only. Its backward sorts the graph
  recursively, so deep graphs end in RecursionError (reported as such).
- A failure at one size (RecursionError, timeout) is reported in its cell and that size and
  larger ones are not retried in later rounds. A peer that cannot be imported is listed as
  missing, never replaced.

Smaller jobs, with the same interpreter and from the repository root:

- `python -m benchmarks.run --quick`: smaller sizes and fewer rounds (a few minutes);
  `--benchmarks scalar_chain fan_in` and `--engines torch-1thread` narrow a run (the reference
  is always in it), `--rounds 3` overrides the rounds, `--no-profile` skips the profile.
- `python -m benchmarks.bench_fan_in --engine reference --sizes 100 1000`: one benchmark, one
  engine, in this process; prints JSON lines (`-h` for the options).
- `python -m benchmarks.profile_reference --n 10000`: the profile section below.
- `python -m benchmarks.report reports/benchmarks.json`: render the last run's raw results again."""


def render(
    *,
    benchmarks: Sequence[Benchmark],
    headers: dict[str, dict[str, Any]],
    runs: Sequence[dict[str, Any]],
    facts: dict[str, Any],
    command: str,
    quick: bool,
    profile: str | None,
    suite: dict[str, Any] | None = None,
) -> str:
    res = Results(runs)
    available = {n for n, h in headers.items() if "missing" not in h}
    out = [
        "# Benchmarks (issue 5)",
        "",
        "Generated by `benchmarks/run.py`; do not edit by hand. "
        + ("**Quick plan** (smaller sizes, fewer rounds): not the issue's sizes." if quick else "Full plan."),
        "",
        "## Reproduce",
        "",
        "```sh",
        "# once, from the repository root: an environment outside the repository",
        "# with the reference (editable) and the peers (docs/pypi-dezero.md explains the last line)",
        SETUP,
        "# then, from the repository root (the lock keeps other heavy jobs off the 2 cores):",
        f"flock /tmp/heavy.lock /work/bench-venv/bin/{command}",
        "```",
        "",
        "## Machine",
        "",
        *machine_section(facts, headers),
        "",
        "## Engines",
        "",
        *engines_section(headers),
        "",
        "## Targets of issue 5",
        "",
        *targets_section(benchmarks, res),
        *(["| " + " | ".join(row) + " |" for row in suite_targets(suite)] if suite else []),
        "",
        "Ratios are per round (reference time / other time in the same round); "
        + ("the test-suite rows come from `benchmarks/bench_suite.py` (section below)."
           if suite else "the test-suite targets are measured by `benchmarks/bench_suite.py` (not run)."),
        "What makes the reference fast, what was tried, and why an unmet target stops where it "
        "does: [performance.md](performance.md) (written by hand).",
        "",
    ]
    for bench in benchmarks:
        # Engines left out of this run (--engines) are not listed; missing ones are.
        bench = replace(bench, engines=tuple(e for e in bench.engines if e in headers))
        section = {
            "time": time_section,
            "memory": memory_section,
            "flat_rss": flat_rss_section,
            "depth": depth_section,
        }[bench.kind](bench, res, available)
        rounds = f"{bench.rounds} round{'s' if bench.rounds > 1 else ''}"
        out += [f"## {bench.title}", "", f"`benchmarks/bench_{bench.key}.py`, {rounds}.", "", *section, ""]
    out += ["## Consistency", "", *consistency(benchmarks, res), ""]
    if suite:
        out += ["## The test suite: wall time and the oracle's cost", "", *suite_section(suite), ""]
    if profile:
        out += ["## Where the reference spends its time", "", profile.strip(), ""]
    out += ["## Method", "", METHOD, ""]
    return "\n".join(out)


def load_suite(path: Path = SUITE_RAW) -> dict[str, Any] | None:
    """The last ``bench_suite`` record, if there is one."""
    return json.loads(path.read_text()) if path.exists() else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a saved run (reports/benchmarks.json) again.")
    parser.add_argument("raw", type=Path)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--profile", type=Path, help="a Markdown file to include as the profile section")
    parser.add_argument("--suite", type=Path, default=SUITE_RAW, help="bench_suite.py's record, if present")
    args = parser.parse_args(argv)
    from benchmarks.plan import Benchmark as B

    raw = json.loads(args.raw.read_text())
    benchmarks = [B(**{**b, "sizes": tuple(b["sizes"]), "engines": tuple(b["engines"])}) for b in raw["plan"]]
    profile = args.profile.read_text() if args.profile else raw.get("profile")
    args.output.write_text(render(
        benchmarks=benchmarks, headers=raw["headers"], runs=raw["runs"], facts=raw["facts"],
        command=raw["command"], quick=raw.get("quick", False), profile=profile,
        suite=load_suite(args.suite),
    ))  # fmt: skip


if __name__ == "__main__":
    main()
