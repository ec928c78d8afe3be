"""Exact, near and similar duplicates: finding them, choosing the keeper, resolving
to the system trash and undoing."""
