"""Stars, favourites and rotation: what a person marks on a photo (service.py)."""
