"""Models of the classifier app (none yet)."""
