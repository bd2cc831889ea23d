"""The main navigation: each area adds its entry here; entries show only when their blueprint exists."""
from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from .models import Role

EVERYONE = (Role.EMPLOYEE, Role.LEAD, Role.ADMIN)

# (label, endpoint, roles that see it)
NAV_ITEMS: list[tuple[str, str, tuple[Role, ...]]] = [
    ("Dashboard", "main.dashboard", EVERYONE),
    ("Challenges", "admin.challenges", (Role.ADMIN,)),
    ("Teams", "admin.teams", (Role.ADMIN,)),
    ("Users", "admin.users", (Role.ADMIN,)),
    ("Team lessons", "team_lessons.team", (Role.LEAD,)),
    ("Review", "review.queue", (Role.LEAD, Role.ADMIN)),
    ("Approvals", "play.approvals", (Role.LEAD, Role.ADMIN)),
    ("Library", "library.index", EVERYONE),
    ("Programme", "monitoring.overview", (Role.LEAD, Role.ADMIN)),
    ("Jobs", "operations.jobs", (Role.ADMIN,)),
    ("Mail", "admin.mail", (Role.ADMIN,)),
    ("LLM calls", "reflection.llm_calls", (Role.ADMIN,)),
    ("Credentials", "credentials.issued", (Role.ADMIN,)),
    ("Service tokens", "api_tokens.service_token_list", (Role.ADMIN,)),
    ("Webhooks", "outbound.webhooks_page", (Role.ADMIN,)),
]


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [(label, endpoint) for label, endpoint, roles in NAV_ITEMS
            if endpoint in endpoints and current_user.role in roles]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
