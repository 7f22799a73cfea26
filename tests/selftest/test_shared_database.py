"""Machines running the nightly profile share failures through Redis: a failure
one worker finds is replayed by another that generates nothing itself.

Starts a real ``redis-server`` on loopback (skips, saying what to install, when
there is none)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROPERTY = "tests/properties/test_schedule.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian: apt install redis-server)")
    port = _free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _worker(profile: str, tmp_path: Path, redis_url: str | None, name: str) -> subprocess.CompletedProcess[str]:
    """One machine: its own checkout-local database directory, the shared Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE", "DEZERO_SUITE_REDIS")}
    if redis_url:
        env["DEZERO_SUITE_REDIS"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", PROPERTY,
         "--mutant", "ordering ignored", "--hypothesis-profile", profile,
         "-o", f"cache_dir={tmp_path / name}"],
        cwd=tmp_path / name, capture_output=True, text=True, timeout=600, env=env,
    )


def test_a_failure_found_by_one_worker_is_replayed_by_another(tmp_path: Path, redis_url: str) -> None:
    pytest.importorskip("redis", reason="the redis client is in the test extra: pip install -e '.[test]'")
    for name in ("finder", "replayer", "control"):
        shutil.copytree(ROOT, tmp_path / name, ignore=shutil.ignore_patterns(".git", ".venv", ".hypothesis", "*.egg-info"))
    found = _worker("nightly", tmp_path, redis_url, "finder")
    assert found.returncode == 1 and "[schedule]" in found.stdout, found.stdout[-2000:]
    # The replay profile generates no examples: it can only fail with what the database holds.
    control = _worker("replay", tmp_path, None, "control")
    assert control.returncode == 0, control.stdout[-2000:]
    replayed = _worker("replay", tmp_path, redis_url, "replayer")
    assert replayed.returncode == 1 and "[schedule]" in replayed.stdout, replayed.stdout[-2000:]
