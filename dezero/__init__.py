"""A typed reference implementation of DeZero (from *Deep Learning from Scratch 3*).

The public names follow the book's final DeZero; ``docs/semantics.md`` lists where
this reference deliberately behaves differently, and why.
"""

from dezero._config import Config, no_grad, test_mode, using_config
from dezero.core import Function, Parameter, Variable, as_array, as_variable

import dezero.functions  # noqa: E402,F401  (binds the operators of Variable)
import dezero.utils  # noqa: E402,F401

from dezero.layers import Layer  # noqa: E402
from dezero.models import Model  # noqa: E402
from dezero.datasets import Dataset  # noqa: E402
from dezero.dataloaders import DataLoader, SeqDataLoader  # noqa: E402

import dezero.datasets  # noqa: E402,F401
import dezero.dataloaders  # noqa: E402,F401
import dezero.functions_conv  # noqa: E402,F401
import dezero.layers  # noqa: E402,F401
import dezero.models  # noqa: E402,F401
import dezero.optimizers  # noqa: E402,F401
import dezero.transforms  # noqa: E402,F401


def setup_variable() -> None:
    """Kept for compatibility: the book attaches operators to Variable here; in this
    reference Variable defines them itself, so there is nothing to do."""


__version__ = "0.1.0"

__all__ = [
    "Config",
    "DataLoader",
    "Dataset",
    "Function",
    "Layer",
    "Model",
    "Parameter",
    "SeqDataLoader",
    "Variable",
    "as_array",
    "as_variable",
    "no_grad",
    "setup_variable",
    "test_mode",
    "using_config",
]
