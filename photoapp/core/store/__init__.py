"""Everything the library keeps on disk: the SQLite catalog (every SQL statement and the
migrations: catalog, tags, probes, fingerprints, duplicates) and the per-model HNSW vector
indexes (vector_index, and the registry of loaded ones, indexes)."""
