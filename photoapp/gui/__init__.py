"""The desktop GUI (PySide6): the only package that imports Qt.

A thin layer over ``photoapp.core.library.Library``: core work runs on worker threads
and reaches widgets only through queued signals.
"""
