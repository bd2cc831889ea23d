"""Rollups the programme dashboards read instead of the ledger, kept up to date from ids: sums per UTC day,
day bitmaps per person (who did something in a date range), all-time sums (views without a date range).

Derived data only: webapp.monitoring.rollups fills them from point_event, completion and reflection rows
above the high-water marks in RollupState, and can rebuild them from scratch.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger
from sqlmodel import Field, SQLModel


class TeamDay(SQLModel, table=True):
    """A team's points, completions and reflections in a challenge on a UTC day."""

    __tablename__ = "team_day"

    challenge_id: int = Field(primary_key=True)
    team_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    points: int = 0
    completions: int = 0
    reflections: int = 0


class MissionDay(SQLModel, table=True):
    """Completions of a mission, reflections answering prompts about them, and the points its completions earned
    (the ledger's, on the day they were recorded), per team and UTC day. XP per skill is these points times the
    mission's weight for the skill.

    challenge_id is the completion's (or the reflection's, or the points') own, as the dashboards filter them.
    """

    __tablename__ = "mission_day"

    challenge_id: int = Field(primary_key=True)
    mission_id: int = Field(primary_key=True)
    team_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    completions: int = 0
    reflections: int = 0
    points: int = 0


class ActivityTotal(SQLModel, table=True):
    """What one person did in a challenge since it began, whatever their team.

    One row per person and challenge, so a dashboard without a date range reads one row per enrolment.
    """

    __tablename__ = "activity_total"

    challenge_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    point_events: int = 0
    points: int = 0
    completions: int = 0
    reflections: int = 0


class TeamTotal(SQLModel, table=True):
    """TeamDay without the days: a team's points, completions and reflections in a challenge so far."""

    __tablename__ = "team_total"

    challenge_id: int = Field(primary_key=True)
    team_id: int = Field(primary_key=True)
    points: int = 0
    completions: int = 0
    reflections: int = 0


class MissionTotal(SQLModel, table=True):
    """MissionDay without the days: completions of a mission, the reflections they led to, and the points they
    earned, per team, so far."""

    __tablename__ = "mission_total"

    challenge_id: int = Field(primary_key=True)
    mission_id: int = Field(primary_key=True)
    team_id: int = Field(primary_key=True)
    completions: int = 0
    reflections: int = 0
    points: int = 0


class MissionCompleter(SQLModel, table=True):
    """Who ever completed a mission, and how often: distinct completers are not a sum, so it keeps the person."""

    __tablename__ = "mission_completer"

    mission_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    completions: int = 0


# Days per row of the day bitmaps below: bit n of a row of block b stands for UTC day b * DAYS_PER_BLOCK + n
# (counted from 1970-01-01), so a block fits a signed 64-bit integer.
DAYS_PER_BLOCK = 62


class ActivityDayBits(SQLModel, table=True):
    """On which UTC days a person was active (points or a completion), completed, reflected in a challenge.

    One row per person, challenge and block of days: whether someone did something in a date range is a bit
    test on one or two rows, not a scan of their days.
    """

    __tablename__ = "activity_day_bits"

    challenge_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    block: int = Field(primary_key=True)
    active: int = Field(default=0, sa_type=BigInteger)
    completed: int = Field(default=0, sa_type=BigInteger)
    reflected: int = Field(default=0, sa_type=BigInteger)


class MissionCompleterDayBits(SQLModel, table=True):
    """On which UTC days a person completed a mission, one bitmap per block of days (distinct completers in a
    range are not a sum, so it keeps the person)."""

    __tablename__ = "mission_completer_day_bits"

    mission_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    block: int = Field(primary_key=True)
    days: int = Field(default=0, sa_type=BigInteger)


class RollupState(SQLModel, table=True):
    """The single row saying how far the rollups have read each source (ids only grow).

    gaps: ids below a mark that were missing when it moved (a transaction still writing them, or rolled
    back), as {source: [[first, last, seen_at], ...]}; they are read again until they appear or expire.
    """

    __tablename__ = "rollup_state"

    id: int = Field(default=1, primary_key=True)
    point_event_id: int = 0
    completion_id: int = 0
    reflection_id: int = 0
    gaps: dict = Field(default_factory=dict, sa_type=JSON)
    refreshed_at: datetime | None = None
