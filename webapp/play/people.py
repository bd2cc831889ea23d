"""Who may open another person's page, and what of it they see.

Someone's page is theirs, and the organisation's admins see every page. Anyone else sees a person
they meet in the product: a teammate (the feed shows them anyway), or someone playing a challenge
one of their teams takes part in, on whose board that person's name shows (not an anonymous board,
and not a person who chose to hide their name on boards). Everyone else gets "not found", so a page
never tells that a person exists. What is shown is limited to those shared challenges, and of the
reflections only those the person shared with a team the viewer belongs to: a private reflection (a
journal) is never shown to anyone else, admins included.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from ..models import Challenge, ChallengeTeam, Enrolment, LeaderboardMode, Membership, Role, User
from ..problems import NotFound
from .access import VISIBLE


@dataclass(frozen=True)
class Sight:
    """What `viewer` may see of a person: None challenge ids means every challenge (their own page, an admin)."""
    own: bool
    challenge_ids: frozenset[int] | None
    team_ids: frozenset[int]  # teams the two share: the person's reflections shared with these are shown


def sight_of(session: Session, viewer: User, person_id: int) -> tuple[User, Sight]:
    """The person and what `viewer` may see of them. Raises NotFound when they may not see the page."""
    person = session.get(User, person_id)
    if person is None or not person.is_active:
        raise NotFound(person_id)
    shared_teams = frozenset(session.exec(select(Membership.team_id).where(
        Membership.user_id == viewer.id,
        col(Membership.team_id).in_(select(Membership.team_id).where(Membership.user_id == person.id)))).all())
    if person.id == viewer.id:
        return person, Sight(True, None, shared_teams)
    if viewer.role == Role.ADMIN:
        return person, Sight(False, None, shared_teams)
    viewer_plays_there = exists(select(ChallengeTeam.challenge_id)
                                .join(Membership, Membership.team_id == ChallengeTeam.team_id)
                                .where(ChallengeTeam.challenge_id == Challenge.id, Membership.user_id == viewer.id))
    challenges = session.exec(
        select(Challenge.id, Challenge.leaderboard_mode)
        .join(Enrolment, and_(Enrolment.challenge_id == Challenge.id, Enrolment.user_id == person.id))
        .where(col(Challenge.status).in_(VISIBLE), viewer_plays_there)).all()
    if shared_teams:
        return person, Sight(False, frozenset(challenge_id for challenge_id, _ in challenges), shared_teams)
    named = frozenset(challenge_id for challenge_id, mode in challenges if mode != LeaderboardMode.ANONYMOUS)
    if not named or not person.show_on_leaderboards:
        raise NotFound(person_id)
    return person, Sight(False, named, shared_teams)
