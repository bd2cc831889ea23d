"""A small world for review and library tests: two teams, their leads, an admin, shared and private
reflections, and a draft summary written by the real summary job (offline writer) through the real runner."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from webapp.models import (
    Challenge, ChallengeStatus, ChallengeTeam, Completion, LessonSummary, Mission, MissionKind, OutboxJob,
    PromptStatus, Reflection, ReflectionPrompt, Role, Team, User, Visibility, utcnow,
)

SHARED = {
    "ada": "I learned that writing the rollback plan first makes releases calm. Next time I will try a dry run.",
    "bob": "Pairing on the flaky test worked better than debugging alone. The mistake was forgetting to pin the clock.",
}
PRIVATE_BODY = "Secret worry: I made a mistake with the billing export and told nobody about it."


@dataclass
class World:
    session: Session
    database_url: str
    challenge: Challenge
    team: Team
    other_team: Team
    lead: User
    co_lead: User
    ada: User
    bob: User
    other_lead: User
    outsider: User
    admin: User
    missions: list[Mission]

    def reflect(self, user: User, body: str, visibility=Visibility.TEAM, mission: Mission | None = None,
                team: Team | None = None) -> Reflection:
        mission = mission or self.missions[0]
        team = team or self.team
        completion = Completion(idempotency_key=uuid.uuid4().hex, mission_id=mission.id, challenge_id=self.challenge.id,
                                user_id=user.id, team_id=team.id, evidence_text="notes", points_awarded=mission.points)
        self.session.add(completion)
        self.session.flush()
        prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=user.id, challenge_id=self.challenge.id,
                                  completion_id=completion.id, status=PromptStatus.ANSWERED, text="What happened?")
        self.session.add(prompt)
        self.session.flush()
        reflection = Reflection(prompt_id=prompt.id, user_id=user.id, challenge_id=self.challenge.id, team_id=team.id,
                                body=body, visibility=visibility)
        self.session.add(reflection)
        self.session.commit()
        return reflection

    def run_jobs(self) -> list[str]:
        """Run every pending outbox job once through the real runner."""
        from workers.runner import run_outbox_job

        self.session.commit()
        ids = self.session.exec(select(OutboxJob.id).where(OutboxJob.status == "pending")).all()
        statuses = [run_outbox_job(job_id, self.database_url) for job_id in ids]
        self.session.expire_all()
        return statuses

    def draft(self, team: Team | None = None, key: str | None = None) -> LessonSummary:
        """A summary of the team's shared reflections, written by the real job (offline writer)."""
        from webapp.summaries.requests import request_summary

        team = team or self.team
        summary = request_summary(self.session, team_id=team.id, challenge_id=self.challenge.id, trigger="on_demand",
                                  work_key=key or f"test:{team.id}:{uuid.uuid4().hex[:8]}")
        self.session.commit()
        self.run_jobs()
        return self.session.get(LessonSummary, summary.id)


@pytest.fixture
def world(session, make_user, database_url) -> World:
    lead = make_user("lena@example.com", Role.LEAD, team="owls", lead=True, name="Lena Lead")
    co_lead = make_user("colin@example.com", Role.LEAD, team="owls", lead=True, name="Colin Colead")
    ada = make_user("ada@example.com", team="owls", name="Ada Lovelace")
    bob = make_user("bob@example.com", team="owls", name="Bob Builder")
    other_lead = make_user("fred@example.com", Role.LEAD, team="foxes", lead=True, name="Fred Fox")
    outsider = make_user("olga@example.com", team="foxes", name="Olga Outsider")
    admin = make_user("root@example.com", Role.ADMIN, name="Ari Admin")
    team = session.exec(select(Team).where(Team.slug == "owls")).one()
    other = session.exec(select(Team).where(Team.slug == "foxes")).one()
    now = utcnow()
    challenge = Challenge(slug="mistakes", title="A week of learning from mistakes", starts_at=now - timedelta(days=3),
                          ends_at=now + timedelta(days=4), status=ChallengeStatus.RUNNING)
    session.add(challenge)
    session.flush()
    session.add_all([ChallengeTeam(challenge_id=challenge.id, team_id=team.id),
                     ChallengeTeam(challenge_id=challenge.id, team_id=other.id)])
    missions = [Mission(challenge_id=challenge.id, slug="experiment", title="Try something new", kind=MissionKind.EXPERIMENT,
                        points=20),
                Mission(challenge_id=challenge.id, slug="help", title="Pair with a teammate", kind=MissionKind.HELP,
                        points=15)]
    session.add_all(missions)
    session.commit()
    world = World(session, database_url, challenge, team, other, lead, co_lead, ada, bob, other_lead, outsider, admin,
                  missions)
    world.shared = [world.reflect(ada, SHARED["ada"], mission=missions[0]),
                    world.reflect(bob, SHARED["bob"], mission=missions[1])]
    world.private = world.reflect(ada, PRIVATE_BODY, Visibility.PRIVATE)
    return world


@pytest.fixture
def draft(world) -> LessonSummary:
    summary = world.draft()
    assert summary.status == "draft" and summary.current_version == 1
    return summary
