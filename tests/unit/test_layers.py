"""The layers hold: import-linter's contracts (pyproject.toml) pass, and every module is in one.

The core (warmline's rooms) imports none of the faces (textual, click, screens, the CLI and the
glue that opens the app or the server); screens import no sqlite3 and no click. Function-level
imports count (import-linter reads every import statement). A new module of warmline must be
listed as core or as a face, so the contract cannot silently stop covering it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from layout import installed_layout

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _top_modules() -> set[str]:
    """warmline's modules and subpackages, one level down (what the core contract lists)."""
    found = set()
    for path in (ROOT / "warmline").iterdir():
        if path.name.startswith(("_", ".")):
            continue
        if path.suffix == ".py":
            found.add(f"warmline.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            found.add(f"warmline.{path.name}")
    found.add("warmline.screens")  # installed from screens/ (pyproject's package-dir)
    return found


def test_every_module_of_warmline_is_core_or_a_face() -> None:
    core = _contracts()["core"]
    faces = {m for m in core["forbidden_modules"] if m.startswith("warmline.")} - {"warmline.views"}
    listed = set(core["source_modules"]) | {"warmline.views"}  # the layer between (its own contract)
    assert not listed & faces, "a module cannot be both core and a face"
    unlisted = sorted(_top_modules() - listed - faces)
    assert unlisted == [], f"add these to the core or the faces in pyproject.toml's import-linter contract: {unlisted}"
    gone = sorted((listed | faces) - _top_modules())
    assert gone == [], f"the import-linter contract names modules that no longer exist: {gone}"


def test_the_import_contracts_are_kept(tmp_path: Path) -> None:
    staged = installed_layout(tmp_path)
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint) if lint.exists() else shutil.which("lint-imports") or "lint-imports", "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(staged), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, cwd=staged, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in done.stdout
