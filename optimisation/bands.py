"""Coverage as bands of risk weights, each an objective in exact whole numbers.

A weighted sum whose weights lie a million (or 10^9) apart cannot be maximised, nor held at
its optimum, exactly by a floating-point solver: rows are scaled, tolerances are about 1e-7,
and a weight-1 need vanishes beside 10^9. So coverage is never handed to the solver as one
sum with such weights. Instead:

Each distinct weight of a part's needs (a level) is read as the exact fraction its decimal
text says (1e9, 0.1). Levels are grouped, from the highest, into bands. Within a band each
weight is a whole number of the band's unit (the greatest common divisor of its weights), so
the band's objective is a sum of whole numbers, and holding it at its optimum V is holding it
above V - 1/2, which no tolerance can blur. A band may close only where its unit (the least by
which two plans' coverage within the band can differ, when it differs) is more than all the
levels below could ever add together (each weight times its number of needs): then a plan
with more of a band's coverage beats every plan with less, whatever it covers below, so
maximising band after band, each held at its optimum, maximises the weighted sum, exactly. It
does close there only if taking in the next level would make it span more than SAFE_SPAN
whole numbers (one band is one solve, and a weighted sum proves no slower than its parts).
With the default weights (1000, 100, 10, 1) there is one band, in whole numbers 1000, 100,
10 and 1; with weights 10^9 apart, one band a level.

A band spanning more than SAFE_SPAN whole numbers even so (weights close but not equal, such as
1000 and 999.999, or many needs) is still solved, but the solver's word on it is not taken as
proof.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

# The most whole-number coverage a band may span for a solver's proof to be believed: values
# far above the solver's tolerances (1e-7 relative) times this stay more than 1/2 apart.
SAFE_SPAN = 10**6


@dataclass(frozen=True)
class Band:
    """Some weight levels: the value of each level in whole units, and the unit itself."""

    multiples: dict[float, int]
    unit: Fraction
    span: int  # the band's coverage, in units, were every one of its needs filled

    @property
    def trusted(self) -> bool:
        """Whether a solver's proof of this band's optimum can be believed."""
        return self.span <= SAFE_SPAN

    def value(self, units: int | float) -> float:
        """A number of units as coverage."""
        return float(self.unit * Fraction(units))


def exact(weight: float) -> Fraction:
    """A weight as the fraction its shortest decimal text says (0.1 is 1/10)."""
    return Fraction(repr(weight))


def _gcd(values: list[Fraction]) -> Fraction:
    """The greatest common divisor of positive fractions."""
    denominator = math.lcm(*(value.denominator for value in values))
    return Fraction(math.gcd(*(int(value * denominator) for value in values)), denominator)


def _band(levels: list[float], counts: Counter) -> Band:
    """One band of some weight levels, given how many needs each level has."""
    unit = _gcd([exact(w) for w in levels])
    multiples = {w: int(exact(w) / unit) for w in levels}
    return Band(multiples, unit, sum(multiples[w] * counts[w] for w in levels))


def bands(weights: list[float]) -> list[Band]:
    """The bands of the weights of some needs (one entry a need), highest first."""
    counts = Counter(weight for weight in weights if weight > 0)
    levels = sorted(counts, reverse=True)
    found: list[list[float]] = []
    for position, weight in enumerate(levels):
        if found:
            below = sum(exact(w) * counts[w] for w in levels[position:])
            may_close = _band(found[-1], counts).unit > below
            if may_close and _band([*found[-1], weight], counts).span > SAFE_SPAN:
                found.append([])
        else:
            found.append([])
        found[-1].append(weight)
    return [_band(levels_of_band, counts) for levels_of_band in found]
