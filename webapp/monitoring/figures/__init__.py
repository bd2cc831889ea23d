"""The programme's figures, aggregated in the database (GROUP BY, COUNT DISTINCT), never row by row.

Points, completions and reflections are read from the daily rollups (webapp/monitoring/rollups.py), which
each figure first brings up to date when little is waiting; a dashboard's date range is whole UTC days. Without
a date range they are read from the all-time rollups instead, which have no day in their key: a row per team,
per mission and team, per enrolment, per person and mission.
"""
from .activity import completions_by_kind, completions_per_day
from .badges import BadgeFigures, badges_earned
from .dashboard import Dashboard, dashboard
from .missions import MissionFigures, missions
from .people import Funnel, People, funnel, people
from .skills import SkillFigures, self_assessments
from .teams import TeamFigures, team_comparison

__all__ = ["BadgeFigures", "Dashboard", "Funnel", "MissionFigures", "People", "SkillFigures", "TeamFigures",
           "badges_earned", "completions_by_kind", "completions_per_day", "dashboard", "funnel", "missions",
           "people", "self_assessments", "team_comparison"]
