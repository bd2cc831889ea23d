"""The dashboard as "today": my team's progress toward its goal, what my team did lately, and each waiting
reflection prompt beside the mission it follows."""
from __future__ import annotations

import re

from webapp.models import BadgeRule, BadgeScope, Completion, PromptStatus, ReflectionPrompt

from .test_leaderboards import give


def _section(page: str, marker: str) -> str:
    return page.split(marker, 1)[1].split("</section>", 1)[0]


def test_team_goal_comes_from_the_challenges_team_points_badge(world, session, client, auth):
    ada = world.player("ada@example.com", team="red", name="Ada")
    world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 100}, slug="team-100", scope=BadgeScope.TEAM)
    world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 40}, slug="team-40", scope=BadgeScope.TEAM)
    give(world, session, ada, "red", 55, 1)  # past the 40 badge: the next goal is the 100 one
    auth.login("ada@example.com")
    team = _section(client.get("/dashboard").get_data(as_text=True), 'aria-labelledby="team-title"')
    assert "55 of 100 team points" in team and "“Team-100” badge" in team and "45 to go" in team
    assert re.search(r'<progress value="55" max="100" aria-label="Red toward its team goal', team)


def test_without_a_team_points_badge_the_goal_is_the_documented_rule(world, session, client, auth):
    ada = world.player("ada@example.com", team="red", name="Ada")
    world.player("bo@example.com", team="red", name="Bo")
    give(world, session, ada, "red", 30, 1)
    auth.login("ada@example.com")
    team = _section(client.get("/dashboard").get_data(as_text=True), 'aria-labelledby="team-title"')
    # Two members: the goal grows in steps of 2 x 50 points.
    assert "30 of 100 team points" in team and "50 points per member" in team
    assert '<progress value="30" max="100"' in team


def test_recent_activity_shows_my_teams_latest_events_with_avatars_not_other_teams(world, session, client, auth):
    ada = world.player("ada@example.com", team="red", name="Ada")
    bo = world.player("bo@example.com", team="red", name="Bo")
    eve = world.player("eve@example.com", team="blue", name="Eve")
    for number in range(7):
        give(world, session, ada if number % 2 else bo, "red", number + 1, number)
    give(world, session, eve, "blue", 50, 100)
    auth.login("ada@example.com")
    team = _section(client.get("/dashboard").get_data(as_text=True), 'aria-labelledby="team-title"')
    activity = team.split('class="activity team-activity"', 1)[1]
    items = re.findall(r"<li>(.*?)</li>", activity, re.S)
    assert len(items) == 5  # the last few only
    assert all('class="team-avatar team-c' in item for item in items)
    amounts = [int(re.search(r'chip-points">\+(\d+)<', item).group(1)) for item in items]
    assert amounts == [7, 6, 5, 4, 3]  # newest first
    assert "Eve" not in activity


def test_a_waiting_prompt_shows_beside_its_mission(world, session, client, auth):
    ada = world.player("ada@example.com", team="red", name="Ada")
    read = world.mission(slug="read", max_completions=None)
    world.mission(slug="share")
    completion = Completion(idempotency_key="k1", mission_id=read.id, challenge_id=world.challenge.id,
                            user_id=ada.id, team_id=world.team("red").id, evidence_text="Read it.", points_awarded=10)
    session.add(completion)
    session.flush()
    prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=ada.id, challenge_id=world.challenge.id,
                              completion_id=completion.id, status=PromptStatus.READY, text="What surprised you?",
                              writer="offline")
    session.add(prompt)
    session.commit()
    auth.login("ada@example.com")
    page = client.get("/dashboard").get_data(as_text=True)
    beside = re.search(rf'<li id="next-mission-{read.id}">(.*?)</li>', page, re.S).group(1)
    assert f'href="/reflection/prompts/{prompt.id}"' in beside and "A reflection on this mission is waiting" in beside
    other = re.search(r'<li id="next-mission-(\d+)">(.*?)</li>', page.split(f'id="next-mission-{read.id}"')[1], re.S)
    assert "reflection on this mission" not in other.group(2)
    panel = re.search(rf'<li id="panel-prompt-{prompt.id}".*?</li>', page, re.S).group(0)
    assert "After <strong>Read</strong>" in panel
