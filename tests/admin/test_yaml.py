"""YAML export and import: round trip, shipped templates, and a corpus of bad files that change nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from webapp.problems import Invalid
from webapp.challenges.yaml_io import MAX_BYTES, export_challenge, import_challenge, import_template, list_templates
from webapp.models import Badge, Challenge, ChallengeTeam, Mission, Role, Skill, Team

from .conftest import counts

DATA = Path(__file__).parent / "data"

# file, the line the message must name, the field it must name, words of the message
BAD_FILES = [
    ("end_before_start.yaml", 5, "ends_at", "must be after the start"),
    ("points_out_of_range.yaml", 14, "missions[1].points", "less than or equal to 1000"),
    ("duplicate_slug.yaml", 11, "missions[1].slug", "duplicate slug 'read'"),
    ("badge_missing_parameter.yaml", 12, "badges[0].threshold", "is required for rule missions_completed"),
    ("badge_impossible_parameter.yaml", 15, "badges[0].threshold", "cannot happen in a 7-day challenge"),
    ("badge_unknown_kind.yaml", 16, "badges[0].kind", "'cooking' is not a mission kind"),
    ("malformed.yaml", 9, "document", "which began on line 6"),
    ("unknown_key.yaml", 10, "missions[0].pionts", "unknown key"),
    ("wrong_type.yaml", 10, "missions[0].points", "valid integer"),
    ("duplicate_key.yaml", 4, "document", "the key 'title' appears twice"),
    ("not_a_mapping.yaml", 1, "document", "must be a mapping"),
]


@pytest.mark.parametrize("name, line, field, words", BAD_FILES)
def test_bad_file_names_line_and_field(session, name, line, field, words):
    with pytest.raises(Invalid) as caught:
        import_challenge(session, (DATA / name).read_bytes())
    message = str(caught.value)
    assert words in message
    assert f"{field}:" in message
    if line is not None:
        assert f"line {line}, {field}" in message
    else:
        assert "line " in message


@pytest.mark.parametrize("name, line, field, words", BAD_FILES)
def test_bad_file_upload_is_refused_and_changes_nothing(client, session, admin, auth, name, line, field, words):
    before = counts(session)
    with open(DATA / name, "rb") as handle:
        response = auth.post("/admin/challenges/import", {"file": (handle, name)}, page="/admin/challenges",
                             content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was changed" in page
    assert field in page
    if line is not None:
        assert f"line {line}," in page
    assert counts(session) == before


def test_oversized_file_is_refused_before_parsing(client, session, admin, auth):
    before = counts(session)
    huge = "format: 1\ndescription: |\n" + "  lorem ipsum dolor sit amet\n" * (MAX_BYTES // 28 + 10)
    assert len(huge.encode()) > MAX_BYTES
    response = auth.post("/admin/challenges/import", {"yaml": huge}, page="/admin/challenges")
    assert response.status_code == 422
    assert "the limit is 256 KB" in response.get_data(as_text=True)
    assert counts(session) == before


def test_aliases_are_refused(session):
    text = "format: 1\nslug: a\ntitle: &t Title\ndescription: *t\n"
    with pytest.raises(Invalid, match="anchors and aliases"):
        import_challenge(session, text)


def test_existing_challenge_slug_is_refused_with_its_line(session, make_challenge):
    make_challenge("twins")
    text = (DATA / "duplicate_slug.yaml").read_text().replace("- slug: read\n    title: Read something else",
                                                              "- slug: reread\n    title: Read something else")
    with pytest.raises(Invalid) as caught:
        import_challenge(session, text)
    assert "line 2, slug: a challenge with the slug 'twins' already exists" in str(caught.value)


def test_export_then_import_gives_the_same_challenge(session, make_user):
    team = Team(name="Platform", slug="platform")
    session.add(team)
    session.flush()
    first = import_template(session, "knowledge-sharing-sprint")
    session.add(ChallengeTeam(challenge_id=first.id, team_id=team.id))
    session.commit()
    exported = export_challenge(session, first)
    assert "teams:\n- platform" in exported
    assert "description: |" in exported  # multi-line text stays readable
    copy = import_challenge(session, exported.replace("slug: knowledge-sharing-sprint", "slug: copy", 1))
    session.commit()
    again = yaml.safe_load(export_challenge(session, copy))
    original = yaml.safe_load(exported)
    original["slug"] = "copy"
    assert again == original
    assert session.exec(select(ChallengeTeam).where(ChallengeTeam.challenge_id == copy.id)).one().team_id == team.id


@pytest.mark.parametrize("template", [t["name"] for t in list_templates()])
def test_each_shipped_template_imports_as_a_draft(session, template):
    challenge = import_template(session, template)
    session.commit()
    assert challenge.status.value == "draft"
    assert challenge.starts_at.weekday() == 0 and challenge.starts_at.hour == 9
    missions = session.exec(select(Mission).where(Mission.challenge_id == challenge.id)).all()
    kinds = {mission.kind.value for mission in missions}
    assert len(missions) >= 4 and len(kinds) >= 4  # each template exercises several parts of the culture
    assert session.exec(select(Badge).where(Badge.challenge_id == challenge.id)).all()
    assert session.exec(select(Skill).where(Skill.challenge_id == challenge.id)).all()


def test_at_least_three_templates_ship():
    titles = {t["title"] for t in list_templates()}
    assert {"A week of learning from mistakes", "Knowledge-sharing sprint", "New-tool exploration"} <= titles


def test_using_a_template_twice_gives_a_fresh_slug(session):
    first = import_template(session, "new-tool-exploration")
    second = import_template(session, "new-tool-exploration")
    assert (first.slug, second.slug) == ("new-tool-exploration", "new-tool-exploration-2")


def test_admin_imports_a_template_from_the_page(client, session, admin, auth):
    response = auth.post("/admin/challenges/templates/learning-from-mistakes-week",
                         {"starts_on": "2027-05-03"}, page="/admin/challenges")
    assert response.status_code == 303
    challenge = session.exec(select(Challenge)).one()
    assert challenge.title == "A week of learning from mistakes"
    assert challenge.starts_at.isoformat().startswith("2027-05-03T09:00")
    assert (challenge.ends_at - challenge.starts_at).days == 7
    assert challenge.created_by_id == admin.id


def test_export_route_downloads_yaml(client, session, admin, make_challenge):
    challenge = make_challenge("spring")
    response = client.get(f"/admin/challenges/{challenge.id}/export.yaml")
    assert response.status_code == 200
    assert 'filename="spring.yaml"' in response.headers["Content-Disposition"]
    assert yaml.safe_load(response.get_data(as_text=True))["missions"][0]["slug"] == "m0"


def test_pasted_yaml_imports(client, session, admin, auth):
    text = (DATA / "wrong_type.yaml").read_text().replace("points: lots", "points: 12")
    response = auth.post("/admin/challenges/import", {"yaml": text}, page="/admin/challenges")
    assert response.status_code == 303
    assert session.exec(select(Mission)).one().points == 12


def test_non_admin_cannot_import(client, make_user, auth, session):
    make_user("lead@example.com", Role.LEAD)
    auth.login("lead@example.com")
    before = counts(session)
    response = auth.post("/admin/challenges/import", {"yaml": "slug: x"})
    assert response.status_code == 403
    assert counts(session) == before
