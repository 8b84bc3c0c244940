"""Packaging: `screens/` and `data/` work from a built wheel and from the editable install,
from any working directory (DESIGN.md "Layout").

The wheel test builds from a snapshot of the source tree, installs into a brand-new venv
(no system site-packages, so nothing leaks in from the test's own venv) with its
dependencies from PyPI, and runs everything from an unrelated directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import warmline_script
from warmline.cli import cli

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 900
SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".hypothesis", "*.db", "*.db-wal", "*.db-shm", "snapshot_report.html",
)

# Reads the shipped taxonomy through importlib.resources and imports the UI package;
# prints where each came from so the test can see it is the installed copy.
RESOURCE_CHECK = """
import importlib.resources, importlib.util, tomllib, warmline, warmline.screens as screens
tags = importlib.resources.files("warmline.data").joinpath("tags.toml")
assert tags.is_file(), tags
parsed = tomllib.loads(tags.read_text(encoding="utf-8"))
assert len(parsed["tag"]) > 10, "tags.toml has almost no tags"
print(warmline.__file__)
print(screens.__file__)
print(len(parsed["tag"]))
assert importlib.util.find_spec("screens") is None, "screens is installed as a top-level package"
"""


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARMLINE_", "PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(argv: list, *, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=clean_env(), capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"{' '.join(map(str, argv))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def assert_help_lists_every_command(output: str) -> None:
    listed = output.split("Commands:", 1)[1]
    names = {line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line.split()}
    missing = sorted(set(cli.commands) - names)
    assert not missing, f"`warmline --help` does not list {missing}:\n{output}"


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> Path:
    """A wheel built from a snapshot of the working tree (the tree itself is never written to)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=SNAPSHOT_IGNORE)
    dist = work / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, source], cwd=work, timeout=INSTALL_TIMEOUT)
    wheels = list(dist.glob("warmline-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_contents(built_wheel):
    names = zipfile.ZipFile(built_wheel).namelist()
    assert "warmline/cli/__init__.py" in names
    assert "warmline/data/tags.toml" in names
    assert "warmline/screens/__init__.py" in names
    assert not any(n.startswith("screens/") for n in names), "screens ships as warmline.screens, not a top-level package"
    assert "warmline/page.html" in names, "warmline serve's page"
    # Every module of the source tree ships (a package missing from pyproject's list would not).
    for package, installed in (("warmline", "warmline"), ("screens", "warmline/screens")):
        for source in sorted((REPO / package).rglob("*.py")):
            name = f"{installed}/{source.relative_to(REPO / package).as_posix()}"
            assert name in names, f"{name} is missing from the wheel: list its package in pyproject.toml"
    for source in sorted((REPO / "data").glob("*.toml")):
        assert f"warmline/data/{source.name}" in names, f"data/{source.name} is missing from the wheel"
    source_tcss = sorted(p.name for p in (REPO / "screens").glob("*.tcss"))
    for name in source_tcss:
        assert f"warmline/screens/{name}" in names, f"screens/{name} is missing from the wheel"
    leaked = [n for n in names if n.startswith("tests/") or n.endswith((".db", ".db-wal", ".db-shm"))]
    assert not leaked, f"the wheel ships files it should not: {leaked}"


def test_installed_wheel_works_from_any_directory(built_wheel, tmp_path):
    venv = tmp_path / "venv"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", built_wheel], cwd=tmp_path, timeout=INSTALL_TIMEOUT)

    help_result = run([venv / "bin" / "warmline", "--help"], cwd=elsewhere)
    assert_help_lists_every_command(help_result.stdout)

    check = run([venv / "bin" / "python", "-c", RESOURCE_CHECK], cwd=elsewhere)
    warmline_file, screens_file, count = check.stdout.split()
    site = venv.resolve()
    assert Path(warmline_file).resolve().is_relative_to(site), f"warmline imported from {warmline_file}"
    assert Path(screens_file).resolve().is_relative_to(site), f"screens imported from {screens_file}"
    assert int(count) > 10


def test_editable_install_works_from_any_directory(tmp_path):
    script = warmline_script()
    assert script.exists(), f"no warmline console script beside {sys.executable}"
    help_result = run([script, "--help"], cwd=tmp_path)
    assert_help_lists_every_command(help_result.stdout)

    check = run([sys.executable, "-c", RESOURCE_CHECK], cwd=tmp_path)
    warmline_file, screens_file, _ = check.stdout.split()
    # From tmp_path the repository is not on sys.path: these come through the editable install.
    assert Path(warmline_file).resolve().is_relative_to(REPO)
    assert Path(screens_file).resolve().is_relative_to(REPO)


def test_ci_runs_the_readme_test_command():
    """.ci/run and the README's Quick start run the same pytest invocation."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ".venv/bin/python -m pytest -q -p no:cacheprovider"
    assert command in readme
    assert "TEST_COMMAND=(" + command + ")" in ci
