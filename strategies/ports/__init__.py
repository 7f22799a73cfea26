"""Checking a DeZero written in another language.

- :mod:`~strategies.ports.vectors`: test vectors (graphs with their expected
  outputs, gradients and Hessian-vector products) and the checker of a port's
  results.

Imports: :mod:`strategies.implementation`, :mod:`strategies.catalogue`,
:mod:`strategies.graphs`, :mod:`strategies.oracles`, :mod:`strategies.survey`.
"""
