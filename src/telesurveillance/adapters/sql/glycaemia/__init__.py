"""SQL side of the diabetes view (sensor glucose readings of one patient)."""
