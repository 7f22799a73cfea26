"""The mutant tables (docs/mutants.md): how each property ends on each mutant under
the ``ci`` settings (caught by its oracle, crashed, or survived) and after how many
examples; the crashing mutants and their twins; what motif wiring buys over uniform
wiring on the ordering bugs.

    python -m tests.selftest.report_mutants --jobs 2 > docs/mutants.md

(Every mutant against every DAG property: about 30 minutes with two jobs on two
cores. ``--mutants NAME ...`` prints the rows of a few mutants only, to look at
a new one quickly.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import TextIO

from strategies.implementation.handle import Implementation
from strategies.reports.drawing import Wiring
from tests.selftest.mutants import BY_NAME, MUTANTS, Mutant, applied
from tests.selftest.properties import NAMES, PROPERTIES, Kind, Outcome, run

# The properties run against every mutant: those on random DAGs. The families of whole
# modules below, the per-op and per-case properties, and the two slow ones that start
# interpreters or run a state machine, run only against the mutants that name them.
SLOW = ("test_parameter_order_is_the_same_under_every_hash_seed", "test_graph_lifetime_state_machine")
NOT_ON_DAGS = ("test_training", "test_loss_shapes", "test_large_magnitudes", "test_recurrent", "test_dropout_data",
               "test_threads", "test_vectors", "test_implementation")


def _on_dags(name: str) -> bool:
    function, fixed = PROPERTIES[name]
    family = function.__module__.rpartition(".")[2]
    return family not in NOT_ON_DAGS and not {"op_name", "case"} & set(fixed) and name not in SLOW


DAG_PROPERTIES = [n for n in NAMES if _on_dags(n)]
ORDERING = ("ordering ignored", "generation not propagated", "processed twice")
SEEDS = range(15)

Results = list[tuple[str, Outcome]]  # (property, how it ended), the mutant's own property first


@contextmanager
def wiring(kind: str) -> Iterator[None]:
    original = Wiring.kind
    Wiring.kind = kind
    try:
        yield
    finally:
        Wiring.kind = original


def _results(mutant: Mutant) -> tuple[str, Results]:
    started = time.monotonic()
    with applied(mutant):
        impl = Implementation.load("dezero")  # probed afresh, under the mutant
        names = dict.fromkeys([mutant.caught_by, *DAG_PROPERTIES])
        results = [(name, run(name, impl)) for name in names]
    print(f"{mutant.name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return mutant.name, results


def _own(outcome: Outcome) -> str:
    if outcome.kind is Kind.SURVIVED:
        return f"**survived** ({outcome.examples})"
    if outcome.kind is Kind.CRASHED:
        return f"crashed ({outcome.examples}; {outcome.source} `{outcome.where}`: {_short(outcome.error)})"
    return f"caught by oracle ({outcome.examples})"


def _short(error: str, length: int = 90) -> str:
    text = error.replace("|", "/").replace("`", "'")
    return text if len(text) <= length else text[: length - 3] + "..."


def _mutant_row(mutant: Mutant, results: Results) -> str:
    (own_name, own), others = results[0], results[1:]
    caught = ", ".join(f"{n} ({o.examples})" for n, o in others if o.kind is Kind.CAUGHT) or "none"
    crashed = ", ".join(f"{n} ({o.examples})" for n, o in others if o.kind is Kind.CRASHED) or "none"
    survived = sum(o.kind is Kind.SURVIVED for _, o in others)
    return (f"| {mutant.name} | {mutant.kind} | {mutant.bug} | {own_name}: {_own(own)} | {caught} | {crashed} "
            f"| {survived} of {len(others)} |")


def _property_rows(everything: dict[str, Results]) -> Iterator[str]:
    counts: dict[str, dict[Kind, int]] = {}
    for results in everything.values():
        for name, outcome in results:
            counts.setdefault(name, dict.fromkeys(Kind, 0))[outcome.kind] += 1
    for name in (n for n in NAMES if n in counts):
        c = counts[name]
        yield f"| {name} | {c[Kind.CAUGHT]} | {c[Kind.CRASHED]} | {c[Kind.SURVIVED]} | {sum(c.values())} |"


def _twin_rows(everything: dict[str, Results]) -> Iterator[str]:
    for mutant in (m for m in MUTANTS if m.twin and m.name in everything):
        own = everything[mutant.name][0][1]
        twin = BY_NAME[mutant.twin]
        twin_own = everything[twin.name][0][1] if twin.name in everything else None
        judged = _own(twin_own) if twin_own else "not run"
        yield f"| {mutant.name} | {mutant.caught_by}: {_own(own)} | {twin.name}: {twin.bug} | {judged} |"


def _examples_to_catch(mutant: Mutant, prop: str, kind: str) -> str:
    """Median [min-max] of the examples until the oracle fails, over SEEDS."""
    found = []
    with applied(mutant), wiring(kind):
        impl = Implementation.load("dezero")  # probed afresh, under the mutant
        for seed in SEEDS:
            outcome = run(prop, impl, seed=seed)
            found.append(outcome.examples if outcome.caught else 10**6)
    return f"{statistics.median(found):g} [{min(found)}-{max(found)}]"


def _write_wiring(out: TextIO, pool: Pool) -> None:
    out.write("\n## Motif wiring against uniform wiring\n\n")
    out.write(f"Examples until the oracle's first failure, median [min-max] over {len(SEEDS)} random seeds "
              "(10^6 = not caught in 100 examples). In the reference's engine a Function run too "
              "early takes the gradients pending so far, and runs again when the late ones arrive; "
              "backward being linear in its output gradients, the first-order grads still come out "
              "right, so only the schedule property sees these bugs.\n\n")
    out.write("| mutant | property | motifs | uniform |\n|---|---|---|---|\n")
    rows = [(mutant, prop) for mutant in MUTANTS if mutant.name in ORDERING for prop in ("test_each_function_runs_once_after_all_its_consumers", "test_gradients_match_complex_step[float64]")]
    cells = pool.starmap(_examples_to_catch, [(m, p, kind) for m, p in rows for kind in ("motifs", "uniform")])
    for k, (mutant, prop) in enumerate(rows):
        out.write(f"| {mutant.name} | {prop} | {cells[2 * k]} | {cells[2 * k + 1]} |\n")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of workers, at least 1, got {text!r}")
    return int(text)


def write(out: TextIO, mutants: Sequence[Mutant], jobs: int, with_wiring: bool) -> None:
    with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=1) as pool:
        everything = dict(pool.imap(_results, mutants))
        _write_tables(out, mutants, everything)
        if with_wiring:
            _write_wiring(out, pool)


def _write_tables(out: TextIO, mutants: Sequence[Mutant], everything: dict[str, Results]) -> None:
    own = {name: results[0][1] for name, results in everything.items()}
    twins = [m for m in mutants if m.twin]
    caught = sum(o.kind is Kind.CAUGHT for o in own.values())
    crashed = [name for name, o in own.items() if o.kind is Kind.CRASHED]
    survived = [name for name, o in own.items() if o.kind is Kind.SURVIVED]

    out.write("# Mutants caught by the suite\n\n")
    out.write("Generated by `python -m tests.selftest.report_mutants --jobs 2 > docs/mutants.md` (ci settings: "
              "derandomized, 100 examples, no shrinking; every op the implementation has goes into random "
              "graphs, also one that fails alone). Numbers are examples run until the property failed.\n\n"
              "A property **catches** a mutant only through its oracle: an assertion of the property's own "
              "code whose message names the oracle (`[oracle] ...`), or a `pytest.raises` of its own that "
              "saw no error. It **crashed** when the run ended on any other exception, mostly one raised "
              "inside the implementation (the reference's own shape check, a NumPy error, its own "
              "assertion): a variant of the bug that computes wrong numbers instead of raising would pass "
              "that property. So each mutant whose property only crashes has a **twin**, such a variant, "
              "which the oracle must catch (`tests/selftest/test_mutants.py`).\n\n")
    out.write(f"**{len(own)} mutants: {caught} caught by the oracle of their property, {len(crashed)} crashed "
              f"({len(twins)} mutants have a twin), {len(survived)} survived.**"
              f"{' Survived: ' + ', '.join(survived) + '.' if survived else ''}\n\n")

    out.write("## Every mutant\n\n")
    out.write("'Its property' is the one `tests/selftest/test_mutants.py` runs for the mutant; the other "
              f"columns are the {len(DAG_PROPERTIES)} properties on random DAGs (not tried: the per-op, "
              "bad-input, training, kinks-alone, loss-shape, large-magnitude, recurrent, dropout, data and "
              f"thread properties, and {' and '.join(SLOW)}).\n\n")
    out.write("| mutant | kind | bug | its property | also caught by oracle | crashed | survived |\n"
              "|---|---|---|---|---|---|---|\n")
    for mutant in mutants:
        out.write(_mutant_row(mutant, everything[mutant.name]) + "\n")

    out.write("\n## Crashing mutants and their twins\n\n")
    out.write("| crashing mutant | its property | twin | the twin under the same property |\n|---|---|---|---|\n")
    for row in _twin_rows(everything):
        out.write(row + "\n")

    out.write("\n## Every property\n\n")
    out.write("How many of the mutants it ran against each property caught by its oracle, crashed on, "
              "or let survive.\n\n")
    out.write("| property | caught by oracle | crashed | survived | mutants tried |\n|---|---|---|---|---|\n")
    for row in _property_rows(everything):
        out.write(row + "\n")
    out.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=_positive, default=1, help="worker processes, one mutant each at a time")
    parser.add_argument("--mutants", nargs="+", metavar="NAME", choices=sorted(BY_NAME),
                        help="only these mutants (and no wiring section)")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.mutants or m.name in args.mutants]
    write(sys.stdout, chosen, args.jobs, with_wiring=not args.mutants)


if __name__ == "__main__":
    main()
