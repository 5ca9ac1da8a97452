"""Every kind of timeline event has its whole vocabulary: a payload class, a codec round trip,
a step in the fold (or a declared "no effect"), a label in every document language and a
console rendering. A new kind that misses one of them fails here, not in production."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.console.event_text import RENDERINGS, describe
from billing.console.i18n import words
from billing.documents.labels import LANGUAGES, texts
from billing.domain import codec
from billing.domain.errors import InvalidTimeline
from billing.domain.events import (
    PAYLOAD_CLASSES,
    CancellationMoved,
    CancellationScheduled,
    Event,
    EventType,
    PriceChanged,
    Started,
)
from billing.domain.fold import NO_EFFECT, STEPS

KINDS = list(EventType)


class _Fmt:
    def money(self, amount: int) -> str:
        return f"{amount} SEK"

    def day(self, d: date | None) -> str:
        return "" if d is None else d.isoformat()

    # The words in Swedish, through the console's catalog: every rendering is translated.
    def _(self, message: str, **values: Any) -> str:
        return words("sv").gettext(message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return words("sv").ngettext(singular, plural, n, **values)


def _payloads(cls: type) -> st.SearchStrategy[object]:
    """Payloads with every field drawn (``...``: inferred from its type, defaults included)."""
    return st.builds(cls, **{f.name: ... for f in dataclasses.fields(cls)})


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_has_a_payload_class_of_its_own_kind(kind: EventType) -> None:
    assert PAYLOAD_CLASSES[kind].KIND is kind


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_has_a_place_in_the_fold(kind: EventType) -> None:
    if kind is EventType.STARTED:
        return  # the fold begins with it
    assert (kind in STEPS) != (kind in NO_EFFECT), f"{kind}: a step or 'no effect', exactly one"


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_has_a_label_in_every_language(kind: EventType) -> None:
    for language in LANGUAGES:
        assert f"event_{kind.value}" in texts(language), (kind, language)


@pytest.mark.parametrize("kind", KINDS, ids=str)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_kind_round_trips_through_json_and_renders(
    kind: EventType, data: st.DataObject
) -> None:
    payload = data.draw(_payloads(PAYLOAD_CLASSES[kind]))
    stored = json.loads(json.dumps(codec.encode(payload)))  # type: ignore[arg-type]
    assert codec.decode(kind, stored) == payload
    assert kind in RENDERINGS
    recorded = datetime(2025, 1, 1, tzinfo=UTC)
    event = Event("E1", 1, date(2025, 1, 1), recorded, "staff", payload)  # type: ignore[arg-type]
    assert isinstance(describe(event, _Fmt()), str)


class TestStrictDecoding:
    def test_an_unknown_field_is_refused(self) -> None:
        with pytest.raises(InvalidTimeline, match="unknown field"):
            codec.decode(EventType.PRICE_CHANGED, {"unit_amount": 1, "leaving_reason": "x"})

    def test_a_missing_required_field_is_refused(self) -> None:
        with pytest.raises(InvalidTimeline, match="quantity is missing"):
            codec.decode(EventType.QUANTITY_CHANGED, {})

    def test_a_float_amount_is_refused(self) -> None:
        with pytest.raises(InvalidTimeline, match="unit_amount"):
            codec.decode(EventType.PRICE_CHANGED, {"unit_amount": 249.95})

    def test_an_unknown_kind_is_refused(self) -> None:
        with pytest.raises(InvalidTimeline, match="unknown event kind"):
            codec.decode("renamed", {})

    def test_dates_are_read_as_dates_and_choices_as_enums(self) -> None:
        p = codec.decode(
            EventType.PRICE_CHANGED,
            {"unit_amount": 1, "billing_from": "2025-03-01", "proration": "none"},
        )
        assert isinstance(p, PriceChanged)
        assert p.billing_from == date(2025, 3, 1)
        assert p.proration is not None and p.proration.value == "none"

    def test_a_moved_cancellation_keeps_its_own_kind(self) -> None:
        moved = codec.decode(EventType.CANCELLATION_MOVED, {"end_date": "2025-03-15"})
        assert isinstance(moved, CancellationMoved) and isinstance(moved, CancellationScheduled)
        assert moved.KIND is EventType.CANCELLATION_MOVED

    def test_stored_rows_of_earlier_versions_still_read(self) -> None:
        # A started event as the first release stored it: optional keys absent.
        p = codec.decode(
            "started",
            {
                "plan_id": "plan_1",
                "unit_amount": 24995,
                "quantity": 3,
                "price_months": 1,
                "interval_months": 1,
                "billing_timing": "in_advance",
            },
        )
        assert isinstance(p, Started) and p.setup_fee_amount == 0 and p.contract is None
