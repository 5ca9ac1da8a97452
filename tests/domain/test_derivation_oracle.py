"""The fast ledger derivation equals the one before it, entry for entry (issue 15, part 5).

``ledger_oracle`` is the derivation as it was before the core was made faster. Random
timelines (every kind of event, add-ons, one-offs, money choices, interval changes) are billed
at random dates in both scopes, each step posting what the oracle says; at every step the
derivation in ``src`` must return exactly the oracle's entries, in the same order, with and
without ``since``, and the same target pieces.
"""

from __future__ import annotations

from datetime import timedelta

import ledger_oracle as oracle
from builders import FakeLedger, Timeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import timelines_with_choices
from test_properties import LAST_BILL

from billing.domain.ledger import Scope, difference, target_pieces
from billing.domain.timeline import Schedule

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

plans = st.lists(
    st.tuples(
        st.integers(1, 12),  # events recorded so far
        st.integers(-40, LAST_BILL + 400),  # as_of, days from the start
        st.sampled_from([Scope.DUE, Scope.DUE, Scope.BILLED]),
        st.none() | st.integers(-40, LAST_BILL),  # since, days from the start
    ),
    min_size=1,
    max_size=10,
)


@PROPERTY
@given(t=timelines_with_choices(), plan=plans)
def test_the_derivation_equals_the_oracle_at_every_step(
    t: Timeline, plan: list[tuple[int, int, Scope, int | None]]
) -> None:
    start = t.events[0].effective_date
    ledger = FakeLedger()
    for recorded, as_of_days, scope, since_days in plan:
        events = t.events[: max(1, min(recorded, len(t.events)))]
        schedule = Schedule(events)
        as_of = start + timedelta(days=as_of_days)
        cause = events[-1].id
        want = oracle.difference(schedule, ledger.entries, as_of=as_of, scope=scope,
                                 cause_event_id=cause)
        got = difference(schedule, ledger.entries, as_of=as_of, scope=scope, cause_event_id=cause)
        assert got == want, (as_of, scope)
        keys = [e.key for e in ledger.entries]
        assert target_pieces(schedule, as_of=as_of, scope=scope, posted_keys=keys) == (
            oracle.target_pieces(schedule, as_of=as_of, scope=scope, posted_keys=keys)
        )
        if since_days is not None:
            since = start + timedelta(days=since_days)
            assert difference(schedule, ledger.entries, as_of=as_of, scope=scope, since=since) == (
                oracle.difference(schedule, ledger.entries, as_of=as_of, scope=scope, since=since)
            ), (as_of, scope, since)
        ledger.post(want)
    schedule = t.schedule()
    final = start + timedelta(days=LAST_BILL + 400)
    assert difference(schedule, ledger.entries, as_of=final) == oracle.difference(
        schedule, ledger.entries, as_of=final
    )
