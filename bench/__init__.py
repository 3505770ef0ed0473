"""Benchmarks: `make bench` (python -m bench). Never timed tests."""
