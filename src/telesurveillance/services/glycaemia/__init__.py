"""Use cases of the diabetes view: the CGM report of a patient (time in ranges, GMI,
variability, sensor wear, ambulatory glucose profile)."""
