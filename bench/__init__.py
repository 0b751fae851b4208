"""Benchmarks: ``python -m bench [NAME ...]`` runs every ``bench/bench_*.py`` (or those named)."""
