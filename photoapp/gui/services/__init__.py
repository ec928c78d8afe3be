"""One GUI service per capability: QObjects that run engine work on worker threads and
hand the answers to the GUI thread (see services/library.py)."""
