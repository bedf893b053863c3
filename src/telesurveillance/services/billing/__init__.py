"""Billing over the store: runs, the append-only ledger, corrections, exports, audit, forecast, the
exploitant's view."""
