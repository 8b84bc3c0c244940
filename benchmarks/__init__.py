"""Reproducible performance runs (`python -m benchmarks.NAME`); not timed tests."""
