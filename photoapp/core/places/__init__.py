"""Where photos were taken: offline reverse geocoding and the places of a library."""
