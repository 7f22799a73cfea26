"""The suite's pytest plugin: point the property suite at any DeZero-style
implementation.

It is installed as a ``pytest11`` entry point, so pytest loads it in every run of an
environment where this distribution is installed; it stays inert (adds its options
and nothing else) unless the run is a suite run: ``--impl`` or ``DEZERO_IMPL`` is
given, or the ini option ``dezero_suite = true`` is set (this repository sets it).

One module per job:

- :mod:`~strategies.plugin.options`: the command-line options, the Hypothesis
  profiles, and ``--impl PATH`` from any directory;
- :mod:`~strategies.plugin.session`: loading the implementation under test, what it
  can do (found in a child process, so that a crash or a hang there is a finding),
  and the ``impl`` fixture;
- :mod:`~strategies.plugin.gating`: properties an implementation cannot be asked
  about are *not applicable*; the skips and xfails files;
- :mod:`~strategies.plugin.ordering`: the likely failures run first, so that no
  worker is left alone with a long failure at the end;
- :mod:`~strategies.plugin.limits`: a time limit per example and a memory cap per
  process, so a hang or a runaway allocation becomes a failure;
- :mod:`~strategies.plugin.examples`: what each example draws, remembered so
  that a failure becomes a script that replays it;
- :mod:`~strategies.plugin.state`: global state a test changed (grad mode, NumPy's
  error settings and random state, warning filters, the recursion limit) is put
  back, and the change reported;
- :mod:`~strategies.plugin.reporting`: the conformance report, written as the run
  goes;
- :mod:`~strategies.plugin.verdict`: a run that checked nothing, or whose
  implementation lacks a level ``--require`` names, fails;
- :mod:`~strategies.plugin.baseline`: ``--baseline FILE``, a CI gate that fails
  on failures not in FILE only;
- :mod:`~strategies.plugin.ports`: ``--port CMD``, a port in any language checked
  through its driver, and the ``runner`` fixture of the request properties.
"""

pytest_plugins = [
    "strategies.plugin.options",
    "strategies.plugin.session",
    "strategies.plugin.gating",
    "strategies.plugin.ordering",
    "strategies.plugin.limits",
    "strategies.plugin.examples",
    "strategies.plugin.state",
    "strategies.plugin.reporting",
    "strategies.plugin.verdict",
    "strategies.plugin.baseline",
    "strategies.plugin.ports",
]
