"""Qt item models adapting core data for views."""
