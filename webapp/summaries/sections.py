"""The five lists of a lesson summary, in the order pages and exports show them (workers.writing.SECTIONS)."""
from __future__ import annotations

SECTION_TITLES = {
    "key_lessons": "Key lessons",
    "practices": "Practices that worked",
    "mistakes": "Mistakes and what they taught",
    "open_questions": "Open questions",
    "next_experiments": "Next experiments",
}
SECTIONS = tuple(SECTION_TITLES)
