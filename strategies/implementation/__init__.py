"""The implementation under test, as the suite holds it.

- :mod:`~strategies.implementation.protocols`: the shape of a DeZero as the suite
  sees it (typing protocols only);
- :mod:`~strategies.implementation.loading`: importing a module name, a package, a
  folder holding one, or running a single program file;
- :mod:`~strategies.implementation.timeouts`: a time limit on the
  implementation's code;
- :mod:`~strategies.implementation.handle`: :class:`Implementation`, the handle
  every property receives;
- :mod:`~strategies.implementation.namespace`: the names op templates use
  (``F.sin``, ``L.Linear``), wherever the implementation's stage keeps them;
- :mod:`~strategies.implementation.probes`: the suite's own Functions, built on
  the implementation's ``Function``;
- :mod:`~strategies.implementation.instrument`: watching its graph and its
  backward calls without editing it.

Imports: nothing else of the suite (the bottom layer).
"""
