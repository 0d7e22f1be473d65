from __future__ import annotations

from exosci.evaluate.risks import DesignFeatures, _rules, assess_risks
from exosci.kb import default_kb


def _ids(**kw) -> set[str]:
    base = dict(species="rat", route="route:local-implantation", start_hours_post_injury=1.0)
    base.update(kw)
    return {r.id for r in assess_risks(default_kb(), DesignFeatures(**base))}


def test_every_rule_cites_a_known_reference_or_an_outside_source() -> None:
    refs = default_kb().curated.references
    for rule in _rules():
        assert rule.get("refs") or rule.get("source"), rule["id"]
        for n in rule.get("refs", []):
            assert n in refs, (rule["id"], n)


def test_route_rules_fire_only_for_their_route() -> None:
    assert "route-iv-hepatic-clearance" in _ids(route="route:intravenous")
    assert "route-iv-hepatic-clearance" not in _ids(route="route:intranasal")


def test_late_start_and_dose_range() -> None:
    assert "late-start" in _ids(start_hours_post_injury=24 * 7)
    assert "late-start" not in _ids(start_hours_post_injury=2)
    assert "dose-outside-iv-range" in _ids(route="route:intravenous", dose_ug=20)
    assert "dose-outside-iv-range" not in _ids(route="route:intravenous", dose_ug=150)


def test_rodent_translation_risk_not_for_human_outlook() -> None:
    assert "species-rodent-only" in _ids(species="rat")
    assert "species-rodent-only" not in _ids(species="human")


def test_risks_sorted_by_severity() -> None:
    order = {"high": 0, "moderate": 1, "low": 2}
    risks = assess_risks(
        default_kb(),
        DesignFeatures(species="rat", route="route:intravenous", start_hours_post_injury=200),
    )
    ranks = [order[r.severity] for r in risks]
    assert ranks == sorted(ranks)
