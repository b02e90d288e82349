"""Runtime pieces users import directly (job worker types)."""
