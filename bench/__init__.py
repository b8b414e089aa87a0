"""Benchmarks (`make bench`): figures go to docs/performance.md. Not tests: nothing here asserts."""
