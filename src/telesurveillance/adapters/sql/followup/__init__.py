"""SQL store of the follow-up tasks marked done (issue 15c)."""
