"""People: faces found on photos while they are indexed, grouped into people, named and corrected."""
