"""Fixtures of the reflection tests: the fake OpenAI server, a small world (challenge, team, completions)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from webapp.models import (
    Cadence, Challenge, ChallengeStatus, ChallengeTeam, Completion, Enrolment, Mission, MissionKind, PromptStatus,
    Reflection, ReflectionPrompt, Role, Team, User, Visibility, utcnow,
)

from .fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai():
    import workers.llm

    workers.llm._json_mode_only.clear()
    server = FakeOpenAI().start()
    yield server
    server.stop()
    workers.llm._json_mode_only.clear()


@pytest.fixture
def use_fake_openai(fake_openai, monkeypatch):
    """Jobs read settings from the environment, as in a worker: point them at the fake server."""
    from webapp.settings import get_settings

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("LLM_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    get_settings.cache_clear()
    yield fake_openai
    get_settings.cache_clear()


@dataclass
class World:
    session: Session
    challenge: Challenge
    team: Team
    lead: User
    members: list[User]
    missions: list[Mission]
    completions: list[Completion] = field(default_factory=list)

    def complete(self, user: User, mission: Mission | None = None, evidence: str = "I paired with a colleague and wrote notes.") -> Completion:
        mission = mission or self.missions[0]
        completion = Completion(idempotency_key=uuid.uuid4().hex, mission_id=mission.id, challenge_id=self.challenge.id,
                                user_id=user.id, team_id=self.team.id, evidence_text=evidence,
                                points_awarded=mission.points)
        self.session.add(completion)
        self.session.commit()
        self.completions.append(completion)
        return completion

    def reflect(self, user: User, body: str, visibility: Visibility = Visibility.TEAM) -> Reflection:
        completion = self.complete(user)
        prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=user.id,
                                  challenge_id=self.challenge.id, completion_id=completion.id,
                                  status=PromptStatus.ANSWERED, text="What happened?")
        self.session.add(prompt)
        self.session.flush()
        reflection = Reflection(prompt_id=prompt.id, user_id=user.id, challenge_id=self.challenge.id,
                                team_id=self.team.id, body=body, visibility=visibility)
        self.session.add(reflection)
        self.session.commit()
        return reflection


@pytest.fixture
def world(session, make_user) -> World:
    lead = make_user("lena.lead@example.com", Role.LEAD, team="owls", lead=True, name="Lena Lead")
    ada = make_user("ada@example.com", team="owls", name="Ada Lovelace")
    bob = make_user("bob@example.com", team="owls", name="Bob Builder")
    team = session.exec(select(Team).where(Team.slug == "owls")).one()
    now = utcnow()
    challenge = Challenge(slug="mistakes-week", title="A week of learning from mistakes", starts_at=now - timedelta(days=3),
                          ends_at=now + timedelta(days=4), status=ChallengeStatus.RUNNING,
                          reflection_cadence=Cadence.AFTER_EACH, summary_cadence=Cadence.WEEKLY)
    session.add(challenge)
    session.flush()
    session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
    missions = [Mission(challenge_id=challenge.id, slug="share-a-mistake", title="Share a mistake you learned from",
                        kind=MissionKind.EXPERIMENT, points=20),
                Mission(challenge_id=challenge.id, slug="teach", title="Teach a teammate a shortcut",
                        kind=MissionKind.HELP, points=15)]
    session.add_all(missions)
    for user in (lead, ada, bob):
        session.add(Enrolment(challenge_id=challenge.id, user_id=user.id, team_id=team.id))
    session.commit()
    return World(session, challenge, team, lead, [ada, bob], missions)


def run_job(session: Session, name: str, key: str, **payload) -> str:
    """Enqueue a job and run it once through the real runner (as the pump or an rq worker would)."""
    from webapp.jobs import enqueue
    from workers.runner import run_outbox_job

    job = enqueue(session, name, key, **payload)
    session.commit()
    status = run_outbox_job(job.id, str(session.get_bind().url.render_as_string(hide_password=False)))
    session.expire_all()
    return status
