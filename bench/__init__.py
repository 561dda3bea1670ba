"""Benchmarks that print figures (no pass/fail): ``python -m bench.<name>``."""
