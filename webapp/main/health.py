"""What /healthz reports: database, Redis (when configured) and how many jobs wait."""
from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from ..jobs import job_queue, redis_connection, waiting_count
from ..settings import Settings


def health_report(session: Session, settings: Settings) -> tuple[dict, bool]:
    report: dict = {"database": _check(lambda: session.exec(text("SELECT 1")).one())}
    healthy = report["database"] == "ok"
    if healthy:
        report["outbox_waiting"] = waiting_count(session)
    if settings.uses_redis:
        connection = redis_connection(settings)
        report["redis"] = _check(connection.ping)
        if report["redis"] == "ok":
            report["rq_queued"] = job_queue(settings, connection).count
        healthy = healthy and report["redis"] == "ok"
        report["queue"] = "rq"
    else:
        report["queue"] = "in-process"
    report["writer"] = "openai" if settings.uses_llm else "offline"
    report["status"] = "ok" if healthy else "degraded"
    return report, healthy


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        return f"error: {type(error).__name__}"
