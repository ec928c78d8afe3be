"""Item delegates: how one cell of a view is painted."""
