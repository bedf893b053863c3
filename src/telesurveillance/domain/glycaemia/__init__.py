"""Glycaemia from a continuous glucose monitor (CGM): time in ranges, glucose management
indicator, variability, sensor wear and the ambulatory glucose profile, read against the
International Consensus on Time in Range (`consensus.yaml`, every value cited)."""
