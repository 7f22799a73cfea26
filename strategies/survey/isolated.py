"""Surveying an implementation in a child process, so that whatever it does while
being loaded and probed (crash, hang, ``os._exit``) is a finding, not the end of
the run.

``python -m strategies.survey.isolated TARGET [--exclude-ops a,b] [--skip op,...]`` loads
the implementation, surveys it (:func:`strategies.survey.capabilities.survey`) and prints
the result as JSON on its last line; while it screens the ops it names each on
stderr first, so that when an op crashes the process the parent knows which, marks
it broken and surveys again without it (:func:`survey_in_child`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from strategies.implementation.handle import Implementation
from strategies.implementation.loading import Finding, LoadError
from strategies.survey import capabilities as capabilities_module
from strategies.survey.capabilities import Capabilities, merge

__all__ = ["ANSWER", "CHILDREN", "CHILD_SECONDS", "MAX_RESTARTS", "SCREENING", "Unloadable", "main", "survey_in_child"]

SCREENING = "screening "  # the prefix of the progress lines on stderr
ANSWER = "dezero-survey: "  # the prefix of the child's one line of JSON on stdout
CHILD_SECONDS = 600.0
MAX_RESTARTS = 8
# Children surveying side by side, each its share of the ops: the survey runs before
# any test can, so on 2 cores the second core would otherwise wait.
CHILDREN = 2


class Unloadable(Exception):
    """The implementation could not be loaded: the finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def survey_in_child(target: str, excluded: frozenset[str], children: int = CHILDREN) -> Capabilities:
    """Survey ``target`` in ``children`` child processes side by side, each
    screening its share of the catalogue's ops (again without each op that crashes
    it). Raises :class:`Unloadable` when it cannot be loaded."""
    if children <= 1:
        return _survey_share(target, excluded, (0, 1))
    with ThreadPoolExecutor(children) as pool:  # each thread waits on its child process
        shares = [pool.submit(_survey_share, target, excluded, (k, children)) for k in range(children)]
        parts = [share.result() for share in shares]  # the first share's error, if any, is raised
    return merge(parts)


def _survey_share(target: str, excluded: frozenset[str], share: tuple[int, int]) -> Capabilities:
    """One child's survey of its share of the ops, restarted without each op that
    crashes it."""
    crashed: dict[str, str] = {}
    for _ in range(MAX_RESTARTS):
        command = [sys.executable, "-m", "strategies.survey.isolated", target, "--share", f"{share[0]}/{share[1]}",
                   "--exclude-ops", ",".join(sorted(excluded)), "--skip", ",".join(sorted(crashed))]
        try:
            child = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_SECONDS,
                                   env={**os.environ, "PYTHONFAULTHANDLER": "1"})
        except subprocess.TimeoutExpired as exc:
            stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            op = _last_screened(stderr)
            if op is None:
                raise Unloadable(Finding(f"load {target}", f"loading did not finish within {CHILD_SECONDS:g} s")) from exc
            crashed[op] = f"alone it hangs the process (no answer within {CHILD_SECONDS:g} s)"
            continue
        answers = [line[len(ANSWER):] for line in child.stdout.splitlines() if line.startswith(ANSWER)]
        if answers:
            document = json.loads(answers[-1])
            if "load error" in document:
                raise Unloadable(Finding(**document["load error"]))
            if "suite error" in document:
                raise RuntimeError(f"the suite's survey of {target} failed (a bug of the suite):\n{document['suite error']}")
            found = Capabilities.from_json(json.dumps(document))
            left_out = {**found.left_out, **crashed}
            return replace(found, left_out=left_out, graph_ops=tuple(op for op in found.graph_ops
                                                                     if op.name not in left_out))
        op = _last_screened(child.stderr)
        how = _signal_name(child.returncode) if child.returncode < 0 else f"exit code {child.returncode}"
        if op is None:
            tail = " | ".join(child.stderr.strip().splitlines()[-3:])
            raise Unloadable(Finding(f"load {target}", f"the process ended while loading or probing it ({how}): {tail}"))
        crashed[op] = f"alone it ends the process ({how})"
    raise Unloadable(Finding(f"load {target}", f"more than {MAX_RESTARTS} ops crash the process"))


def _last_screened(stderr: str) -> str | None:
    names = [line[len(SCREENING):].strip() for line in stderr.splitlines() if line.startswith(SCREENING)]
    return names[-1] if names else None


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m strategies.survey.isolated")
    parser.add_argument("target")
    parser.add_argument("--exclude-ops", default="")
    parser.add_argument("--skip", default="", help="ops not to screen (they crashed an earlier survey)")
    parser.add_argument("--share", default="0/1", help="K/N: only the catalogue's ops K, K + N, K + 2N...")
    args = parser.parse_args()
    k, _, n = args.share.partition("/")
    try:
        impl = Implementation.load(args.target)
    except LoadError as exc:
        print(ANSWER + json.dumps({"load error": vars(exc.finding)}), flush=True)
        return
    impl.excluded_ops = frozenset(name for name in args.exclude_ops.split(",") if name)
    skip = frozenset(name for name in args.skip.split(",") if name)

    def announce(op: str) -> None:
        print(SCREENING + op, file=sys.stderr, flush=True)

    try:
        found = capabilities_module.survey(impl, skip=skip, announce=announce, share=(int(k), int(n))).to_json()
    except Exception:
        print(ANSWER + json.dumps({"suite error": traceback.format_exc()}), flush=True)
        return
    print(ANSWER + found, flush=True)
    os._exit(0)  # the implementation's own atexit hooks and threads are not the survey's business


if __name__ == "__main__":
    main()
