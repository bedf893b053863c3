"""Alert rules as data and their pure evaluation (no I/O, no clock: the caller hands `now`)."""
