"""Benchmarks: each prints one JSON line of figures; `make bench` runs them and updates docs/benchmarks.md."""
