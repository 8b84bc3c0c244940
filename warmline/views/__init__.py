"""The views: what both faces show, written once.

The CLI (warmline/cli) and the app (screens/, installed as warmline.screens) print and draw the
same things: status words ("NO BACKUP"), hours, match reasons, the JSON shapes of the public CLI
contract, the read models a screen or a listing is built from. They live here, between the core
and the faces: views call the core and return plain data and plain strings; they import neither
textual nor click (pyproject.toml's import-linter contract "views"), and the core imports no view.
"""
