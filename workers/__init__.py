"""What runs in `rq worker` (or the in-process pump): job functions taking ids, and the LLM writers."""
