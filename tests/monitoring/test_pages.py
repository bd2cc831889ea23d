"""Dashboard pages, CSV exports and who may see them: admins everything, leads their own teams, employees nothing."""
from __future__ import annotations

import csv
import io

import pytest

from webapp.models import Team
from webapp.monitoring.exports import TABLES, safe_cell


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("path", ["/monitoring/", "/monitoring/challenges/{a}", "/monitoring/export/teams.csv",
                                  "/monitoring/challenges/{a}/export/funnel.csv", "/monitoring/challenges/{a}/skills"])
def test_employee_may_not_see_any_monitoring_page(client, auth, world, path):
    auth.login("employee@example.com")
    assert client.get(path.format(a=world.a)).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/monitoring/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_sees_every_team_and_the_charts_with_their_tables(client, auth, world):
    auth.login("admin@example.com")
    page = client.get(f"/monitoring/challenges/{world.a}").get_data(as_text=True)
    assert "Challenge A: how it goes" in page
    assert page.count("<canvas data-chart=") >= 6
    assert '<caption>Participation funnel: people at each step</caption>' in page
    assert '<th scope="row">Red</th>' in page and '<th scope="row">Blue</th>' in page
    assert 'src="/static/vendor/chart.umd.min.js"' in page
    assert "Programme" in client.get("/dashboard").get_data(as_text=True)


def test_lead_sees_only_their_own_teams(client, auth, world):
    auth.login("lead-red@example.com")
    page = client.get(f"/monitoring/challenges/{world.a}").get_data(as_text=True)
    assert '<th scope="row">Red</th>' in page and '<th scope="row">Blue</th>' not in page
    assert rows_of(client.get(f"/monitoring/challenges/{world.a}/export/teams.csv"))[1:] == [
        ["Red", "3", "3", "38", "4", "1", "1", "0.3333"]]
    funnel = rows_of(client.get("/monitoring/export/funnel.csv"))
    assert funnel[1] == ["Enrolled", "3"]


def test_lead_may_not_filter_on_another_team(client, auth, world):
    auth.login("lead-red@example.com")
    assert client.get(f"/monitoring/challenges/{world.a}?team={world.blue}").status_code == 403
    assert client.get(f"/monitoring/export/teams.csv?team={world.blue}").status_code == 403
    assert client.get(f"/monitoring/challenges/{world.a}?team={world.red}").status_code == 200


def test_lead_may_not_open_a_challenge_their_teams_are_not_in(client, auth, world):
    auth.login("lead-blue@example.com")
    assert client.get(f"/monitoring/challenges/{world.b}").status_code == 404
    assert client.get(f"/monitoring/challenges/{world.b}/export/teams.csv").status_code == 404
    assert client.get(f"/monitoring/challenges/{world.a}").status_code == 200


def test_lead_may_not_name_skills(client, auth, world):
    auth.login("lead-red@example.com")
    assert client.get(f"/monitoring/challenges/{world.a}/skills").status_code == 403


def test_unknown_challenge_team_or_table_is_not_found(client, auth, world):
    auth.login("admin@example.com")
    assert client.get("/monitoring/challenges/999").status_code == 404
    assert client.get("/monitoring/?team=999").status_code == 404
    assert client.get("/monitoring/export/secrets.csv").status_code == 404


def test_bad_dates_are_reported_beside_the_field(client, auth, world):
    auth.login("admin@example.com")
    response = client.get("/monitoring/?start=yesterday&end=2026-03-01")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in page and 'value="yesterday"' in page
    response = client.get("/monitoring/?start=2026-03-05&end=2026-03-01")
    assert response.status_code == 422 and "on or after the start date" in response.get_data(as_text=True)


def test_filters_apply_to_the_page_and_its_htmx_fragment(client, auth, world):
    auth.login("admin@example.com")
    path = f"/monitoring/challenges/{world.a}?start=2026-03-03&end=2026-03-03&team={world.red}"
    fragment = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<caption>Completions per day (UTC)</caption>" in fragment
    assert '<th scope="row">2026-03-03</th><td>2</td>' in fragment
    assert "2026-03-02" not in fragment
    # The CSV links carry the same filters.
    assert f"export/teams.csv?start=2026-03-03&amp;end=2026-03-03&amp;team={world.red}" in fragment


