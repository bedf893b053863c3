"""Regulatory parameters as cited, dated data (`data/`), with typed access by date."""
