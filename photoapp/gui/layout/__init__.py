"""Pure layout maths of the gallery (no Qt): justified rows, timeline groups, date words."""
