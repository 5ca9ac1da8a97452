"""The day a usage event is billed on: its calendar day in the customer's time zone, with the
zone's offset looked up once per quarter hour (offsets change only on quarter hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.usage.service import local_day

ZONES = ["Europe/Stockholm", "Europe/Oslo", "America/St_Johns", "Asia/Kolkata",
         "Australia/Eucla", "Pacific/Chatham", "UTC"]  # fmt: skip


def test_around_the_change_to_summer_time_in_stockholm() -> None:
    assert str(local_day(datetime(2025, 3, 29, 22, 59, 59, tzinfo=UTC), "Europe/Stockholm")) == (
        "2025-03-29"
    )
    assert str(local_day(datetime(2025, 3, 29, 23, 0, tzinfo=UTC), "Europe/Stockholm")) == (
        "2025-03-30"
    )
    # After the change the offset is +2: 22:00 UTC is already the next day.
    assert str(local_day(datetime(2025, 10, 25, 22, 0, tzinfo=UTC), "Europe/Stockholm")) == (
        "2025-10-26"
    )
    assert str(local_day(datetime(2025, 10, 26, 22, 59, tzinfo=UTC), "Europe/Stockholm")) == (
        "2025-10-26"
    )


@settings(max_examples=500, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    seconds=st.integers(0, 60 * 366 * 24 * 3600),
    offset=st.sampled_from([timedelta(0), timedelta(hours=-7), timedelta(hours=5, minutes=30)]),
)
def test_it_is_the_day_zoneinfo_gives(zone: str, seconds: int, offset: timedelta) -> None:
    moment = (datetime(1990, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)).astimezone(
        timezone(offset)
    )
    assert local_day(moment, zone) == moment.astimezone(ZoneInfo(zone)).date()
