"""The op catalogue: every operation a drawn graph can hold.

- :mod:`~strategies.catalogue.opspec`: what an entry is (:class:`Op`) and what it
  sees while a graph is drawn;
- :mod:`~strategies.catalogue.ops`: the entries, each with its NumPy forward and
  the DeZero call that computes it (elementwise, reductions, shapes, losses);
- :mod:`~strategies.catalogue.ops_nn`: entries for images, normalization and
  layers (the book's steps 52-60), with their NumPy references.

Imports: :mod:`strategies.implementation` (its protocols) only.
"""
