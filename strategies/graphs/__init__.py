"""Graphs are drawn.

- :mod:`~strategies.graphs.spec`: :class:`GraphSpec`, a plain immutable
  description of a DAG of Functions, evaluated in NumPy or built on an
  implementation;
- :mod:`~strategies.graphs.dags`: :func:`dags`, the strategy of random DAGs with
  shared subexpressions, drawn only from the ops an implementation offers;
- :mod:`~strategies.graphs.kinks`: graphs that sit on kinks and ties on purpose;
- :mod:`~strategies.graphs.encoding`: the JSON form of a spec and of arrays.

Imports: :mod:`strategies.implementation`, :mod:`strategies.catalogue`.
"""
