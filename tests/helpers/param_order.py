"""The order of ``Layer.params()`` for described models, here or in a child process.

A description is a list of ``[name, child]`` entries in assignment order: ``child``
is None for a Parameter, or a nested description for a sub-layer. Parameters are
numbered 0, 1, ... in assignment order (depth first) and hold their number, so
``params()`` can be read back as a list of numbers.

``python -m tests.helpers.param_order TARGET`` reads a JSON list of descriptions on
stdin, builds each on the implementation ``TARGET`` (``Implementation.load``), and
prints the lists of numbers as JSON. Under the self-test, the mutant named in the
environment (``tests.selftest.mutants.MUTANT_ENV``) is applied first, so a child
runs the same broken reference as its parent.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
from collections.abc import Iterator
from typing import Any, Union

import numpy as np

from strategies.implementation.handle import Implementation

Description = list[list[Any]]  # [[name, None | Description], ...]
Child = Union[None, Description]


def order(impl: Implementation, description: Description) -> list[int]:
    """The numbers of ``params()`` of the model ``description`` builds on ``impl``."""
    numbers = itertools.count()
    model = _build(impl, description, numbers)
    return [int(np.asarray(p.data).item()) for p in model.params()]


def _build(impl: Implementation, description: Description, numbers: Iterator[int]) -> Any:
    layer = impl.submodule("layers").Layer()
    for name, child in description:
        if child is None:
            value: Any = impl.attr("Parameter")(np.array(float(next(numbers))))
        else:
            value = _build(impl, child, numbers)
        setattr(layer, name, value)
    return layer


def _mutant_from_environment() -> contextlib.AbstractContextManager[Any]:
    name = os.environ.get("DEZERO_SELFTEST_MUTANT")  # tests.selftest.mutants.MUTANT_ENV
    if not name:
        return contextlib.nullcontext()
    from tests.selftest import mutants  # the repository's self-test, the only place that sets the variable

    return mutants.applied(mutants.BY_NAME[name])


def main() -> None:
    impl = Implementation.load(sys.argv[1])
    descriptions = json.load(sys.stdin)
    with _mutant_from_environment():
        print(json.dumps([order(impl, d) for d in descriptions]))


if __name__ == "__main__":
    main()
