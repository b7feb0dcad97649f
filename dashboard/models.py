"""Models of the dashboard app (none yet)."""
