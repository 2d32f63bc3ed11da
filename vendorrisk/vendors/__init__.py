"""The vendor inventory and the product catalogue."""
