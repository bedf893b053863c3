"""The synthetic demo: the plan of a demo care team and its generated series."""
