"""Index runs: scan the folders, decode, embed and store new or changed photos."""
