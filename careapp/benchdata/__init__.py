"""Synthetic national data for benchmarks: `flask --app careapp bench-data` (see cli.py)."""
