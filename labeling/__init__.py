"""Labeling: annotation UI, assignments, agreement, adjudication, gold labels."""
