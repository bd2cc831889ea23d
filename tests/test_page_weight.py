"""The dashboard stays light: its HTML, CSS, JavaScript and icons, compressed, weigh under 150 kB."""
from __future__ import annotations

from bench.page_weight_bench import BUDGET_KB, dashboard_weight
from webapp.demo import load_demo


def test_dashboard_with_everything_it_loads_stays_under_budget(client, session):
    load_demo(session)
    weights = dashboard_weight(client)
    # The page really was the dashboard, with its styles, scripts and the one icon sprite.
    assert {"dashboard HTML", "css/tokens.css", "vendor/htmx.min.js", "vendor/icons.svg"} <= set(weights)
    assert weights["dashboard HTML"][0] > 2000
    total_kb = sum(packed for _, packed in weights.values()) / 1000
    assert total_kb < BUDGET_KB, weights
