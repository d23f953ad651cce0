"""The single place where simcenter's version is defined."""

__version__ = "0.1.0"
