"""A batch of usage events is validated in one pass (``LEAN_BATCH``) and, only if that refuses
anything, event by event (``UsageEventIn``). The one pass must accept nothing the per-event model
refuses, read every accepted event as the model does, and leave every refusal's code and words
to the model: checked against the per-event path as the oracle, on generated events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from billing.usage.schemas import UsageEventIn
from billing.usage.service import Outcome, Parsed, parse_events

_MODEL = TypeAdapter(UsageEventIn)

strings = st.sampled_from(
    ["sub_1", "sub_2", "", "sub\x00x", "sub\tx", "a" * 41, "sub 1", "é", "x\x85", "hc-1"]
)
moments = st.one_of(
    st.sampled_from(
        ["2025-04-03T09:30:00+02:00", "2025-04-03T09:30:00", "2025-04-03T07:30:00Z",
         "1899-12-31T23:30:00-01:00", "1899-12-31T23:30:00+00:00", "2199-12-31T23:59:59Z",
         "2200-01-01T00:30:00+01:00", "2200-01-01T00:00:00Z", "not a time",
         "2025-04-03T09:30:00+02:00\x00", "2025-02-30T10:00:00Z"]
    ),
    st.integers(-10, 2**33),
    st.none(),
)  # fmt: skip
quantities = st.one_of(
    st.integers(-2, 1_000_002), st.sampled_from([True, 1.0, 1.5, "2", None, 10**6, 10**6 + 1])
)
properties = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["site", "user_id", "k\x01", "t\tab", "x" * 61, "back\\slash"]),
        st.one_of(st.sampled_from(["Solna", "a\\b", "tab\there", "nul\x00", "y" * 201]),
                  st.integers(-5, 5), st.booleans(), st.floats(0, 1), st.lists(st.integers())),
        max_size=3,
    ),
    st.sampled_from([[], "site", {f"k{i}": i for i in range(21)}]),
)  # fmt: skip
aware = st.sampled_from(
    ["2025-04-03T09:30:00+02:00", "2025-04-03T07:30:00Z", "1899-12-31T23:30:00-01:00",
     "1899-12-31T23:30:00+00:00", "2199-12-31T23:59:59Z", "2200-01-01T00:30:00+01:00",
     "2200-01-01T00:00:00Z", "2200-01-01T00:00:00-00:30"]
)  # fmt: skip
fine_properties = st.one_of(
    st.none(), st.just({}), st.just({"site": "Solna", "n": 2, "on": False, "p": "a\\b\tc"})
)
keys = ["id", "subscription_id", "metric", "quantity", "occurred_at", "properties", "extra"]


@st.composite
def events(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from([None, "event", [], 7]))
    ev: dict[str, Any] = {
        "id": draw(st.one_of(strings, st.sampled_from(["hc-2", "hc:3.x_y", "hc/4"]))),
        "subscription_id": draw(strings),
        "metric": draw(st.sampled_from(["health_checks", "api.calls", "bad metric", "m\x7f"])),
        "quantity": draw(quantities),
        "occurred_at": draw(moments),
        "properties": draw(properties),
        "extra": 1,
    }
    if draw(st.booleans()):  # a well-formed event but (perhaps) its date or properties
        ev.update(id=f"hc-{draw(st.integers(0, 3))}", subscription_id="sub_1",
                  metric="health_checks", quantity=draw(st.integers(0, 3)),
                  occurred_at=draw(aware), properties=draw(fine_properties))  # fmt: skip
        return {k: v for k, v in ev.items() if k != "extra"}
    kept = draw(st.sets(st.sampled_from(keys)))
    return {k: v for k, v in ev.items() if k in kept or k in ("id", "occurred_at")}


def one_by_one(raw: list[Any]) -> tuple[list[tuple[int, Parsed]], list[dict[str, Any]]]:
    """The oracle: every event through UsageEventIn on its own."""
    parsed, refused = [], []
    for i, item in enumerate(raw):
        try:
            m = _MODEL.validate_python(item)
        except ValidationError as exc:
            refused.append((i, exc.errors(include_url=False)))
            continue
        parsed.append((i, Parsed(m.id, m.subscription_id, m.metric, m.quantity,
                                 m.occurred_at.astimezone(UTC), m.properties)))  # fmt: skip
    return parsed, [{"index": i} for i, _ in refused]


@settings(max_examples=400, deadline=None)
@given(st.lists(events(), min_size=1, max_size=6))
def test_the_batch_in_one_pass_is_read_as_event_by_event(raw: list[Any]) -> None:
    out = Outcome()
    parsed = parse_events(raw, out)
    expected, refused = one_by_one(raw)
    assert parsed == expected
    assert [r["index"] for r in out.refused] == [r["index"] for r in refused]
    for p in parsed:
        assert p[1].occurred_at.tzinfo is UTC


def test_a_clean_batch_takes_the_one_pass_and_a_refusal_keeps_the_models_words() -> None:
    good = {
        "id": "hc-1",
        "subscription_id": "sub_1",
        "metric": "health_checks",
        "occurred_at": "2025-04-03T09:30:00+02:00",
        "properties": {"site": "Solna"},
    }
    out = Outcome()
    parsed = parse_events([good, {**good, "id": "hc-2", "quantity": 3}], out)
    assert out.refused == []
    at = datetime(2025, 4, 3, 7, 30, tzinfo=UTC)
    assert parsed[1] == (1, Parsed("hc-2", "sub_1", "health_checks", 3, at, {"site": "Solna"}))
    bad = {**good, "id": "hc-3", "subscription_id": "sub\x00"}
    parse_events([good, bad], out)
    assert [(r["index"], r["code"]) for r in out.refused] == [(1, "validation_error")]
    try:
        _MODEL.validate_python(bad)
    except ValidationError as exc:
        assert out.refused[0]["detail"].endswith(exc.errors()[0]["msg"])
    else:
        raise AssertionError("the model accepts a NUL")
