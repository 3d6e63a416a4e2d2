"""Benchmarks: `make bench` runs bench/run_all.py and writes bench/RESULTS.md."""
