"""Classifier engine: text processing, embeddings, training, model registry, scoring."""
