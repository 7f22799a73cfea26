"""Oracles judge: what a correct implementation must compute, from NumPy alone.

- :mod:`~strategies.oracles.numerics`: complex-step Jacobians and directional
  derivatives of a graph spec, and central differences (Richardson-extrapolated for
  second derivatives);
- :mod:`~strategies.oracles.recurrent`: the recurrence of the ``RNN`` and ``LSTM``
  layers in NumPy;
- :mod:`~strategies.oracles.rounding`: the rounding error a correct backward may
  make, element by element.

Imports: :mod:`strategies.implementation`, :mod:`strategies.catalogue`,
:mod:`strategies.graphs`.
"""
