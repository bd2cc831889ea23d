"""Portable badges: Open Badges 3.0 credentials and 2.0 hosted assertions of the badges people earn."""
from .routes import bp

__all__ = ["bp"]
