"""Synthetic problems: seeded, plausible, and short of staff by about the shortfall asked."""

from __future__ import annotations

from collections import Counter

import pytest

from optimisation.eligibility import EligibilityIndex
from optimisation.formats import problem_to_dict
from optimisation.synthetic import generate


def test_the_same_seed_gives_the_same_problem() -> None:
    """Seeded and deterministic; another seed gives another problem."""
    assert problem_to_dict(generate(80, 20, seed=5)) == problem_to_dict(generate(80, 20, seed=5))
    assert problem_to_dict(generate(80, 20, seed=5)) != problem_to_dict(generate(80, 20, seed=6))


@pytest.mark.parametrize("shortfall", [0.0, 0.25, 0.4])
def test_available_hours_fall_short_by_the_shortfall(shortfall: float) -> None:
    """Total available hours are about (1 - shortfall) of the hours needed."""
    problem = generate(400, 100, shortfall=shortfall, seed=1)
    needed = sum(n.hours for c in problem.cases for n in c.needs)
    available = sum(s.available_hours for s in problem.staff)
    assert available / needed == pytest.approx(1 - shortfall, abs=0.06)


def test_a_national_problem_looks_like_the_service() -> None:
    """Regions, prisons, PDUs and NSD teams; the grade, vetting and skill mix; CT cases that
    need ct_trained and SC; custody cases with a POM and often a COM; co-workers; history."""
    problem = generate(2000, 400, seed=2)
    regions = {c.region for c in problem.cases}
    sites = {s.site.split("-")[0] for s in problem.staff}
    assert "London" in regions and len(regions) >= 4 and sites == {"HMP", "PDU", "NSD"}
    assert set(Counter(s.grade for s in problem.staff)) == {"PSO", "PQiP", "PO", "SPO"}
    assert {"none", "SC", "DV"} <= {s.vetting for s in problem.staff}
    needs = [n for c in problem.cases for n in c.needs]
    assert any(n.vetting == "SC" and "ct_trained" in n.skills for n in needs)
    custody = [c for c in problem.cases if c.site.startswith("HMP")]
    assert all(c.needs[0].same_site for c in custody)
    assert any(len(c.needs) == 2 and c.needs[1].role == "probation" for c in custody)
    assert any(len(c.needs) == 2 for c in problem.cases if not c.site.startswith("HMP"))
    assert any(c.excluded_staff for c in problem.cases)
    assert any(n.pinned for n in needs) and any(n.current for n in needs)
    assert any(s.available_hours == 0 for s in problem.staff)
    index = EligibilityIndex(problem)
    assert sum(len(p) for per_case in index.eligible for p in per_case) > 20 * len(needs)
