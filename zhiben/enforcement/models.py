"""Enforcement cases, measures, discretion benchmarks and 打非治违."""
