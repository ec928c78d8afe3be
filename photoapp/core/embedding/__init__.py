"""Embedding models behind one small interface: load(), embed_pixels(), embed_texts(), unload()."""
