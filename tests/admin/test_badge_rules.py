"""Badge rules come from a fixed vocabulary; each is checked for missing, unknown and impossible parameters."""
from __future__ import annotations

import pytest

from webapp.challenges.badge_rules import RULES, ChallengeShape, describe, validate_params
from webapp.problems import Invalid
from webapp.models import BadgeRule, BadgeScope, MissionKind


def test_every_rule_of_the_vocabulary_has_a_spec():
    assert set(RULES) == set(BadgeRule)
    assert RULES[BadgeRule.TEAM_POINTS_REACHED].scope is BadgeScope.TEAM


@pytest.mark.parametrize("rule, params, clean", [
    ("missions_completed", {"threshold": 3}, {"threshold": 3}),
    ("missions_completed", {"threshold": "3", "kind": "share"}, {"threshold": 3, "kind": "share"}),
    ("streak_days", {"threshold": 5}, {"threshold": 5}),
    ("points_reached", {"threshold": 100}, {"threshold": 100}),
    ("reflections_written", {"threshold": 2}, {"threshold": 2}),
    ("kudos_given", {"threshold": 1}, {"threshold": 1}),
    ("kudos_received", {"threshold": 4}, {"threshold": 4}),
    ("team_all_completed_kind", {"kind": "experiment"}, {"kind": "experiment"}),
    ("team_points_reached", {"threshold": 500}, {"threshold": 500}),
    # A skill's name is kept to its first 120 characters, the length the skill column and pages allow.
    ("skill_level_reached", {"threshold": 2, "skill": "  " + "s" * 119 + "tail "},
     {"threshold": 2, "skill": "s" * 119 + "t"}),
])
def test_well_formed_rules_are_accepted(rule, params, clean):
    assert validate_params(rule, params) == clean


@pytest.mark.parametrize("rule, params, field, words", [
    ("missions_completed", {}, "threshold", "is required"),
    ("missions_completed", {"threshold": 0}, "threshold", "between 1 and"),
    ("missions_completed", {"threshold": -2}, "threshold", "between 1 and"),
    ("missions_completed", {"threshold": "many"}, "threshold", "whole number"),
    ("missions_completed", {"threshold": "-"}, "threshold", "whole number"),  # a sign alone, as a form may send
    ("missions_completed", {"threshold": "-2"}, "threshold", "between 1 and"),
    ("missions_completed", {"threshold": True}, "threshold", "whole number"),
    ("missions_completed", {"threshold": 1, "kind": "cooking"}, "kind", "not a mission kind"),
    ("streak_days", {"threshold": 3, "kind": "learn"}, "kind", "takes no kind"),
    ("team_all_completed_kind", {}, "kind", "is required"),
    ("team_all_completed_kind", {"kind": "share", "threshold": 2}, "threshold", "takes no threshold"),
    ("points_reached", {"threshold": 10, "colour": "red"}, "colour", "unknown parameter"),
    ("sing_a_song", {"threshold": 1}, "rule", "not a badge rule"),
])
def test_bad_parameters_are_named(rule, params, field, words):
    with pytest.raises(Invalid) as caught:
        validate_params(rule, params, prefix=("badges", 2))
    problem = caught.value.problems[0]
    assert problem.loc == ("badges", 2, field)
    assert words in problem.message


def test_impossible_badges_are_refused():
    week = ChallengeShape(duration_days=7, mission_kinds=frozenset({MissionKind.LEARN}))
    with pytest.raises(Invalid, match="cannot happen in a 7-day challenge"):
        validate_params("streak_days", {"threshold": 8}, week)
    with pytest.raises(Invalid, match="has no share mission"):
        validate_params("team_all_completed_kind", {"kind": "share"}, week)
    assert validate_params("streak_days", {"threshold": 7}, week) == {"threshold": 7}


def test_rules_read_as_words():
    assert describe(BadgeRule.MISSIONS_COMPLETED, {"threshold": 3, "kind": "share"}) == "3 missions completed (share)"
    assert describe(BadgeRule.TEAM_ALL_COMPLETED_KIND, {"kind": "help"}) == \
        "Every team member completed a mission of a kind: help"


def test_badge_form_shows_the_error_beside_the_field(client, session, admin, auth, make_challenge):
    from .conftest import counts

    challenge = make_challenge()
    before = counts(session)
    url = f"/admin/challenges/{challenge.id}"
    response = auth.post(f"{url}/badges", {"slug": "reader", "name": "Reader", "rule": "missions_completed",
                                           "threshold": "", "kind": "learn"}, page=url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="new-badge-threshold-error"' in page and "is required for rule missions_completed" in page
    assert 'value="reader"' in page  # the input is kept
    assert counts(session) == before
    ok = auth.post(f"{url}/badges", {"slug": "reader", "name": "Reader", "rule": "missions_completed",
                                     "threshold": "2", "kind": "learn"}, page=url)
    assert ok.status_code == 303
    assert counts(session)["Badge"] == before["Badge"] + 1
    again = auth.post(f"{url}/badges", {"slug": "reader", "name": "Reader 2", "rule": "points_reached",
                                        "threshold": "5"}, page=url)
    assert again.status_code == 422 and "already has a badge with the slug" in again.get_data(as_text=True)


def test_admin_picks_the_medallion_icon_and_an_unknown_one_is_refused(client, session, admin, auth, make_challenge):
    from sqlmodel import select

    from webapp.models import Badge

    from .conftest import counts

    challenge = make_challenge()
    url = f"/admin/challenges/{challenge.id}"
    before = counts(session)
    bad = auth.post(f"{url}/badges", {"slug": "reader", "name": "Reader", "rule": "points_reached",
                                      "threshold": "5", "icon": "skull<script>"}, page=url)
    assert bad.status_code == 422 and "choose one of the badge icons" in bad.get_data(as_text=True)
    assert counts(session) == before
    ok = auth.post(f"{url}/badges", {"slug": "reader", "name": "Reader", "rule": "points_reached",
                                     "threshold": "5", "icon": "rocket"}, page=url)
    assert ok.status_code == 303
    session.expire_all()
    assert session.exec(select(Badge).where(Badge.slug == "reader")).one().icon == "rocket"


def test_the_admin_badge_list_draws_each_badge_as_its_medallion(client, session, admin, auth, make_challenge):
    """The admin sees the art they configure: the chosen icon on the tier's shape, beside the badge's name."""
    import re

    challenge = make_challenge()
    url = f"/admin/challenges/{challenge.id}"
    auth.post(f"{url}/badges", {"slug": "reader", "name": "Reader", "rule": "points_reached",
                                "threshold": "300", "icon": "rocket"}, page=url)
    page = client.get(url).get_data(as_text=True)
    row = re.search(r'<tr id="badge-\d+">(.*?)</tr>', page, re.S).group(1)
    assert 'class="medallion tier-gold"' in row and "#rocket" in row and "Reader" in row
