"""Rewriting graph specs into equivalent ones, for the metamorphic oracles."""

from __future__ import annotations

from dataclasses import replace

from strategies.catalogue.ops import Params
from strategies.graphs.spec import GraphSpec, Leaf, Node, Step, width


class _Rebuilder:
    """Copies steps into a new spec, keeping track of where each old value went."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.where: dict[int, int] = {}
        self.next_id = 0

    def add(self, step: Step) -> tuple[int, ...]:
        self.steps.append(step)
        ids = tuple(range(self.next_id, self.next_id + width(step)))
        self.next_id += len(ids)
        return ids

    def finish(self, spec: GraphSpec) -> GraphSpec:
        return replace(
            spec,
            steps=tuple(self.steps),
            output=self.where[spec.output],
            held=frozenset(self.where[v] for v in spec.held),
        )


def shared_values(spec: GraphSpec) -> list[int]:
    """Node outputs on the path to the output that feed more than one argument."""
    nodes = {v for _, ids in spec.nodes() for v in ids}
    return [
        v for v in sorted(spec.live & nodes)
        if sum(1 for k in spec.consumers[v] if set(spec.ids[k]) & spec.live) > 1
    ]


def recompute(spec: GraphSpec, shared: int) -> GraphSpec:
    """The same graph with the node computing ``shared`` recomputed for every use of
    it after the first, so that no two arguments share that value."""
    k_producer = next(k for k, ids in enumerate(spec.ids) if shared in ids)
    producer = spec.steps[k_producer]
    assert isinstance(producer, Node)
    offset = spec.ids[k_producer].index(shared)
    out = _Rebuilder()
    first_use = True
    for step, ids in zip(spec.steps, spec.ids):
        if isinstance(step, Node):
            args = []
            for a in step.args:
                if a == shared and not first_use:
                    copy = out.add(Node(producer.op, tuple(out.where[b] for b in producer.args), producer.params))
                    args.append(copy[offset])
                else:
                    first_use = first_use and a != shared
                    args.append(out.where[a])
            step = Node(step.op, tuple(args), step.params)
        for old, new in zip(ids, out.add(step)):
            out.where[old] = new
    return out.finish(spec)


def through(spec: GraphSpec, leaf: int, op: str, args: int, params: Params = (), scale: float = 1.0) -> GraphSpec:
    """The graph with every use of ``leaf`` replaced by ``op(leaf, ...)`` (``args``
    copies of the leaf), e.g. ``x + x`` or ``x * 2`` in place of ``x``; the leaf's
    values are multiplied by ``scale`` first (0.5 keeps every downstream value)."""
    out = _Rebuilder()
    for step, ids in zip(spec.steps, spec.ids):
        if isinstance(step, Node):
            step = Node(step.op, tuple(out.where[a] for a in step.args), step.params)
        elif ids[0] == leaf:
            step = Leaf(step.shape, tuple(v * scale for v in step.values))
        new = out.add(step)
        for old, n in zip(ids, new):
            out.where[old] = n
        if isinstance(step, Leaf) and ids[0] == leaf:
            (node_out,) = out.add(Node(op, (new[0],) * args, params))
            out.where[leaf] = node_out
    return out.finish(spec)
