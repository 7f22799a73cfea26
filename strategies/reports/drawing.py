"""Drawing the graph of an example, remembered for the report.

The last graph a property drew is the shrunk counterexample once Hypothesis
replays the failure, so the report can save it as a script and a DOT file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import strategies as st

from strategies.catalogue.ops import Op
from strategies.graphs.dags import dags, single_op
from strategies.graphs.spec import GraphSpec
from strategies.implementation.handle import Implementation
from strategies.survey.capabilities import capabilities

__all__ = ["LastGraph", "Wiring", "draw_graph"]


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
    op: Op | None = None,
    **dags_options: Any,
) -> GraphSpec:
    """Draw a graph and remember it: ``op`` alone (:func:`single_op`), or ``dags``
    over ``ops`` (default: the ops of ``impl`` for random graphs), with
    broadcasting joins only if ``impl`` undoes broadcasting."""
    caps = capabilities(impl)
    if strategy is None and op is not None:
        strategy = single_op(op, dtype=dags_options.get("dtype", "float64"), broadcasting=caps.broadcasting)
    if strategy is None:
        chosen = caps.graph_ops if ops is None else ops
        if not chosen:
            pytest.skip("not applicable: no op of the implementation works alone, so there is no random graph "
                        "to draw (see the per-op properties)")
        dags_options.setdefault("wiring", Wiring.kind)
        dags_options.setdefault("broadcasting", caps.broadcasting)
        strategy = dags(chosen, **dags_options)
    spec = data.draw(strategy, label="graph")
    LastGraph.spec = spec
    return spec
