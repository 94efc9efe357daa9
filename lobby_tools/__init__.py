"""Benchmarks, NLU evaluation and the queue simulator.

Only the `lobby` command dispatches here; nothing in the product imports it.
"""
