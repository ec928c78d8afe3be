"""Embedding models behind one small interface, ``base.Embedder`` (load, embed_pixels,
embed_texts/embed_queries, unload); ``provider`` picks the model and keeps one embedder each."""
