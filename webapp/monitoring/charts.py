"""Chart.js descriptions of the dashboard figures, as JSON data for static/js/charts.js to draw."""
from __future__ import annotations

from .figures import Dashboard

TEAMS_IN_CHART = 15


def _bar(labels, datasets, *, horizontal=False, percent=False, title="") -> dict:
    return {"type": "bar", "labels": labels, "datasets": datasets, "horizontal": horizontal, "percent": percent,
            "title": title}


def _percent(value: float | None) -> float:
    return round((value or 0) * 100, 1)


def chart_configs(data: Dashboard) -> dict[str, dict]:
    """One entry per chart: type, labels, datasets ({label, data}) and how to show values."""
    best_and_worst = data.best_missions + [m for m in data.worst_missions if m not in data.best_missions]
    overall_skills = [row for row in data.skills if row.team is None]
    teams = data.teams[:TEAMS_IN_CHART]
    return {
        "funnel": _bar([label for label, _ in data.funnel.steps()],
                       [{"label": "People", "data": [count for _, count in data.funnel.steps()]}],
                       horizontal=True, title="Participation funnel"),
        "per-day": {"type": "line", "labels": [day for day, _ in data.per_day],
                    "datasets": [{"label": "Completions", "data": [count for _, count in data.per_day]}],
                    "title": "Completions per day"},
        "by-kind": _bar([kind for kind, _ in data.by_kind],
                        [{"label": "Completions", "data": [count for _, count in data.by_kind]}],
                        title="Completions by mission kind"),
        "teams": _bar([team.name for team in teams],
                      [{"label": "Points", "data": [team.points for team in teams]}],
                      horizontal=True, title="Points per team"),
        "missions": _bar([mission.title for mission in best_and_worst],
                         [{"label": "Completion rate (%)",
                           "data": [_percent(mission.completion_rate) for mission in best_and_worst]}],
                         horizontal=True, percent=True, title="Completion rate of the best and worst missions"),
        "badges": _bar([badge.name for badge in data.badges],
                       [{"label": "Awards", "data": [badge.awards for badge in data.badges]}],
                       horizontal=True, title="Badges earned"),
        "skills": _bar([f"{row.skill}" for row in overall_skills],
                       [{"label": "Before", "data": [round(row.before_average or 0, 2) for row in overall_skills]},
                        {"label": "After", "data": [round(row.after_average or 0, 2) for row in overall_skills]}],
                       title="Average self-assessment, before and after (1 to 5)"),
    }
