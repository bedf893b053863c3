"""The Nightscout-compatible upload API: `/nightscout/{key}/api/v1/...` and `/api/v1/...`."""
