"""Today, per customer: the real date in the customer's time zone, or the test clock's date.

With ``BILLING_TEST_CLOCK=1`` staff may set the service's notion of today (stored in the
database so every API worker and the scheduler agree); everything that depends on today reads
it from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.domain.calendar import local_date
from billing.storage.models import ClockSetting


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Clock:
    test_clock_enabled: bool

    def test_date(self, session: Session) -> date | None:
        if not self.test_clock_enabled:
            return None
        return session.scalar(select(ClockSetting.today).where(ClockSetting.id == 1))

    def today(self, session: Session, timezone: str) -> date:
        fixed = self.test_date(session)
        if fixed is not None:
            return fixed
        return local_date(utcnow(), timezone)

    def today_by_zone(self, session: Session) -> Callable[[str], date]:
        """Today in any time zone, each asked once (a page of documents of many customers)."""
        days: dict[str, date] = {}

        def today(timezone: str) -> date:
            if timezone not in days:
                days[timezone] = self.today(session, timezone)
            return days[timezone]

        return today

    def set_today(self, session: Session, today: date | None) -> None:
        row = session.get(ClockSetting, 1)
        if row is None:
            session.add(ClockSetting(id=1, today=today))
        else:
            row.today = today
