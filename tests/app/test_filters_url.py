"""The shared sidebar filters and the URL: a link reproduces a view, and every filter widget is
bound to its query parameter.

Widgets use ``bind="query-params"``: the browser writes a bound widget's value into the address
bar, and the server seeds the widget from the address on load. AppTest runs no browser, so it
never sees the first half (``at.query_params`` does not change when a widget does; see
notes-style-and-ecosystem §2.4), and a bound parameter cannot be mirrored through
``st.query_params`` either (Streamlit refuses to set a bound key). So these tests check the two
halves the server owns — every widget carries its binding (``proto.query_param_key``), and a
link built from the widgets' values, as the browser writes it, reopens the same view with the
same numbers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.filters import QUERY_KEYS, Filters
from analysis.metrics import overview, uptake
from dashboard.filters import ALL_PCNS

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGE = "views/uptake.py"


@pytest.fixture
def app(demo_store: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PILOT_STORE", str(demo_store))

    def make(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ENTRY), default_timeout=60)
        at.query_params.update(params)
        return at.switch_page(PAGE)

    return make


def widgets(at: AppTest) -> list:
    return [*at.selectbox, *at.date_input, *at.multiselect]


def link(at: AppTest) -> dict[str, str | list[str]]:
    """The query string the browser writes for the bound widgets (defaults are left out)."""
    params: dict[str, str | list[str]] = {}
    for w in widgets(at):
        key, value = w.proto.query_param_key, w.value
        if isinstance(value, list):
            if value:
                params[key] = [str(v) for v in value]
        elif isinstance(value, date):
            if value.isoformat() != w.proto.default[0]:
                params[key] = value.isoformat()
        elif value != w.options[0]:
            params[key] = str(value)
    return params


def uptake_numbers(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_every_filter_widget_is_bound_to_its_query_key(app) -> None:
    at = app().run()
    assert not at.exception
    bound = {w.key: w.proto.query_param_key for w in widgets(at)}
    assert bound == {key: key for key in QUERY_KEYS.values()}


def test_every_filter_is_read_from_the_url(app, demo) -> None:
    pilot = overview.pilot_names(demo)[0]
    pcns = overview.arm_pcns(demo, Filters(pilot=pilot))["pcn_code"].tolist()
    params = {
        "pilot": pilot,
        "start": "2024-01-01",
        "end": "2026-06-30",
        "pcn": pcns[:3],
        "activity": ["Group Exercise", "Walking"],
        "source": ["gp", "link_worker"],
        "condition": ["mental_health", "msk"],
        "age": ["45-54", "55-64", "65-74"],
        "sex": ["female"],
        "ethnicity": ["asian", "white"],
        "imd": ["1", "2", "3"],
    }
    at = app(**params).run()
    assert not at.exception
    flt = Filters.from_query_params(params)
    assert at.session_state["filters"] == flt
    for field, key in QUERY_KEYS.items():
        widget = next(w for w in widgets(at) if w.key == key)
        expected = getattr(flt, field)
        assert (list(expected) if isinstance(expected, tuple) else expected) == widget.value
    per_arm = uptake.uptake_funnel(demo, flt, "arm")
    assert uptake_numbers(at) == [
        (f"Uptake, {a.arm_label}", f"{a.uptake:.1%}") for a in per_arm.itertuples()
    ]
    assert link(at) == {k: v for k, v in params.items() if k != "pilot"}  # the default pilot


def test_a_changed_view_reopens_identically_from_its_link(app, demo) -> None:
    at = app().run()
    at.selectbox(key="pilot").set_value(ALL_PCNS).run()
    at.date_input(key="start").set_value(date(2025, 4, 1))
    at.multiselect(key="source").set_value(["self", "nurse"])
    at.multiselect(key="condition").set_value(["loneliness"])
    at.multiselect(key="activity").set_value(["Walking", "Dance", "Football"])
    at.multiselect(key="ethnicity").set_value(["white"]).run()
    assert not at.exception
    shared = link(at)
    assert {k: sorted(v) if isinstance(v, list) else v for k, v in shared.items()} == {
        "pilot": ALL_PCNS,
        "start": "2025-04-01",
        "source": ["nurse", "self"],
        "condition": ["loneliness"],
        "activity": ["Dance", "Football", "Walking"],
        "ethnicity": ["white"],
    }
    flt = at.session_state["filters"]
    reopened = app(**shared).run()
    assert not reopened.exception
    assert reopened.session_state["filters"] == flt
    assert uptake_numbers(reopened) == uptake_numbers(at)
    assert reopened.dataframe[0].value.equals(at.dataframe[0].value)


def test_unreadable_link_values_fall_back_to_the_defaults(app, demo) -> None:
    at = app(pilot="No such pilot", start="not-a-date", source=["nobody"], imd="9").run()
    assert not at.exception
    window = overview.data_window(demo)
    assert at.session_state["filters"] == Filters(
        pilot=overview.pilot_names(demo)[0], start=window.first_referral, end=window.last_referral
    )


def test_the_period_dates_have_the_sidebars_full_width(app) -> None:
    """Side by side in two columns, a DD/MM/YYYY date is cut off ("01/10/202"): the two date
    boxes sit one above the other, directly in the sidebar, still bound to the URL."""
    at = app().run()
    assert not at.exception
    dates = at.sidebar.date_input
    assert [d.key for d in dates] == [QUERY_KEYS["start"], QUERY_KEYS["end"]]
    assert not any(column.date_input for column in at.sidebar.columns)
    assert [d.proto.query_param_key for d in dates] == ["start", "end"]
    assert [d.label for d in dates] == ["Referred from", "Referred up to"]
