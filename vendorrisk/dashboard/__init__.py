"""The portfolio dashboard: what needs attention across all vendors, with charts."""
