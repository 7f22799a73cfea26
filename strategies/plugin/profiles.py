"""The suite's Hypothesis profiles.

- ``dev`` (the default): few examples, fast feedback, random each run.
- ``ci`` (the default when the environment has ``CI`` set, as Hypothesis itself
  does): Hypothesis's own ``ci`` profile (derandomized, no deadline, no database),
  with the suite's example count.
- ``nightly``: many more examples, example database on: a local directory, plus a
  Redis server shared by every machine when ``DEZERO_SUITE_REDIS`` holds its URL
  (``redis://host:6379/0``), so a failure one machine finds is replayed by all.
- ``replay``: no new examples: only the failures the example database holds.

Choose one with ``--hypothesis-profile NAME`` or the ``HYPOTHESIS_PROFILE`` variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase, MultiplexedDatabase

__all__ = [
    "FINDING", "NAMES", "REDIS_VARIABLE", "RedisClientMissing", "default_name", "example_database", "register",
    "registered",
]

NAMES = ("dev", "ci", "nightly", "replay")
REDIS_VARIABLE = "DEZERO_SUITE_REDIS"
# Where the registered nightly profile keeps its examples (None: not registered yet).
_registered_in: list[Path] = []


class RedisClientMissing(RuntimeError):
    """``DEZERO_SUITE_REDIS`` is set but the ``redis`` client is not installed."""


def example_database(directory: Path) -> ExampleDatabase:
    """The nightly profile's database: ``directory/examples``, shared through Redis
    when ``DEZERO_SUITE_REDIS`` is set."""
    local = DirectoryBasedExampleDatabase(directory / "examples")
    url = os.environ.get(REDIS_VARIABLE)
    if not url:
        return local
    try:
        import redis
    except ImportError as exc:
        raise RedisClientMissing(
            f"{REDIS_VARIABLE} is set, but the redis client is not installed: "
            'pip install "dezero-reference[redis]" (or unset the variable)'
        ) from exc
    from hypothesis.extra.redis import RedisExampleDatabase

    shared = RedisExampleDatabase(redis.Redis.from_url(url), key_prefix=b"dezero-suite:")
    return MultiplexedDatabase(local, shared)


# Every phase but ``explain``: after shrinking, Hypothesis would run the failing
# example dozens of times more to say which of its parts matter, which the suite's
# own report (the culprit, the script) says better; a failing property costs less.
FINDING = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
def register(database_directory: Path) -> None:
    """Register the four profiles (one bug per property: a failing property shrinks
    and reports its first failure only, which keeps reports readable and shrinking
    short)."""
    settings.register_profile("dev", max_examples=25, deadline=None, report_multiple_bugs=False, phases=FINDING)
    settings.register_profile(
        "ci",
        parent=settings.get_profile("ci"),
        max_examples=100,
        suppress_health_check=[HealthCheck.too_slow],
        report_multiple_bugs=False,
        phases=FINDING,
    )
    settings.register_profile(
        "nightly",
        max_examples=1000,
        deadline=None,
        database=example_database(database_directory),
        report_multiple_bugs=False,
        phases=FINDING,
    )
    settings.register_profile(
        "replay",
        parent=settings.get_profile("nightly"),
        phases=[Phase.explicit, Phase.reuse, Phase.shrink, Phase.explain],
    )
    _registered_in[:] = [database_directory]


def registered() -> bool:
    """Whether :func:`register` ran in this process."""
    return bool(_registered_in)


def default_name() -> str:
    """``$HYPOTHESIS_PROFILE``, else ``ci`` when ``$CI`` is set, else ``dev``."""
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
