"""The billing engine: per 30-day period, whether the two LATM forfaits are due, how much, why."""
