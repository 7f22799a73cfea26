"""A typed reference implementation of DeZero (from *Deep Learning from Scratch 3*).

The public names follow the book's final DeZero; ``docs/semantics.md`` lists where
this reference deliberately behaves differently, and why.
"""

# The book switches the whole package to ``dezero.core_simple`` (its stage for
# steps 23-32) when this is True. Here it is always False: the simple stage is the
# module dezero.core_simple, imported explicitly (as steps 28 and 29 do when this
# flag is False). docs/semantics.md says why.
is_simple_core = False

from dezero._config import Config, no_grad, test_mode, using_config  # noqa: E402
from dezero.core import (  # noqa: E402
    Function,
    Parameter,
    Variable,
    as_array,
    as_variable,
    setup_variable,
)

import dezero.cuda  # noqa: E402,F401
import dezero.functions  # noqa: E402,F401
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


__version__ = "0.2.0"  # the one version number: pyproject.toml reads it

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
