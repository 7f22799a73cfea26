"""Hypothesis profiles for the suite.

- ``dev`` (the default locally): few examples, fast feedback, random each run.
- ``ci`` (selected when the environment has ``CI`` set, as Hypothesis itself does):
  Hypothesis's own ``ci`` profile (derandomized, no deadline, no database), extended
  with enough examples to find the motif bugs.
- ``nightly``: many more examples, example database on.

Choose one with ``--hypothesis-profile NAME`` or the ``HYPOTHESIS_PROFILE`` variable.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("nightly", max_examples=1000, deadline=None)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
