"""The lessons library: published lessons for everyone signed in, searchable, filterable, exportable."""
from .routes import bp

__all__ = ["bp"]
