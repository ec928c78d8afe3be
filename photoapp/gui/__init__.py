"""The desktop GUI (PySide6): the only package that imports Qt.

A thin layer over ``photoapp.core.library.Library`` (the facade) and the engine's value
types: one service per capability (``gui/services``) runs core work on worker threads and
hands answers to the widgets only through queued signals; views and controllers hold
widgets. tests/gui/test_architecture.py checks what the GUI may import.
"""
