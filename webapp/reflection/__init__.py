"""Reflection: prompts participants answer, team lesson summaries leads ask for, and the LLM call log."""
from .routes import bp

__all__ = ["bp"]
