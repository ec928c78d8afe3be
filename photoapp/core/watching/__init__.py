"""Folder watching: filesystem events batched into index runs."""
