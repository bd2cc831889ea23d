"""The pseudonymiser of one writer call: every person of the organisation, numbered the same in every call."""
from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session, col, select

from webapp.models import Membership, User
from webapp.names import NameMatcher, Person, Pseudonymiser


def pseudonymiser_for(session: Session, team_id: int | None, authors: set[int]) -> Pseudonymiser:
    """The team's members and `authors` become "Participant N", everyone else "Colleague N": a name from
    outside the team ("building on Sofia's course") is a name all the same."""
    team = set(session.exec(select(Membership.user_id).where(Membership.team_id == team_id)).all()) if team_id else set()
    people = tuple(Person(user_id, name) for user_id, name in
                   session.exec(select(User.id, User.display_name).order_by(col(User.id))).all())
    return Pseudonymiser(people, team | authors, _matcher(people))


@lru_cache(maxsize=2)
def _matcher(people: tuple[Person, ...]) -> NameMatcher:
    # Built once per worker process while the organisation's people stay the same (about 0.5 s for 3,000).
    return NameMatcher(people)
