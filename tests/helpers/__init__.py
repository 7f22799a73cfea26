"""Helpers shared by the property tests (kept apart from the tests themselves)."""
