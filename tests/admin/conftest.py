"""Fixtures for the admin tests: a signed-in admin and challenges built through the real services."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from webapp.challenges.schema import MissionFields
from webapp.models import Badge, Challenge, ChallengeTeam, Membership, Mission, Role, Team, User, utcnow


@pytest.fixture
def admin(make_user, auth):
    user = make_user("admin@example.com", Role.ADMIN)
    auth.login("admin@example.com")
    return user


@pytest.fixture
def make_challenge(session):
    """A draft challenge with one mission per kind given, optionally with teams; starts in a day unless told."""
    from webapp.challenges import missions

    def make(slug="spring", kinds=("learn",), teams=(), starts_in=timedelta(days=1), days=7, points=10):
        start = utcnow() + starts_in
        challenge = Challenge(slug=slug, title=slug.title(), starts_at=start, ends_at=start + timedelta(days=days))
        session.add(challenge)
        session.flush()
        for index, kind in enumerate(kinds):
            missions.add_mission(session, challenge, MissionFields(slug=f"m{index}", title=f"Mission {index}",
                                                                   kind=kind, points=points))
        for team in teams:
            session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
        session.commit()
        return challenge

    return make


def counts(session) -> dict:
    """How many rows the authoring tables hold: "nothing changed" means these stay equal."""
    session.expire_all()
    return {model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Challenge, Mission, Badge, ChallengeTeam, Team, User, Membership)}
