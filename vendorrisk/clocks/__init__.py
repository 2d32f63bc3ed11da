"""The firm's regulatory notification clocks and the vendors' contractual response clocks."""
