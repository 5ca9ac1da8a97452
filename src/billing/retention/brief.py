"""The cancellation brief: what staff see before calling a customer who wants to leave.

Time left on the contract, licences, price and interval, the notice deadline, the earliest
possible end date and the money of ending then (credited now, still to bill), the unpaid and
overdue balance, the active add-ons, and the retention offers allowed with their limits.

The unpaid and overdue balance are the customer's account in the subscription's currency
today, read as its statement reads it (:mod:`billing.domain.overdue`): ``unpaid_balance`` is
the statement's closing balance when the customer owes (open amounts less the credit it
holds), ``overdue_balance`` the overdue amount that credit does not cover (its arrears);
``open_amount``, ``customer_credit`` and ``overdue_invoices`` show what they are made of.
A subscription that has already ended has nothing left to end or to save: its brief offers
no end date, no money of ending and no offers (``already_ended``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.domain import contracts
from billing.domain.entries import is_usage_item
from billing.domain.events import CancellationMoved
from billing.domain.ledger import Entry, Scope, difference, target_pieces, target_total
from billing.domain.money import format_money
from billing.domain.overdue import AccountSummary
from billing.domain.timeline import Schedule, Terms
from billing.invoicing import repository as ledger_repo
from billing.receivables.account import account_on
from billing.subscriptions.recording import Change, with_changes
from billing.subscriptions.state import Loaded, contract_terms, current_period, load
from billing.usage.report import contract_year_use

#: At most this share of licences may go in one retention offer (10 %).
LICENCE_REDUCTION_LIMIT = (1, 10)


def balances(session: Session, loaded: Loaded) -> AccountSummary:
    """The customer's account in the subscription's currency today: the same account, read
    the same way, as its statement (:mod:`billing.receivables.account`)."""
    return account_on(session, loaded.customer.id, loaded.subscription.currency, today=loaded.today)


def cancellation_quote(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, *, requested_on: date | None
) -> dict[str, Any]:
    loaded = load(session, actor, clock, subscription_id)
    sub, schedule, today = loaded.subscription, loaded.schedule, loaded.today
    requested = requested_on or today
    ref = max(today, schedule.start)
    terms = schedule.terms_on(ref)
    contract = contract_terms(loaded.plan, schedule)
    position = (
        contracts.contract_position(contract, contract_start=schedule.start, requested_on=requested)
        if contract
        else None
    )
    ended = schedule.has_ended(today)
    earliest = position.earliest_allowed_end if position else max(requested, schedule.start)
    account = balances(session, loaded)
    period = current_period(schedule, today)

    def money(amount: int) -> dict[str, Any]:
        return _money(amount, sub.currency, loaded.customer.locale)

    return {
        "subscription_id": sub.id,
        "requested_on": requested.isoformat(),
        "status": schedule.status_on(today).value,
        "licences": terms.quantity,
        "unit_amount": money(terms.unit_amount),
        "interval_months": schedule.interval_on(ref),
        "current_period": (
            {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None
        ),
        "contract": _contract_out(position) if position else None,
        "earliest_allowed_end": None if ended else earliest.isoformat(),
        "ending_then": None if ended else _ending_then(session, loaded, earliest, money),
        "unpaid_balance": money(account.unpaid),
        "overdue_balance": money(account.arrears),
        "open_amount": money(account.open_amount),
        "customer_credit": money(account.customer_credit),
        "overdue_invoices": account.overdue_invoices,
        "active_addons": _active_addons(schedule, ref),
        "retention_offers": _offers(loaded, terms, arrears=account.arrears, ended=ended),
        # What the customer has used, per metric: this contract year, and the last activity.
        "usage": contract_year_use(session, loaded),
    }


def _money(amount: int, currency: str, locale: str) -> dict[str, Any]:
    return {
        "amount": amount,
        "currency": currency,
        "formatted": format_money(amount, currency, locale),
    }


def _contract_out(position: contracts.ContractPosition) -> dict[str, Any]:
    return {
        "start": position.contract_start.isoformat(),
        "current_term_end": position.current_term_end.isoformat(),
        "months_left": position.months_left,
        "days_left": position.days_left,
        "notice_months": position.notice_months,
        "notice_deadline": position.notice_deadline.isoformat(),
        "notice_in_time": position.notice_in_time,
        "minimum_term_end": position.minimum_term_end.isoformat(),
        "earliest_with_approval": position.earliest_with_approval.isoformat(),
    }


def _ending_then(session: Session, loaded: Loaded, end: date, money: Any) -> dict[str, Any]:
    """The money of ending on ``end``: credited at once, and still to bill until then."""
    today = loaded.today
    rows = ledger_repo.posted_entries(session, loaded.subscription.id)
    # Usage is billed from usage events, not the timeline: not part of the money of ending.
    posted: list[Entry] = [ledger_repo.to_domain(r) for r in rows if not is_usage_item(r.item)]
    ending = with_changes(loaded, [Change(end, CancellationMoved(end_date=end))])
    credit_now = difference(ending, posted, as_of=today, scope=Scope.BILLED)
    horizon = end - timedelta(days=1)
    keys = {e.key for e in posted}
    still_to_bill = (
        target_total(target_pieces(ending, as_of=max(horizon, today), posted_keys=keys))
        - sum(e.amount for e in posted)
        - sum(e.amount for e in credit_now)
    )
    return {
        "end_date": end.isoformat(),
        "credit_now": money(-sum(e.amount for e in credit_now)),
        "still_to_bill": money(max(0, still_to_bill)),
    }


def _active_addons(schedule: Schedule, ref: date) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "unit_amount": a.unit_amount,
            "quantity": a.quantity,
            "since": a.start.isoformat(),
        }
        for a in schedule.addons
        # Add-ons end with the subscription.
        if a.start <= ref
        and (a.end is None or a.end > ref)
        and (schedule.end is None or schedule.end > ref)
    ]


def _offers(loaded: Loaded, terms: Terms, *, arrears: int, ended: bool) -> dict[str, Any]:
    """What staff may offer; the limits show even when an overdue balance (arrears: overdue
    and not covered by the customer's credit) blocks the offers, but an ended subscription has
    nothing to offer on."""
    schedule, plan = loaded.schedule, loaded.plan
    num, den = LICENCE_REDUCTION_LIMIT
    if ended:
        return {
            "allowed": False,
            "refused_because": "already_ended",
            "change_interval": False,
            "postpone_start": False,
            "included_addons": [],
            "waive_setup_fee": False,
            "lowest_unit_amount": plan.min_unit_amount,
            "max_licence_reduction": 0,
        }
    return {
        "allowed": arrears == 0,
        "refused_because": "overdue_balance" if arrears else None,
        "change_interval": True,
        "postpone_start": loaded.today < schedule.start,
        "included_addons": [a["code"] for a in plan.addons or [] if a.get("included")],
        "waive_setup_fee": schedule.setup_fee > 0,
        "lowest_unit_amount": plan.min_unit_amount,
        "max_licence_reduction": terms.quantity * num // den,
    }
