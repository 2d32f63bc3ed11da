"""The advisory library: guidance on a breach, its dated updates, exposure and follow-up."""
