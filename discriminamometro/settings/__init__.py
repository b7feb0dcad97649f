"""Settings modules: `base` (embedded default), `production`, `test`."""
