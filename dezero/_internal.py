"""The private names of :mod:`dezero.core` that other modules of the package use.

``dezero.core`` keeps the book's public API; these are implementation details of
its fixes, not names a user of the book would look for, so core keeps them private.
The engine and the functions need them, and import them from here and nowhere
else: this file is the one list of private names that cross a module boundary.

- ``Constant``: the Variable subclass that raw data passed to a Function becomes
  (``x * 2``, ``x + ndarray``). The engine sends no gradient into a constant
  (``docs/semantics.md`` #9).
- ``PYTHON_SCALARS``: the Python number types a Function accepts as raw data
  (``pow`` tells a constant exponent from a differentiable one with it).
- ``as_input_variables``: wraps a Function's raw inputs as constants, with the
  dtype NumPy gives a Python number next to the Variables (float32 stays float32);
  functions that check their operands' shapes before calling a Function use it.

The engine also reads two slots of :class:`dezero.core.Function` directly, on its
hot path: ``_outputs`` (the output's weakref, or a tuple of them) and
``_output_specs`` (the outputs' shapes and dtypes, for several outputs).
"""

from dezero.core import _PYTHON_SCALARS as PYTHON_SCALARS
from dezero.core import _as_input_variables as as_input_variables
from dezero.core import _Constant as Constant

__all__ = ["PYTHON_SCALARS", "Constant", "as_input_variables"]
