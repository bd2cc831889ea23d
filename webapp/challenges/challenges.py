"""Creating and editing challenges and choosing the teams that take part."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from ..models import Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Team, User, utcnow
from ..problems import Invalid, Problem
from .schema import ChallengeFields, check_dates

EDITABLE = (ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING)
DETAIL_FIELDS = ("slug", "title", "description", "starts_at", "ends_at", "reflection_cadence", "summary_cadence",
                 "leaderboard_mode", "daily_point_cap", "auto_approve_days")


def ensure_editable(challenge: Challenge) -> None:
    """Raises Invalid when the challenge is closed or archived: its record stays as it ran."""
    if challenge.status not in EDITABLE:
        raise Invalid.one("form", f"This challenge is {challenge.status.value}; it can no longer be changed.")


def slug_taken(session: Session, slug: str, except_id: int | None = None) -> bool:
    query = select(Challenge.id).where(Challenge.slug == slug)
    if except_id is not None:
        query = query.where(Challenge.id != except_id)
    return session.exec(query).first() is not None


def _check(session: Session, fields: ChallengeFields, except_id: int | None) -> None:
    problems = check_dates(fields.starts_at, fields.ends_at)
    if slug_taken(session, fields.slug, except_id):
        problems.append(Problem(("slug",), f"a challenge with the slug {fields.slug!r} already exists"))
    if problems:
        raise Invalid(problems)


def create_challenge(session: Session, fields: ChallengeFields, created_by: User | None = None) -> Challenge:
    """A new draft challenge (the caller commits). Raises Invalid on bad dates or a taken slug."""
    _check(session, fields, None)
    challenge = Challenge(**fields.model_dump(include=set(DETAIL_FIELDS)),
                          created_by_id=created_by.id if created_by else None)
    session.add(challenge)
    session.flush()
    return challenge


def update_challenge(session: Session, challenge: Challenge, fields: ChallengeFields) -> Challenge:
    """Change the challenge's details. Raises Invalid when it is closed, on bad dates or a taken slug."""
    ensure_editable(challenge)
    _check(session, fields, challenge.id)
    for name in DETAIL_FIELDS:
        setattr(challenge, name, getattr(fields, name))
    challenge.updated_at = utcnow()
    session.add(challenge)
    return challenge


def teams_of(session: Session, challenge: Challenge) -> list[Team]:
    return list(session.exec(select(Team).join(ChallengeTeam).where(ChallengeTeam.challenge_id == challenge.id)
                             .order_by(Team.name)).all())


def add_team(session: Session, challenge: Challenge, team: Team) -> None:
    """Let `team` take part; its members see the challenge once it is published. Adding twice is harmless."""
    ensure_editable(challenge)
    if session.get(ChallengeTeam, (challenge.id, team.id)) is None:
        session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))


def remove_team(session: Session, challenge: Challenge, team: Team) -> None:
    """Stop `team` taking part. Raises Invalid once its members have enrolled (their history stays whole)."""
    ensure_editable(challenge)
    enrolled = session.exec(select(func.count()).select_from(Enrolment).where(
        Enrolment.challenge_id == challenge.id, Enrolment.team_id == team.id)).one()
    if enrolled:
        raise Invalid.one("team", f"{team.name} has {enrolled} enrolled participant(s); it cannot be removed.")
    link = session.get(ChallengeTeam, (challenge.id, team.id))
    if link is not None:
        session.delete(link)


def delete_draft(session: Session, challenge: Challenge) -> None:
    """Delete a draft nobody has seen. Raises Invalid for any other status."""
    if challenge.status is not ChallengeStatus.DRAFT:
        raise Invalid.one("form", "Only a draft can be deleted; close or archive a challenge that was published.")
    session.delete(challenge)
