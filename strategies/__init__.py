"""Hypothesis strategies for DeZero-style autodiff: random DAGs of Functions."""
