"""Photoapp: a desktop photo organiser with on-device AI search."""

__version__ = "0.1.0"
