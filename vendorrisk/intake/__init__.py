"""Breach intake from machine-readable sources: CSAF, the CISA KEV catalogue, SBOMs and VEX."""
