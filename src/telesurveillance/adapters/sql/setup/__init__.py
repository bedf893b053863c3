"""SQL side of the organisation set-up and the administration pages."""
