"""Setting up plans."""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain.bounds import check_plan
from billing.domain.usage import metric_from_dict
from billing.errors import Conflict
from billing.ids import new_id
from billing.plans import repository
from billing.plans.schemas import DEFAULT_TERMINATION_TASKS, PlanCreate
from billing.storage.models import Plan


def create_plan(session: Session, body: PlanCreate) -> Plan:
    if repository.by_code(session, body.code) is not None:
        raise Conflict(f"a plan with code {body.code!r} exists", code="duplicate_code")
    check_plan(
        unit_amount=body.unit_amount,
        interval_months=body.interval_months,
        setup_fee=body.setup_fee_amount,
        addon_amounts=[a.unit_amount for a in body.addons],
    )
    metrics = [m.model_dump(mode="json") for m in body.metrics]
    for stored in metrics:
        metric_from_dict(stored)  # refuses what cannot be billed as it says (invalid_metric)
    plan = Plan(
        id=new_id("plan"),
        code=body.code,
        name=body.name,
        currency=body.currency,
        unit_amount=body.unit_amount,
        interval_months=body.interval_months,
        billing_timing=body.billing_timing,
        setup_fee_amount=body.setup_fee_amount,
        min_unit_amount=body.min_unit_amount,
        contract=body.contract.model_dump() if body.contract else None,
        addons=[a.model_dump(mode="json") for a in body.addons],
        termination_tasks=(
            [t.model_dump() for t in body.termination_tasks]
            if body.termination_tasks is not None
            else DEFAULT_TERMINATION_TASKS
        ),
        proration=body.proration,
        unused=body.unused,
        collect=body.collect.value,
        tax_category=body.tax_category.value,
        prices_include_vat=body.prices_include_vat,
        usage_metrics=metrics or None,
        four_eyes=body.four_eyes or bool(body.contract and body.contract.four_eyes),
        created_at=utcnow(),
    )
    session.add(plan)
    session.flush()
    return plan
