"""Benchmarks of issue 5: the reference against other autodiff engines.

Layout (each module has one job):

- ``engines/``: one adapter per engine, all behind :class:`engines.base.Engine`.
- ``workloads.py``: the graphs, written once against the adapters' op tables.
- ``bench_*.py``: one script per benchmark; run as a child process, it measures one
  engine and prints one JSON line (``python -m benchmarks.bench_scalar_chain -h``).
- ``child.py``: what every benchmark script shares (arguments, timing, JSON out).
- ``plan.py``: which benchmarks, sizes, rounds and engines a run uses.
- ``run.py``: the runner: rounds, rotation, child processes, then the report.
- ``stats.py``, ``machine.py``, ``report.py``: medians and ratios, machine facts,
  the Markdown written to ``docs/benchmarks.md``.
- ``profile_reference.py``: where the reference spends its time on the scalar chain.
"""