def test_csv_exports_have_a_header_and_the_filtered_figures(client, auth, world):
    auth.login("admin@example.com")
    base = f"/monitoring/challenges/{world.a}/export"
    assert rows_of(client.get(f"{base}/completions-per-day.csv?start=2026-03-03&end=2026-03-10")) == [
        ["day (UTC)", "completions"], ["2026-03-03", "2"], ["2026-03-10", "1"]]
    assert rows_of(client.get(f"{base}/funnel.csv?team={world.blue}")) == [
        ["step", "people"], ["Enrolled", "2"], ["Active (points or a completion)", "1"],
        ["Completed at least one mission", "1"], ["Wrote at least one reflection", "1"], ["Reflections written", "1"],
        ["Reflection rate (reflected / enrolled)", "0.5"],
        ["Evidence waiting for a lead's approval (completions)", "0"]]
    missions = rows_of(client.get(f"{base}/missions.csv"))
    assert missions[0][0] == "mission" and missions[1] == [
        "Read a postmortem", "Challenge A", "learn", "2", "5", "0.4", "3", "1"]
    skills = rows_of(client.get(f"{base}/self-assessments.csv"))
    assert skills[1] == ["Giving feedback", "Challenge A", "All teams", "3.0", "3", "4.5", "2", "1.5"]
    badges = rows_of(client.get(f"{base}/badges.csv"))
    assert badges == [["badge", "challenge", "scope", "awards"], ["First step", "Challenge A", "individual", "2"],
                      ["Red together", "Challenge A", "team", "1"]]
    for table in TABLES:
        response = client.get(f"{base}/{table}.csv")
        assert len(rows_of(response)[0]) >= 2
        assert f'filename="a-{table}.csv"' in response.headers["Content-Disposition"]


def test_csv_cells_that_look_like_formulas_are_quoted(client, auth, session, world):
    team = session.get(Team, world.blue)
    team.name = '=HYPERLINK("http://evil.example","x")'
    session.add(team)
    session.commit()
    auth.login("admin@example.com")
    names = [row[0] for row in rows_of(client.get(f"/monitoring/challenges/{world.a}/export/teams.csv"))]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names
    assert [safe_cell(value) for value in ["+1", "-2", "@sum", "plain", 7]] == ["'+1", "'-2", "'@sum", "plain", 7]


def test_lead_who_leads_no_team_is_told_why_instead_of_refused(client, auth, make_user, world):
    from webapp.models import Role

    make_user("new-lead@example.com", role=Role.LEAD)
    auth.login("new-lead@example.com")
    page = client.get("/monitoring/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "You do not lead a team yet" in body and "<canvas" not in body
    assert client.get(f"/monitoring/challenges/{world.a}").status_code == 403  # still no team to see


def test_skills_across_challenges_show_all_teams_together_and_per_team_with_a_challenge(client, auth, world):
    """Across every challenge a row per skill, team and challenge would run to thousands of rows: the page
    shows each skill's overall figures there, and per-team rows once a challenge or a team is chosen."""
    import re

    auth.login("admin@example.com")

    def skill_rows(path: str) -> list[str]:
        page = client.get(path).get_data(as_text=True)
        table = page[page.index('<table id="skills-table">'):]
        table = table[:table.index("</table>")]
        return [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr.*?</tr>", table, re.S)[1:]]

    overview = skill_rows("/monitoring/")
    assert overview and all("All teams" in row for row in overview)
    per_challenge = skill_rows(f"/monitoring/challenges/{world.a}")
    assert any("Red" in row for row in per_challenge) and any("All teams" in row for row in per_challenge)
    one_team = skill_rows(f"/monitoring/?team={world.red}")
    assert any("Red" in row for row in one_team)
    assert len(rows_of(client.get("/monitoring/export/self-assessments.csv"))) - 1 > len(overview)


def test_challenge_zero_is_not_found_rather_than_the_overview(client, auth, world):
    auth.login("admin@example.com")
    assert client.get("/monitoring/challenges/0").status_code == 404
    assert client.get("/monitoring/challenges/0/export/funnel.csv").status_code == 404
