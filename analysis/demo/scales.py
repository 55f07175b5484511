"""Size parameters of each synthetic place the demo generator can build.

A scale fixes how many PCNs, practices, small areas, session series and referrals the place has.
Every count is a target: PCN-month referral counts are Poisson draws, so the realised total
varies a little around ``n_referrals``. ``national`` is England-sized (1,250 PCNs, 6,300
practices, 33,800 areas over a 360 km square, about 1M session occurrences and 1M referrals);
the generator keeps per-item work in numpy arrays and writes every file in chunks, so memory
stays bounded at every scale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """The size of one synthetic place."""

    name: str
    place_name: str
    n_pcns: int
    n_practices: int
    n_areas: int
    n_series: int
    n_referrals: int
    n_pilot_pcns: int
    n_comparison_pcns: int
    n_desert_pcns: int
    extent_km: float
    n_districts: int

    def __post_init__(self) -> None:
        if self.n_pilot_pcns + self.n_comparison_pcns > self.n_pcns:
            raise ValueError(f"scale {self.name!r}: more pilot and comparison PCNs than PCNs")
        if self.n_practices < 2 * self.n_pcns:
            raise ValueError(f"scale {self.name!r}: needs at least two practices per PCN")
        if self.n_areas < 4 * self.n_pcns:
            raise ValueError(f"scale {self.name!r}: needs at least four areas per PCN")
        if self.n_desert_pcns < 1:
            raise ValueError(f"scale {self.name!r}: needs at least one supply-desert PCN")


PILOT = Scale(
    name="pilot",
    place_name="Eastbrook",
    n_pcns=8,
    n_practices=40,
    n_areas=150,
    n_series=350,
    n_referrals=3_000,
    n_pilot_pcns=4,
    n_comparison_pcns=4,
    n_desert_pcns=1,
    extent_km=10.0,
    n_districts=1,
)

LONDON = Scale(
    name="london",
    place_name="Greater Eastbrook",
    n_pcns=200,
    n_practices=1_000,
    n_areas=5_000,
    n_series=7_450,
    n_referrals=60_000,
    n_pilot_pcns=40,
    n_comparison_pcns=40,
    n_desert_pcns=3,
    extent_km=40.0,
    n_districts=24,
)

NATIONAL = Scale(
    name="national",
    place_name="Greater Eastbrook and the Shires",
    n_pcns=1_250,
    n_practices=6_300,
    n_areas=33_800,
    n_series=67_000,
    n_referrals=1_000_000,
    n_pilot_pcns=100,
    n_comparison_pcns=100,
    n_desert_pcns=8,
    extent_km=360.0,
    n_districts=42,
)

SCALES: dict[str, Scale] = {s.name: s for s in (PILOT, LONDON, NATIONAL)}
