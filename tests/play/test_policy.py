"""The points policy is the one list of ways to earn points: every reason the ledger can hold has its rule there,
and the code that writes each reason is found beside it, nowhere else."""
from __future__ import annotations

import re
from pathlib import Path

from webapp.models import PointReason
from webapp.play import policy

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


def test_every_reason_the_ledger_can_hold_has_a_rule_in_the_policy():
    assert set(policy.RULES) == set(PointReason)
    for reason, rule in policy.RULES.items():
        assert rule.label and rule.pays and rule.limits, reason


def test_every_reason_is_written_somewhere_and_no_amount_is_set_outside_the_policy():
    sources = {path: path.read_text() for path in WEBAPP.rglob("*.py")}
    for reason in PointReason:
        writers = [path for path, text in sources.items() if re.search(rf"reason=PointReason\.{reason.name}\b", text)]
        assert writers, f"nothing records points for {reason.name}: remove it from the policy or make it earn"
    for name in ("KUDOS_POINTS", "REFLECTION_POINTS", "ADJUSTMENT_MAX"):
        defined = [path.relative_to(WEBAPP).as_posix() for path, text in sources.items()
                   if re.search(rf"^{name}\s*=", text, re.M)]
        assert defined == ["play/policy.py"], name


def test_the_daily_cap_counts_completion_points_only():
    assert policy.CAPPED_REASONS == {PointReason.COMPLETION}
