"""Models of the labeling app (none yet)."""
