"""The regions, prisons, probation delivery units and NSD teams of the demo data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class RegionPlan:
    """A region of the demo: its sites and how many cases it holds at the London scale."""

    name: str
    code: str
    # The first prison is the high-security one that holds most TACT prisoners.
    prisons: tuple[tuple[str, str], ...]
    pdus: tuple[tuple[str, str], ...]
    nsd: tuple[str, str]
    cases: int


LONDON = RegionPlan(
    "London",
    "LDN",
    (
        ("HMP-BELMARSH", "HMP Belmarsh"),
        ("HMP-WANDSWORTH", "HMP Wandsworth"),
        ("HMP-PENTONVILLE", "HMP Pentonville"),
        ("HMP-THAMESIDE", "HMP Thameside"),
        ("HMP-BRIXTON", "HMP Brixton"),
    ),
    (
        ("PDU-CAMDEN", "Camden and Islington PDU"),
        ("PDU-HACKNEY", "Hackney and City PDU"),
        ("PDU-LAMBETH", "Lambeth PDU"),
        ("PDU-SOUTHWARK", "Southwark PDU"),
        ("PDU-EALING", "Ealing and Hillingdon PDU"),
        ("PDU-CROYDON", "Croydon PDU"),
    ),
    ("NSD-LONDON", "NSD London team"),
    450,
)

OTHER_REGIONS = (
    RegionPlan(
        "North West",
        "NW",
        (("HMP-MANCHESTER", "HMP Manchester"), ("HMP-LIVERPOOL", "HMP Liverpool")),
        (("PDU-MANCHESTER-NORTH", "Manchester North PDU"), ("PDU-LANCASHIRE", "Lancashire PDU")),
        ("NSD-NORTH-WEST", "NSD North West team"),
        560,
    ),
    RegionPlan(
        "North East",
        "NE",
        (("HMP-FRANKLAND", "HMP Frankland"), ("HMP-DURHAM", "HMP Durham")),
        (("PDU-NEWCASTLE", "Newcastle PDU"), ("PDU-TEESSIDE", "Teesside PDU")),
        ("NSD-NORTH-EAST", "NSD North East team"),
        420,
    ),
    RegionPlan(
        "Yorkshire and the Humber",
        "YH",
        (("HMP-WAKEFIELD", "HMP Wakefield"), ("HMP-LEEDS", "HMP Leeds")),
        (
            ("PDU-LEEDS", "Leeds PDU"),
            ("PDU-SHEFFIELD", "Sheffield PDU"),
            ("PDU-BRADFORD", "Bradford PDU"),
        ),
        ("NSD-YORKSHIRE", "NSD Yorkshire team"),
        560,
    ),
    RegionPlan(
        "West Midlands",
        "WM",
        (("HMP-LONG-LARTIN", "HMP Long Lartin"), ("HMP-BIRMINGHAM", "HMP Birmingham")),
        (("PDU-BIRMINGHAM-CENTRAL", "Birmingham Central PDU"), ("PDU-COVENTRY", "Coventry PDU")),
        ("NSD-MIDLANDS", "NSD Midlands team"),
        620,
    ),
    RegionPlan(
        "East of England",
        "EE",
        (("HMP-WHITEMOOR", "HMP Whitemoor"), ("HMP-CHELMSFORD", "HMP Chelmsford")),
        (("PDU-CAMBRIDGE", "Cambridgeshire PDU"), ("PDU-ESSEX-SOUTH", "Essex South PDU")),
        ("NSD-EAST", "NSD East team"),
        420,
    ),
    RegionPlan(
        "South West",
        "SW",
        (("HMP-BRISTOL", "HMP Bristol"), ("HMP-EXETER", "HMP Exeter")),
        (("PDU-BRISTOL", "Bristol and South Gloucestershire PDU"), ("PDU-DEVON", "Devon PDU")),
        ("NSD-SOUTH-WEST", "NSD South West team"),
        360,
    ),
    RegionPlan(
        "Wales",
        "WAL",
        (("HMP-CARDIFF", "HMP Cardiff"), ("HMP-BERWYN", "HMP Berwyn")),
        (("PDU-CARDIFF", "Cardiff and the Vale PDU"), ("PDU-SWANSEA", "Swansea PDU")),
        ("NSD-WALES", "NSD Wales team"),
        300,
    ),
)


# One small unit: London's high-security prison and one other, two PDUs and the NSD team.
SMALL = dataclasses.replace(LONDON, prisons=LONDON.prisons[:2], pdus=LONDON.pdus[:2], cases=60)

SCALES = {"small": (SMALL,), "london": (LONDON,), "national": (LONDON, *OTHER_REGIONS)}


def regions_for(scale: str) -> tuple[RegionPlan, ...]:
    """The regions of a scale: a small unit, London, or London and the rest of England and Wales."""
    return SCALES[scale]
