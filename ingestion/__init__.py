"""Ingestion: the dictionary, sources, tweets, the raw archive and scheduled downloads."""
