"""Controllers: a feature's widgets wired to its service (no engine work of their own)."""
