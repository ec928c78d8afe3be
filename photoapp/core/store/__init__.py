"""Everything the library keeps on disk: the SQLite catalog (every SQL statement and the
migrations) and the per-model HNSW vector indexes."""
