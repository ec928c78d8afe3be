"""The headless engine: no Qt imports here (checked by tests/test_architecture.py)."""
