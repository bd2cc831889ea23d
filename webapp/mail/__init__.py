"""Email: composed in the request's transaction, sent by a job through the outbox (see workers.mail)."""
from .compose import compose, queue_emails

__all__ = ["compose", "queue_emails"]
