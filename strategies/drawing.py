"""Drawing the graph of an example, remembered for the report.

The last graph a property drew is the shrunk counterexample once Hypothesis
replays the failure, so the report can save it as a script and a DOT file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from strategies.capabilities import capabilities
from strategies.dags import dags
from strategies.graph import GraphSpec
from strategies.implementation import Implementation
from strategies.ops import Op


class LastGraph:
    """The graph most recently drawn in this process (reset before each test)."""

    spec: GraphSpec | None = None


class Wiring:
    """How ``draw_graph`` wires its DAGs: ``"motifs"`` (always, in the suite), or
    ``"uniform"`` when measuring what motifs buy (tests/selftest/report_mutants.py)."""

    kind = "motifs"


def draw_graph(
    data: st.DataObject,
    impl: Implementation,
    strategy: st.SearchStrategy[GraphSpec] | None = None,
    ops: Sequence[Op] | None = None,
    **dags_options: Any,
) -> GraphSpec:
    """Draw a graph (default: ``dags`` over every op of ``impl``) and remember it."""
    if strategy is None:
        dags_options.setdefault("wiring", Wiring.kind)
        strategy = dags(capabilities(impl).graph_ops if ops is None else ops, **dags_options)
    spec = data.draw(strategy, label="graph")
    LastGraph.spec = spec
    return spec
