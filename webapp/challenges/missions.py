"""Missions of a challenge: add, edit, reorder, retire (once completed) or delete (never completed)."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import Challenge, Completion, Mission, MissionSkill, Skill, utcnow
from .challenges import ensure_editable
from ..problems import Invalid, Problem
from .schema import MissionFields

FIELDS = ("slug", "title", "kind", "points", "instructions", "evidence_required", "max_completions", "cooldown_hours",
          "approval")


def missions_of(session: Session, challenge: Challenge, retired: bool = False) -> list[Mission]:
    """Active missions in their order (or the retired ones, when `retired`)."""
    condition = col(Mission.retired_at).is_not(None) if retired else col(Mission.retired_at).is_(None)
    return list(session.exec(select(Mission).where(Mission.challenge_id == challenge.id, condition)
                             .order_by(Mission.position, Mission.id)).all())


def skills_by_mission(session: Session, challenge_id: int) -> dict[int, dict[str, int]]:
    """Mission id -> {skill name: weight}, in the challenge's skill order."""
    result: dict[int, dict[str, int]] = {}
    for mission_id, name, weight in session.exec(
            select(MissionSkill.mission_id, Skill.name, MissionSkill.weight)
            .join(Skill, Skill.id == MissionSkill.skill_id).where(Skill.challenge_id == challenge_id)
            .order_by(Skill.position, Skill.id)):
        result.setdefault(mission_id, {})[name] = weight
    return result


def set_mission_skills(session: Session, mission: Mission, weights: dict[str, int], prefix: tuple = ()) -> None:
    """Make `weights` (skill name -> weight) the mission's skills. Raises Invalid for a name the challenge
    does not list. Later completions, and earlier ones, derive their skill XP from this."""
    skills = {skill.name: skill for skill in session.exec(select(Skill).where(Skill.challenge_id == mission.challenge_id))}
    unknown = [name for name in weights if name not in skills]
    if unknown:
        listed = ", ".join(sorted(skills)) or "none yet"
        raise Invalid([Problem(prefix + ("skills",), f"{unknown[0]!r} is not one of this challenge's skills ({listed})")])
    for row in session.exec(select(MissionSkill).where(MissionSkill.mission_id == mission.id)).all():
        session.delete(row)
    session.flush()
    for name, weight in weights.items():
        session.add(MissionSkill(mission_id=mission.id, skill_id=skills[name].id, weight=weight))


def completion_count(session: Session, mission: Mission) -> int:
    return session.exec(select(func.count()).select_from(Completion).where(Completion.mission_id == mission.id)).one()


def _check_slug(session: Session, challenge_id: int, slug: str, except_id: int | None) -> None:
    query = select(Mission.id).where(Mission.challenge_id == challenge_id, Mission.slug == slug)
    if except_id is not None:
        query = query.where(Mission.id != except_id)
    if session.exec(query).first() is not None:
        raise Invalid([Problem(("slug",), f"this challenge already has a mission with the slug {slug!r}")])


def add_mission(session: Session, challenge: Challenge, fields: MissionFields) -> Mission:
    """Append a mission at the end of the list. Raises Invalid on a duplicate slug or a closed challenge."""
    ensure_editable(challenge)
    _check_slug(session, challenge.id, fields.slug, None)
    last = session.exec(select(func.max(Mission.position)).where(Mission.challenge_id == challenge.id)).one()
    mission = Mission(challenge_id=challenge.id, position=(last or 0) + 1, **fields.model_dump(include=set(FIELDS)))
    session.add(mission)
    session.flush()
    set_mission_skills(session, mission, fields.skills)
    return mission


def update_mission(session: Session, challenge: Challenge, mission: Mission, fields: MissionFields) -> Mission:
    """Change a mission. New points apply to later completions only: the ledger is never rewritten."""
    ensure_editable(challenge)
    _check_slug(session, challenge.id, fields.slug, mission.id)
    for name in FIELDS:
        setattr(mission, name, getattr(fields, name))
    session.add(mission)
    set_mission_skills(session, mission, fields.skills)
    return mission


def move_mission(session: Session, challenge: Challenge, mission: Mission, direction: str) -> None:
    """Swap the mission with its neighbour above ("up") or below ("down"); at either end nothing moves."""
    ensure_editable(challenge)
    if direction not in ("up", "down"):
        raise Invalid.one("direction", "must be up or down")
    ordered = missions_of(session, challenge)
    index = next(i for i, item in enumerate(ordered) if item.id == mission.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):  # renumber: old data may hold ties
        if item.position != position:
            item.position = position
            session.add(item)


def retire_mission(session: Session, challenge: Challenge, mission: Mission) -> None:
    """Take the mission out of play; its completions and points stay."""
    ensure_editable(challenge)
    if mission.retired_at is None:
        mission.retired_at = utcnow()
        session.add(mission)


def restore_mission(session: Session, challenge: Challenge, mission: Mission) -> None:
    ensure_editable(challenge)
    last = session.exec(select(func.max(Mission.position)).where(Mission.challenge_id == challenge.id)).one()
    mission.retired_at = None
    mission.position = (last or 0) + 1
    session.add(mission)


def delete_mission(session: Session, challenge: Challenge, mission: Mission) -> None:
    """Delete a mission nobody completed. Raises Invalid otherwise: retire it instead."""
    ensure_editable(challenge)
    done = completion_count(session, mission)
    if done:
        raise Invalid.one("mission", f"{mission.title!r} has {done} completion(s); retire it instead of deleting it.")
    session.delete(mission)
