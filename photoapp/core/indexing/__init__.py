"""Index runs: scan the folders, decode, embed and store new or changed photos
(indexer.py), and the runs and the model switch the Library delegates (service.py)."""
