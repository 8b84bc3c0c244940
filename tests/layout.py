"""warmline as it is installed, staged on disk for the tools that read packages from files.

screens/ stays at the top of the repository but is installed as warmline.screens (pyproject's
package-dir); import-linter and grimp read packages from disk, and the editable install maps
warmline.screens to screens/ only at import time. A copy of the sources in the installed shape
shows them the real package (no .pyc, nothing written into the source tree).
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def installed_layout(into: Path) -> Path:
    """Copy warmline/ (with screens/ as warmline/screens/) and pyproject.toml into `into`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "warmline", into / "warmline", ignore=ignore)
    shutil.copytree(ROOT / "screens", into / "warmline" / "screens", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into
