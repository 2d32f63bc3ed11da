"""The contract register: each vendor's contracts, named after the DORA register of information."""
