"""Benchmarks (`make bench`): synthetic tenants and the figures the issues set as targets."""
