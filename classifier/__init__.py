"""Classifier: labelled data, training runs, the model registry, scoring and serving; the pure ML in `engine/`."""
