"""The LLM call log as admins read it: totals per template, version and model, and the latest calls."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import LlmCall


@dataclass
class CallTotals:
    template_name: str
    template_version: str
    model: str
    calls: int
    tokens_in: int
    tokens_out: int
    mean_latency_ms: int
    outcomes: dict[str, int]


def llm_call_totals(session: Session) -> list[CallTotals]:
    rows = session.exec(
        select(LlmCall.template_name, LlmCall.template_version, LlmCall.model, LlmCall.outcome, func.count(),
               func.sum(LlmCall.tokens_in), func.sum(LlmCall.tokens_out), func.avg(LlmCall.latency_ms))
        .group_by(LlmCall.template_name, LlmCall.template_version, LlmCall.model, LlmCall.outcome)
    ).all()
    totals: dict[tuple, CallTotals] = {}
    for name, version, model, outcome, calls, tokens_in, tokens_out, latency in rows:
        entry = totals.setdefault((name, version, model), CallTotals(name, version, model, 0, 0, 0, 0, {}))
        weighted = entry.mean_latency_ms * entry.calls + float(latency or 0) * calls
        entry.calls += calls
        entry.tokens_in += int(tokens_in or 0)
        entry.tokens_out += int(tokens_out or 0)
        entry.mean_latency_ms = int(weighted / entry.calls)
        entry.outcomes[outcome] = calls
    return sorted(totals.values(), key=lambda entry: (entry.template_name, entry.template_version, entry.model))


def recent_llm_calls(session: Session, limit: int = 100) -> list[LlmCall]:
    return list(session.exec(select(LlmCall).order_by(col(LlmCall.id).desc()).limit(limit)))
