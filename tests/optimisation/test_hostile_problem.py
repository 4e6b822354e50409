"""Hostile problem JSON: whatever is sent, the reader returns a problem or raises its own
ProblemError naming what is wrong and where, never a KeyError, TypeError or OverflowError."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimisation.formats import problem_from_dict, problem_from_json
from optimisation.problem import ProblemError
from tests.optimisation.test_problem_json import VALID

EXAMPLES = max(300, settings.default.max_examples)
HIDDEN = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                           *range(0x2066, 0x206A))]  # fmt: skip

# Every kind of value JSON can hold, and a few that are only hostile.
FLOATS = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    FLOATS,
    st.integers(min_value=-(10**400), max_value=10**400),
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from([*HIDDEN, "a", "S", "0"]), min_size=1, max_size=10),
    st.text(min_size=1000, max_size=5000),
    st.sampled_from([1e-320, -0.0, 5e-324, 1e308, float("nan"), float("inf"), 2**63, -(2**63)]),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a JSON value a hostile value could be put."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


PATHS = paths(VALID)[1:]


def replaced(path: tuple[Any, ...], value: Any) -> Any:
    """The valid problem with one place holding `value`."""
    problem = copy.deepcopy(VALID)
    target = problem
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return problem


def read(data: Any) -> None:
    """Read a problem: its own error is fine; anything else fails the test."""
    try:
        problem_from_dict(data)
    except ProblemError as error:
        assert error.problems and all(isinstance(line, str) and line for line in error.problems)


@settings(max_examples=EXAMPLES, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON_VALUES)
def test_any_value_anywhere_is_read_or_refused_in_words(path: tuple[Any, ...], value: Any) -> None:
    read(replaced(path, value))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=JSON_VALUES)
def test_any_json_at_all_is_read_or_refused_in_words(data: Any) -> None:
    read(data)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_text_is_read_or_refused_in_words(text: str) -> None:
    with pytest.raises(ProblemError):
        problem_from_json(text)


HOURS_FIELDS = [
    ("staff", 0, "available_hours"),
    ("staff", 0, "committed_hours"),
    ("cases", 0, "needs", 0, "hours"),
]


@pytest.mark.parametrize("where", HOURS_FIELDS)
@pytest.mark.parametrize(
    "hours",
    [1e-320, 5e-324, 0.005, -1.0, 1e9, 169.0, 10**400, float("nan"), float("inf"), "3", True],
)
def test_hours_are_nothing_or_a_tenth_to_a_week(where: tuple[Any, ...], hours: Any) -> None:
    with pytest.raises(ProblemError) as refused:
        problem_from_dict(replaced(where, hours))
    name = ".".join(str(part) for part in where).replace(".0.", "[0].").replace(".0", "[0]")
    assert any(line.startswith(name) for line in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("where", HOURS_FIELDS)
@pytest.mark.parametrize("hours", [0, 0.0, -0.0, 0.01, 0.1, 37.5, 168])
def test_hours_of_none_a_tenth_or_a_week_are_read(where: tuple[Any, ...], hours: float) -> None:
    problem = problem_from_dict(replaced(where, hours))
    read_back = problem.staff[0] if where[0] == "staff" else problem.cases[0].needs[0]
    value = getattr(read_back, where[-1])
    assert value == hours and math.copysign(1, value) == 1


def test_a_subnormal_is_named_with_the_rule() -> None:
    with pytest.raises(ProblemError) as refused:
        problem_from_dict(replaced(("cases", 0, "needs", 0, "hours"), 1e-320))
    assert refused.value.problems == [
        "cases[0].needs[0].hours: must be 0, or between 0.01 and 168 hours a week, not 1e-320"
    ]


@pytest.mark.parametrize(
    ("where", "text"),
    [(("staff", 0, "id"), "S\x00001"), (("cases", 0, "id"), "C\u202e001"),
     (("staff", 0, "skills", 0), "ct\x85trained"), (("cases", 0, "region"), "Lon\u2066don")],
)  # fmt: skip
def test_hidden_characters_in_text_are_refused(where: tuple[Any, ...], text: str) -> None:
    with pytest.raises(ProblemError) as refused:
        problem_from_dict(replaced(where, text))
    assert any("control or text direction characters" in line for line in refused.value.problems)


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "1" * 5000, '{"format": ' + "9" * 5000 + "}", "\x00", "", "nan", "{}" * 3],
)
def test_json_that_cannot_be_read_is_refused_in_words(text: str) -> None:
    with pytest.raises(ProblemError):
        problem_from_json(text)


def test_a_huge_whole_number_is_refused_in_words() -> None:
    with pytest.raises(ProblemError) as refused:
        problem_from_dict(replaced(("staff", 0, "max_cases"), 10**400))
    assert refused.value.problems == ["staff[0].max_cases: must be ≤ 2147483647"]
    assert json.dumps(refused.value.problems)
