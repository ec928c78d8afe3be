"""Widgets: they hold and lay out controls; the main window wires their signals."""
