"""Dashboard: the semáforo, time series, map and drill-down."""
