"""Oracle: the grad mode belongs to a thread.

``no_grad()`` in one thread must not change graph building in another. Two threads
take turns, in an order fixed by a barrier: thread A enters ``no_grad()`` and waits;
thread B builds a drawn graph and must get every creator it gets outside
``no_grad`` (the same graph built first in the main thread says which values have
one); then A builds the graph too, still inside ``no_grad()``, and must get none.
Then the roles swap.

Every valid design passes: a switch per thread (``threading.local``), per thread
and task (``contextvars``), or anything else that keeps threads apart. A grad mode
shared by the whole process, as the book's ``Config`` class attribute is, fails
with a message that says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.graphs.spec import GraphSpec, build
from strategies.implementation.handle import Implementation
from strategies.implementation.probes import probes_for
from strategies.reports.drawing import draw_graph

pytestmark = pytest.mark.requires("memory")

# A thread that waits longer than this at the barrier has lost its partner (which
# raised or hung): the barrier breaks instead of hanging the test.
BARRIER_TIMEOUT = 10.0


def values_with_creators(impl: Implementation, spec: GraphSpec) -> set[str]:
    """Build ``spec`` in the calling thread, then ``P.double`` of its output (a
    Function of the suite's own, so that at least one value surely has a creator
    outside ``no_grad``); the names of the values that got a creator."""
    built = build(spec, impl, keep_all=True)
    names = {f"v{i}" for i, v in built.values.items() if v.creator is not None}
    if probes_for(impl).double(built.output).creator is not None:
        names.add("P.double(output)")
    return names


@dataclass
class Turns:
    """What each thread saw, keyed by (round, role), and the first error raised."""

    built: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)


def take_turns(impl: Implementation, spec: GraphSpec) -> Turns:
    """Two rounds; in round 0 thread A is the one inside ``no_grad()``, in round 1
    thread B. In each round: the quiet thread enters ``no_grad()``; the busy one
    builds; the quiet one builds; the quiet one leaves ``no_grad()``."""
    turns = Turns()
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

    def quiet(round_: int) -> None:
        with impl.no_grad():
            barrier.wait()  # 1: the quiet thread is inside no_grad
            barrier.wait()  # 2: the busy thread has built its graph
            turns.built[round_, "quiet"] = values_with_creators(impl, spec)
        barrier.wait()  # 3: the quiet thread has left no_grad

    def busy(round_: int) -> None:
        barrier.wait()
        turns.built[round_, "busy"] = values_with_creators(impl, spec)
        barrier.wait()
        barrier.wait()

    def thread(roles: tuple[Callable[[int], None], Callable[[int], None]]) -> Callable[[], None]:
        def run() -> None:
            try:
                for round_, role in enumerate(roles):
                    role(round_)
            except BaseException as exc:  # noqa: BLE001  (reported by the main thread)
                turns.errors.append(exc)
                barrier.abort()

        return run

    threads = [threading.Thread(target=thread((quiet, busy)), name="A"),
               threading.Thread(target=thread((busy, quiet)), name="B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return turns


@given(data=st.data())
def test_no_grad_in_one_thread_leaves_other_threads_building_graphs(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, max_nodes=4)
    expected = values_with_creators(impl, spec)  # in the main thread, outside no_grad
    turns = take_turns(impl, spec)
    if turns.errors:  # the implementation raised in a thread (its partner then saw a broken barrier)
        raise next((e for e in turns.errors if not isinstance(e, threading.BrokenBarrierError)), turns.errors[0])
    for round_, (quiet, busy) in enumerate((("A", "B"), ("B", "A"))):
        lost = sorted(expected - turns.built[round_, "busy"])
        assert not lost, (
            f"[grad mode per thread] while thread {quiet} was inside no_grad(), thread {busy} built the graph "
            f"without creators for {', '.join(lost)} (outside no_grad they have one): no_grad() in one thread "
            f"turned off graph building in another. The grad mode is shared by every thread (as the book's "
            f"Config class attribute is); it must belong to each thread"
        )
        kept = sorted(turns.built[round_, "quiet"])
        assert not kept, (
            f"[grad mode per thread] thread {quiet}, inside its own no_grad(), built {', '.join(kept)} with "
            f"creators while thread {busy} was outside no_grad: a thread's no_grad() must hold in that thread"
        )
