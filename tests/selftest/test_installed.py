"""The suite as a learner installs it: a fresh virtual environment where the
learner's own DeZero is installed editable as ``dezero``, then the checker's wheel
beside it; ``dezero-check`` runs from a temporary folder against implementations
outside the repository, one correct and one with a wrong rule. Checks that the
learner's ``import dezero`` still finds theirs and the checker checks theirs, the
exit codes, the culprit line, the report files, and that the failure's script
exits non-zero.

It needs the package index (pip installs NumPy, Hypothesis, pytest and
pytest-xdist into the new environment); without one it is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.zoo import Edit, Fault, build

ROOT = Path(__file__).resolve().parents[2]
WRONG_RULE = Fault("wrong Sub rule", "Sub.backward forgets the minus of its second input", (
    Edit("dezero/core_simple.py", "return _unbroadcast(gy, a.shape), _unbroadcast(-gy, b.shape)",
         "return _unbroadcast(gy, a.shape), _unbroadcast(gy, b.shape)"),
))
CORRECT = Fault("correct", "no fault", ())
SELECTION = "each_op_alone_matches_complex_step or gradients_match_complex_step or implementation_loads"


def _run(command: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


LEARNER_PROJECT = """[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "my-dezero"
version = "0.1"

[tool.setuptools]
packages = ["dezero"]
"""


@pytest.fixture(scope="module")
def learners_dezero(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A learner's project (a DeZero with a wrong Sub rule in ``dezero/``), to be
    installed editable as ``dezero``: its folder."""
    project = build(WRONG_RULE, tmp_path_factory.mktemp("learner"))
    (project / "pyproject.toml").write_text(LEARNER_PROJECT)
    return project


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, learners_dezero: Path) -> Path:
    """A fresh virtual environment with the learner's ``dezero`` installed editable,
    then the checker's wheel; its bin folder."""
    folder = tmp_path_factory.mktemp("installed")
    wheel = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder / "dist"), str(ROOT)],
                 folder)
    if wheel.returncode != 0 and "Could not" in wheel.stderr + wheel.stdout:
        pytest.skip(f"building the wheel needs the package index (for setuptools): {wheel.stderr[-300:]}")
    assert wheel.returncode == 0, wheel.stderr[-2000:]
    (built,) = (folder / "dist").glob("dezero_check-*.whl")
    assert _run([sys.executable, "-m", "venv", str(folder / "venv")], folder).returncode == 0
    bin_folder = folder / "venv" / ("Scripts" if os.name == "nt" else "bin")
    for what in (["-e", str(learners_dezero)], [str(built)]):
        install = _run([str(bin_folder / "python"), "-m", "pip", "install", "-q", *what], folder)
        if install.returncode != 0 and ("Could not find" in install.stderr or "No matching" in install.stderr):
            pytest.skip(f"installing needs the package index: {install.stderr[-300:]}")
        assert install.returncode == 0, install.stderr[-2000:]
    return bin_folder


def test_the_wheel_installs_no_generic_top_level_name(installed: Path) -> None:
    site = _run([str(installed / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                installed).stdout.strip()
    names = {p.name for p in Path(site).iterdir() if (p / "__init__.py").is_file()}
    assert {"strategies", "dezero_check"} <= names
    assert "dezero" not in names, "the checker installed a `dezero` of its own"
    assert "tests" not in names and "conftest" not in {p.stem for p in Path(site).glob("*.py")}


def test_the_learners_import_dezero_still_finds_theirs(installed: Path, learners_dezero: Path, tmp_path: Path) -> None:
    found = _run([str(installed / "python"), "-c", "import dezero; print(dezero.__file__)"], tmp_path)
    assert found.returncode == 0 and found.stdout.strip().startswith(str(learners_dezero)), found.stdout + found.stderr


def test_the_checker_checks_the_learners_installed_dezero(installed: Path, tmp_path: Path) -> None:
    run = _run([str(installed / "dezero-check"), "dezero", "-q", "-n", "2", "-k", SELECTION,
                "--hypothesis-profile", "ci", "--report", str(tmp_path / "report")], tmp_path)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert "culprit: Sub.backward" in run.stdout, run.stdout[-3000:]  # the learner's bug, so the learner's code


def test_a_correct_implementation_passes_from_any_folder(installed: Path, tmp_path: Path) -> None:
    member = build(CORRECT, tmp_path)
    run = _run([str(installed / "dezero-check"), str(member), "-q", "-n", "2", "-k", SELECTION,
                "--hypothesis-profile", "ci", "--report", str(tmp_path / "report")], tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "DeZero checklist" in run.stdout and "[   ok] core" in run.stdout, run.stdout[-2000:]
    rows = json.loads((tmp_path / "report.json").read_text())["results"]
    assert rows and all(r["status"] in ("pass", "not applicable") for r in rows), rows


def test_a_wrong_rule_is_named_and_its_script_reproduces_it(installed: Path, tmp_path: Path) -> None:
    member = build(WRONG_RULE, tmp_path)
    run = _run([str(installed / "dezero-check"), str(member), "-q", "-n", "2", "-k", SELECTION,
                "--hypothesis-profile", "ci", "--report", str(tmp_path / "report")], tmp_path)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert "culprit: Sub.backward" in run.stdout, run.stdout[-3000:]
    document = json.loads((tmp_path / "report.json").read_text())
    failed = [r for r in document["results"] if r["status"] == "fail"]
    assert failed and all(r["culprit"].startswith("Sub.backward") for r in failed), failed
    assert (tmp_path / "report.md").read_text().startswith("# Conformance report")
    script = tmp_path / failed[0]["script"]
    again = _run([str(installed / "python"), str(script)], tmp_path, timeout=300)
    assert again.returncode == 1 and "FAILS" in again.stdout, again.stdout[-2000:] + again.stderr[-2000:]
