"""Fixtures for the clock tests: a submitted impact report from the review tests."""

from tests.review.conftest import owner, submitted  # noqa: F401  (fixtures)
