"""Benchmarks and the quality report (`make bench`): see bench/__main__.py."""
