"""Benchmarks that print figures a reader can compare; `python -m bench` runs them all."""
