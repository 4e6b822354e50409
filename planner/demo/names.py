"""Obviously synthetic names: nature words and made-up surnames that no real person carries."""

from __future__ import annotations

import random

GIVEN = (
    "Alder", "Bramble", "Cedar", "Dune", "Ember", "Fern", "Glen", "Hazel", "Iris", "Juniper",
    "Kestrel", "Linden", "Moss", "Nova", "Oakley", "Pebble", "Quill", "Rowan", "Sorrel",
    "Thistle", "Umber", "Vale", "Willow", "Yarrow", "Zephyr", "Aster", "Briar", "Clover",
    "Drift", "Heron", "Lark", "Marram", "Sedge", "Tamarisk", "Wren",
)  # fmt: skip

FAMILY = (
    "Sampleton", "Demoford", "Mockridge", "Testwood", "Fictionby", "Examplar", "Synthby",
    "Pretendley", "Madeupson", "Notreal", "Placeholm", "Dummyvale", "Imaginor", "Fabricant",
    "Inventry", "Specimen", "Prototon", "Mockford", "Trialby", "Draftwell",
)  # fmt: skip


def synthetic_name(rng: random.Random) -> str:
    """A made-up name such as 'Kestrel Mockridge'."""
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
