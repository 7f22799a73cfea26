"""``dezero-check PATH_OR_MODULE [pytest options]``: run the property suite against
an implementation, from any directory.

It runs exactly the properties of ``pytest tests/properties`` in this repository
(installed as the package ``dezero_check``), under the suite's own configuration,
with every option of the plugin (``--report``, ``--skips``/``--xfails``,
``--hypothesis-profile``, ``--exclude-ops``, ``--time-limit``, ``-n``, ``-k``...).
Unless ``-n`` is given it runs the tests in pytest-xdist workers (``-n auto``), so
that an implementation that crashes its process fails one test, not the run; unless
``--shrink-seconds`` is given, each failure shrinks for at most 20 seconds.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from strategies.plugin.options import suite_directory

__all__ = ["USAGE", "arguments", "main"]

USAGE = """usage: dezero-check PATH_OR_MODULE [pytest options]
       dezero-check --port "DRIVER COMMAND" [pytest options]

Check a DeZero-style implementation against the property suite.

  PATH_OR_MODULE   a folder holding your package (e.g. the folder with dezero/ in it),
                   the package folder itself, a single step file (step24.py),
                   or an importable module name
  --port COMMAND   a port in any language, through its driver (docs/driver-protocol.md)

Common options:
  --report PATH              write PATH.md and PATH.json (and counterexamples in PATH-failures/)
  --hypothesis-profile NAME  dev (default: 25 examples), ci (100, derandomized), nightly (1000)
  --time-limit SECONDS       per example (default 10)
  -n N                       worker processes (default: auto)
  --shrink-seconds N         stop shrinking a failure after N seconds (default: 20)
  -k EXPRESSION              only the properties whose names match
Any other pytest option is passed on.
"""


def _has_xdist() -> bool:
    return importlib.util.find_spec("xdist") is not None


def _chooses_workers(options: list[str]) -> bool:
    """``-n N``, ``-nN``, ``--numprocesses=N``, or xdist turned off with ``-p no:xdist``."""
    return "no:xdist" in options or any(o.startswith(("-n", "--numprocesses")) for o in options)


def arguments(target: str | None, options: list[str]) -> list[str]:
    """The pytest arguments of ``dezero-check target *options`` (``target`` None: a
    port, given by ``--port`` among the options)."""
    suite = suite_directory()
    workers = [] if _chooses_workers(options) or not _has_xdist() else ["-n", "auto"]
    # A learner wants every failure's small example soon: 20 s of shrinking each (the
    # book's package, 58 failures, checks in 6 min instead of 10 on 2 cores).
    shrinking = [] if any(o.startswith("--shrink-seconds") for o in options) else ["--shrink-seconds", "20"]
    # pytest loads the plugin through its entry point, unless told not to load plugins so.
    plugin = ["-p", "strategies.plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []
    # This command imported the plugin's package before pytest loads it: pytest cannot
    # rewrite the asserts of modules that have no tests, and need not say so.
    quiet = ["-W", "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning"]
    # A learner reads the checklist and one block per cause; tracebacks are in the
    # report files, and on the terminal with -v (or --tb / -r of their own).
    if not any(o.startswith(("-v", "--verbose", "--tb", "-r")) for o in options):
        quiet += ["--tb=no", "-rN"]
    return [
        "-c", str(suite / "suite.ini"), "--rootdir", str(suite), *plugin, *quiet,
        *([f"--impl={target}"] if target is not None else []), *workers, *shrinking, *options, str(suite / "properties"),
    ]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0].startswith("--port"):
        import pytest

        return int(pytest.main(arguments(None, args)))
    if not args or args[0] in ("-h", "--help") or args[0].startswith("-"):
        print(USAGE, file=sys.stdout if args and args[0] in ("-h", "--help") else sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    import pytest

    return int(pytest.main(arguments(args[0], args[1:])))


if __name__ == "__main__":
    sys.exit(main())
