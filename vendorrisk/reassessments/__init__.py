"""Baseline reassessments sent on a schedule per inherent risk tier (docs/operations.md)."""
