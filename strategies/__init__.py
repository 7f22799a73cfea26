"""The suite's library: everything the properties use to check a DeZero.

The subpackages draw the architecture, each importing only from those listed
before it:

- :mod:`strategies.implementation`: the implementation under test: loading it
  (a package, a folder, one program file), the handle the properties hold, the
  names it offers, the suite's own probe Functions, watching its graph;
- :mod:`strategies.catalogue`: the ops a graph can hold, each with a NumPy forward
  of the suite's own and the DeZero call that computes it;
- :mod:`strategies.graphs`: graphs are drawn: the immutable graph spec, the random
  DAG strategy with shared subexpressions, graphs on kinks and ties, and the JSON
  form of a graph;
- :mod:`strategies.oracles`: oracles judge: complex-step and central-difference
  derivatives of a spec, and the rounding a correct backward may make;
- :mod:`strategies.survey`: an implementation is surveyed: what it can do, found
  by probing it (in a child process), each op screened alone;
- :mod:`strategies.ports`: checking a DeZero in another language: test vectors;
- :mod:`strategies.reports`: reports explain: the culprit Function, the script
  that reproduces a failure, the graph drawn, and what the book's own DeZero fails;
- :mod:`strategies.plugin`: the pytest plugin and the ``dezero-check`` command;
- :mod:`strategies.location`: where the properties are (installed or in a clone).
"""
