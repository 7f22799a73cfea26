"""An implementation is surveyed: what it can do, found by probing it.

- :mod:`~strategies.survey.capabilities`: :class:`Capabilities`, the book's stages
  an implementation has reached and the ops and call forms it offers;
- :mod:`~strategies.survey.screening`: each op alone on a few small examples,
  before any property runs;
- :mod:`~strategies.survey.isolated`: the survey in child processes (two side by
  side, each screening half of the ops), so that a crash or a hang while probing
  is a finding;
- :mod:`~strategies.survey.backprop`: running backward with the seed the
  implementation takes (a Variable or an ndarray).

Imports: every package above in :mod:`strategies`' list.
"""
