"""Benchmarks: a deterministic synthetic corpus and the throughput of a full build on it."""
