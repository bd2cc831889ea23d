"""A small world to play in: a running challenge for two teams, missions and badges made on demand."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.models import (
    Badge,
    BadgeRule,
    BadgeScope,
    Challenge,
    ChallengeStatus,
    ChallengeTeam,
    Enrolment,
    Mission,
    MissionKind,
    Team,
    utcnow,
)


class World:
    def __init__(self, session, make_user):
        self.session = session
        self.make_user = make_user
        self.challenge = self.make_challenge()

    def team(self, slug: str) -> Team:
        return self.session.exec(select(Team).where(Team.slug == slug)).one()

    def make_challenge(self, slug="learn-week", teams=("red", "blue"), status=ChallengeStatus.RUNNING, **fields):
        now = utcnow()
        for team_slug in teams:
            if self.session.exec(select(Team).where(Team.slug == team_slug)).first() is None:
                self.session.add(Team(name=team_slug.title(), slug=team_slug))
        self.session.flush()
        challenge = Challenge(slug=slug, title=slug.replace("-", " ").title(), starts_at=now - timedelta(days=3),
                              ends_at=now + timedelta(days=20), status=status, **fields)
        self.session.add(challenge)
        self.session.flush()
        for team_slug in teams:
            self.session.add(ChallengeTeam(challenge_id=challenge.id, team_id=self.team(team_slug).id))
        self.session.commit()
        return challenge

    def mission(self, slug="read", kind=MissionKind.LEARN, points=10, challenge=None, **fields) -> Mission:
        mission = Mission(challenge_id=(challenge or self.challenge).id, slug=slug, title=slug.title(), kind=kind,
                          points=points, **fields)
        self.session.add(mission)
        self.session.commit()
        return mission

    def badge(self, rule: BadgeRule, params: dict, slug=None, scope=BadgeScope.INDIVIDUAL, challenge=None, **fields):
        badge = Badge(challenge_id=(challenge or self.challenge).id, slug=slug or rule.value.replace("_", "-"),
                      name=(slug or rule.value).replace("_", " ").title(), rule=rule, scope=scope, params=params,
                      **fields)
        self.session.add(badge)
        self.session.commit()
        return badge

    def player(self, email: str, team="red", enrol=True, challenge=None, **fields):
        user = self.make_user(email, team=team, **fields)
        if enrol:
            self.session.add(Enrolment(challenge_id=(challenge or self.challenge).id, user_id=user.id,
                                       team_id=self.team(team).id))
            self.session.commit()
        return user


@pytest.fixture
def world(session, make_user) -> World:
    return World(session, make_user)
