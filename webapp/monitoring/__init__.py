"""Monitoring the programme: dashboards, skill self-assessments and CSV exports."""
from .routes import bp

__all__ = ["bp"]
