"""Review: a lead's queue of their teams' lesson summaries, the draft page and its transitions."""
from .routes import bp

__all__ = ["bp"]
