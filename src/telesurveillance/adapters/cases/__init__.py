"""The billing acceptance-case format: the strict loader and the verdicts as JSON."""
