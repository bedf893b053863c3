"""The Nightscout sites (per-patient URL and secret) and the entries they read back."""
