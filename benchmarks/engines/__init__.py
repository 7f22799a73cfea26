"""The engine registry: names, and how to load each one in the current process.

Loading imports the engine, so a process loads exactly one (the PyPI ``dezero``
and the reference share a package name).
"""

from __future__ import annotations

import importlib

from benchmarks.engines.base import Engine

# name -> "module:factory"; the order is the order of the report's rows.
REGISTRY: dict[str, str] = {
    "reference": "benchmarks.engines.reference:make",
    "reference-before": "benchmarks.engines.reference:make_before",
    "dezero-0.0.13": "benchmarks.engines.pypi_dezero:make",
    "torch-1thread": "benchmarks.engines.torch_cpu:make_single_thread",
    "torch-default": "benchmarks.engines.torch_cpu:make_default",
    "autograd": "benchmarks.engines.hips_autograd:make",
    "mygrad": "benchmarks.engines.mygrad_engine:make",
    "micrograd": "benchmarks.engines.micrograd_engine:make",
    "numpy-floor": "benchmarks.engines.numpy_floor:make",
}

REFERENCE = "reference"
# Run only when --engines names them: the reference of another checkout, to
# measure a change side by side with the code before it ($DEZERO_BEFORE).
OPT_IN = frozenset({"reference-before"})
FLOOR = "numpy-floor"  # the MLP's hand-written NumPy baseline
# Engines that get the thread-limiting environment (see benchmarks.run.child_env):
# all but PyTorch's default setting, which is measured as it comes.
UNTHROTTLED = frozenset({"torch-default"})


def load(name: str) -> Engine:
    try:
        target = REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(REGISTRY)}") from None
    module_name, factory = target.split(":")
    engine: Engine = getattr(importlib.import_module(module_name), factory)()
    return engine
