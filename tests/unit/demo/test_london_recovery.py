"""At london scale, standard models fitted to the written files recover every planted effect.

This reads only the input files (with the rows listed in truth/bad_rows.csv dropped, as a
loader would reject them) and the feed pages, so it checks the generator end to end: each
planted value lies inside the 95% CI and the CI excludes the null.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.demo import DEFAULT_SEED, generate_demo
from analysis.demo.outcomes import SWEMWBS_METRIC

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def london(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("london-demo")
    generate_demo("london", seed=DEFAULT_SEED, out=out)
    return out


def _read(demo: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(demo / name, dtype=str, keep_default_na=False)
    bad = pd.read_csv(demo / "truth/bad_rows.csv")
    return frame.drop(index=bad.loc[bad.file == name, "row_number"].to_numpy() - 1)


def _series(demo: Path) -> tuple[dict[str, bool], dict[str, tuple[float, float]]]:
    free, geo = {}, {}
    manifest = json.loads((demo / "feeds/manifest.json").read_text())
    for file in manifest["feeds"]["session-series"]["pages"].values():
        for item in json.loads((demo / "feeds" / file).read_text())["items"]:
            data = item.get("data")
            if not data:
                continue
            free[data["@id"]] = data.get("isAccessibleForFree") is True or all(
                float(o["price"]) == 0 for o in data["offers"]
            )
            if "geo" in data["location"]:
                geo[data["@id"]] = (
                    data["location"]["geo"]["latitude"],
                    data["location"]["geo"]["longitude"],
                )
    return free, geo


def _inside(estimate: float, se: float, planted: float, null: float) -> None:
    low, high = estimate - 1.96 * se, estimate + 1.96 * se
    assert low <= planted <= high, (planted, low, high)
    assert not low <= null <= high, (null, low, high)


def test_referral_rate_ratio(london: Path) -> None:
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    ref, pr = _read(london, "referrals.csv"), _read(london, "practices.csv")
    pilot = tomllib.loads((london / "pilots.toml").read_text())["pilot"][0]
    pcns = sorted(pilot["pcn_codes"] + pilot["comparison_pcn_codes"])
    ref["pcn"] = ref.practice_code.map(dict(zip(pr.practice_code, pr.pcn_code, strict=True)))
    ref["month"] = ref.referral_date.str[:7]
    grid = pd.MultiIndex.from_product(
        [pcns, sorted(ref.month.unique())], names=["pcn", "month"]
    ).to_frame(index=False)
    counts = ref[ref.pcn.isin(pcns)].groupby(["pcn", "month"]).size().rename("y")
    g = grid.merge(counts.reset_index(), how="left").fillna({"y": 0})
    g["treat"] = (g.pcn.isin(pilot["pcn_codes"]) & (g.month >= "2025-04")).astype(int)
    lists = pr.assign(n=pr.registered_patients.astype(int)).groupby("pcn_code").n.sum()
    fit = smf.glm(
        "y ~ C(pcn) + C(month) + treat",
        g,
        offset=np.log(g.pcn.map(lists)),
        family=sm.families.Poisson(),
    ).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(g.pcn)[0]})
    _inside(fit.params["treat"], fit.bse["treat"], np.log(1.30), 0.0)


def test_uptake_odds_ratios(london: Path) -> None:
    import statsmodels.formula.api as smf

    ref, areas = _read(london, "referrals.csv"), _read(london, "areas.csv")
    free, _ = _series(london)
    imd = dict(zip(areas.lsoa_code, areas.imd_decile.astype(int), strict=True))
    u = ref[ref.lsoa_code != ""].copy()
    u["started"] = (u.first_attended_date != "").astype(int)
    u["imd12"] = (u.lsoa_code.map(imd) <= 2).astype(int)
    u["free"] = u.opportunity_id.map(lambda x: free.get(x, False)).astype(int)
    u["female"] = (u.sex == "female").astype(int)
    u["mh"] = u.conditions.str.contains("mental_health").astype(int)
    u["notgp"] = (u.referral_source != "gp").astype(int)
    fit = smf.logit(
        "started ~ imd12 + free + C(age_band, Treatment('45-54')) + female + mh + notgp", u
    ).fit(disp=0)
    _inside(fit.params["imd12"], fit.bse["imd12"], np.log(0.60), 0.0)
    _inside(fit.params["free"], fit.bse["free"], np.log(1.50), 0.0)


def test_retention_hazard_ratio_per_km(london: Path) -> None:
    from statsmodels.duration.hazard_regression import PHReg

    ref, areas, fu = (_read(london, n) for n in ("referrals.csv", "areas.csv", "followups.csv"))
    _, geo = _series(london)
    lat = dict(zip(areas.lsoa_code, areas.latitude.astype(float), strict=True))
    lon = dict(zip(areas.lsoa_code, areas.longitude.astype(float), strict=True))
    s = ref[
        (ref.first_attended_date != "")
        & (ref.lsoa_code != "")
        & ref.opportunity_id.isin(list(geo))
    ].copy()
    p1, p2 = (
        np.radians(s.lsoa_code.map(lat)),
        np.radians(s.opportunity_id.map(lambda k: geo[k][0])),
    )
    dl = np.radians(s.opportunity_id.map(lambda k: geo[k][1]) - s.lsoa_code.map(lon))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    s["km"] = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
    f = fu[fu.followup_week != "0"].assign(w=lambda d: d.followup_week.astype(int))
    f = f.sort_values(["referral_id", "w"])
    first = pd.to_datetime(s.set_index("referral_id").first_attended_date)
    no = f[f.still_attending == "no"].groupby("referral_id").first()
    yes = f[f.still_attending == "yes"].groupby("referral_id").last()
    end_no = pd.to_datetime(
        no.last_attended_date.where(no.last_attended_date != "", no.followup_date)
    )
    end_yes = pd.to_datetime(yes.followup_date)
    s = s.set_index("referral_id")
    s["event"] = s.index.isin(no.index).astype(int)
    s["end"] = end_no.reindex(s.index).fillna(end_yes.reindex(s.index))
    s = s.dropna(subset=["end"])
    s["time"] = (s.end - first.reindex(s.index)).dt.days / 7
    x = np.column_stack([s.km, s.age_band.isin(["65-74", "75+"]), s.sex == "female"])
    fit = PHReg(
        s.time.to_numpy(float), x.astype(float), status=s.event.to_numpy(), ties="efron"
    ).fit()
    _inside(fit.params[0], fit.bse[0], np.log(1.10), 0.0)


def test_swemwbs_change_at_week_12(london: Path) -> None:
    fu = _read(london, "followups.csv")
    items = fu[[f"swemwbs_{k}" for k in range(1, 8)]]
    complete = (items != "").all(axis=1)
    fu["score"] = np.nan
    fu.loc[complete, "score"] = SWEMWBS_METRIC[items[complete].astype(int).sum(axis=1) - 7]
    base = fu[fu.followup_week == "0"].set_index("referral_id").score
    w12 = fu[fu.followup_week == "12"].set_index("referral_id")
    w12 = w12.assign(base=base.reindex(w12.index)).dropna(subset=["score", "base"])
    for answer, planted in (("yes", 2.0), ("no", 0.3)):
        change = (w12.score - w12.base)[w12.still_attending == answer]
        _inside(change.mean(), change.std() / np.sqrt(len(change)), planted, 0.0)


def test_supply_deserts(london: Path) -> None:
    effects = json.loads((london / "truth/planted_effects.json").read_text())["effects"]
    access = pd.read_csv(london / "truth/pcn_access.csv", dtype={"pcn_code": str})
    share = access.set_index("pcn_code").share_within_1km_free
    deserts = effects["supply_gap"]["planted_value"]["desert_pcn_codes"]
    assert len(deserts) >= 1 and (share[deserts] < 0.4).all()
    assert (share.drop(deserts) >= 0.4).mean() > 0.95
