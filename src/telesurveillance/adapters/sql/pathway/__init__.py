"""The care pathway over SQL: its tables, the store of the use cases, its read models."""
