"""Reproducible speed measurements (`make bench`) and the synthetic data they run on."""
