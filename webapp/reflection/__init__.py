"""Reflection: prompts participants answer, a lead's team lessons page (over webapp.summaries), and the LLM call log.

The pages are `reflection.routes.bp`, not imported here, so the summaries area can use this package's queries
without loading its routes."""
