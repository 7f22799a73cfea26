"""The example scripts, run as a user would: in a fresh interpreter, from the repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_example(script: str, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / script), "--json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def test_mlp_on_spiral_with_adam_reaches_95_percent_in_under_a_minute() -> None:
    summary = run_example("train_spiral.py")
    assert summary["epochs"] == 300
    assert isinstance(summary["accuracy"], float) and summary["accuracy"] >= 0.95
    assert isinstance(summary["seconds"], float) and summary["seconds"] < 60


def test_small_cnn_forward_and_backward_in_under_a_minute() -> None:
    summary = run_example("cnn_smoke.py")
    assert summary["grads_ok"] is True and summary["output_float32"] is True
    assert summary["output_shape"] == [32, 10]
    assert isinstance(summary["seconds"], float) and summary["seconds"] < 60


def test_the_spiral_script_fails_when_the_target_is_missed() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "train_spiral.py"), "--epochs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "training accuracy" in result.stdout
