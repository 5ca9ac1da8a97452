"""Refusals in plain sentences: the console shows the rule a change broke in the person's
language, from the problem's code (the same code the API answers), never the service's
English detail ("subscription is at version 9, not 8") or a validator's wording ("form: Value
error, …").

A code without a sentence of its own is shown as a general refusal naming the code, so that
staff can still tell support which rule it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from billing.console.i18n import N_, Words
from billing.domain.errors import DomainError

SENTENCES: dict[str, str] = {
    "version_conflict": N_(
        "Someone changed this subscription while you were looking at it. "
        "The page now shows it as it is: check it and try again."
    ),
    "not_found": N_("There is no such customer, subscription or document."),
    "forbidden": N_("Your account may not do that."),
    "unauthorized": N_("That token is not known. Check it and sign in again."),
    "date": N_("That date is not possible here."),
    "date_in_past": N_("That date has already passed; choose today or a later day."),
    "end_date_in_past": N_("The last day served cannot be before today."),
    "end_before_start": N_("The last day served is before the subscription starts."),
    "before_start": N_("That date is before the subscription starts."),
    "after_end": N_("That date is after the subscription ends."),
    "already_ended": N_("The subscription has already ended; nothing more can be changed."),
    "already_started": N_("The subscription has already started."),
    "not_cancelled": N_("There is no cancellation to undo."),
    "nothing_to_verify": N_("There is no cancellation waiting for verification."),
    "four_eyes": N_(
        "You recorded this cancellation yourself: another staff member must verify it."
    ),
    "notice_period": N_(
        "That is too early for the notice period of the contract. "
        "See the earliest possible end in the cancellation brief."
    ),
    "minimum_term": N_(
        "That is before the contract's minimum term ends. "
        "A manager's approval is needed (Approved by)."
    ),
    "approval_required": N_("This needs a manager's approval: fill in Approved by."),
    "mode_not_allowed": N_("That way of ending the subscription is not allowed here."),
    "contract_rule": N_("The contract does not allow that change."),
    "pause_overlap": N_("The subscription is already paused for part of that time."),
    "not_paused": N_("The subscription is not paused then, so there is nothing to resume."),
    "no_change": N_("That is how the subscription already is: nothing would change."),
    "invalid_timeline": N_("That change does not fit the subscription's history."),
    "price_floor": N_("That price is below the lowest price allowed for this plan."),
    "licence_reduction_limit": N_("That removes more licences than the contract allows."),
    "overdue_balance": N_("The customer has overdue invoices, so no retention offer is allowed."),
    "allocation_exceeds_payment": N_("That is more than what is left on the payment."),
    "overpayment": N_("That is more than what is still due on the invoice."),
    "invoice_void": N_("That invoice is void: no payment can be recorded on it."),
    "not_a_payment": N_("A payment must be more than zero."),
    "currency_mismatch": N_("That currency is not the invoice's currency."),
    "invalid_payment_reference": N_("That payment reference is not valid."),
    "amount_too_large": N_("That amount is too large."),
    "amount_format": N_(
        "That amount could not be read: write it with at most two decimals, like 1 234,50."
    ),
    "validation_error": N_("Some of the form is not right: check the fields and try again."),
    "delivery_exceeds_order": N_("That is more than is left to deliver on the order."),
    "delivery_in_future": N_("A delivery cannot be recorded before the day it happens."),
    "order_cancelled": N_("The order is cancelled: nothing more can be delivered."),
    "order_delivered": N_("Everything on the order is delivered already."),
    "unknown_order_line": N_("That line is not on this order."),
    "onboarding_not_started": N_("The onboarding has not started yet: the welcome comes first."),
    "onboarding_closed": N_("The onboarding is closed: its start meeting is booked."),
    "meeting_in_past": N_("The meeting day has already passed; choose today or a later day."),
    "already_parked": N_("The onboarding is already parked for manual follow-up."),
    "no_meeting_booked": N_("No start meeting is booked."),
    "meeting_held": N_("The start meeting was held: its segment is recorded."),
    "meeting_not_held": N_("The start meeting has not been held yet: record the segment after it."),
}

#: What a form's own checks say, by the validator's message (pydantic's "value_error").
FORM_SENTENCES: dict[str, str] = {
    "mode on_date needs a date": N_("Give the last day served."),
    "date is only given with mode on_date": N_(
        "A last day served is only given when ending on a date."
    ),
    "resume_date must be after start_date": N_("Resuming must come after the pause starts."),
    "a change sets unit_amount, quantity, plan_id or interval_months": N_(
        "Give a new number of licences or a new unit price."
    ),
}
MISSING = N_("A field is missing: %(field)s.")
NOT_VALID = N_("This is not valid: %(field)s.")


def refusal(lang: Words, exc: DomainError) -> str:
    """The sentence staff read for a refused change."""
    sentence = SENTENCES.get(exc.code)
    if sentence is None:
        return lang.gettext("That was refused (rule: %(code)s).", code=exc.code)
    return lang.gettext(sentence)


def form_refusal(lang: Words, errors: Sequence[Any], labels: dict[str, str]) -> str:
    """The sentences for a form that failed its checks; ``labels`` name the fields as the
    form does (already translated)."""
    out: list[str] = []
    for error in errors:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        field = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        label = labels.get(field, field)
        if message in FORM_SENTENCES:
            out.append(lang.gettext(FORM_SENTENCES[message]))
        elif error.get("type") == "missing":
            out.append(lang.gettext(MISSING, field=label))
        elif label:
            out.append(lang.gettext(NOT_VALID, field=label))
        else:
            out.append(lang.gettext(SENTENCES["validation_error"]))
    return " ".join(dict.fromkeys(out)) or lang.gettext(SENTENCES["validation_error"])
