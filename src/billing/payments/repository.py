"""Every query of the bank payments package."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.storage.models import BankAllocation, BankPayment, Document, PaymentFile, Seller
from billing.storage.rows import Lock, get_row


def file_by_hash_or_key(session: Session, *, sha256: str, key: str | None) -> PaymentFile | None:
    """The file imported before with this content, or with these identifiers."""
    found = session.scalars(select(PaymentFile).where(PaymentFile.sha256 == sha256)).first()
    if found is None and key is not None:
        found = session.scalars(select(PaymentFile).where(PaymentFile.file_key == key)).first()
    return found


def sellers(session: Session) -> list[Seller]:
    return list(session.scalars(select(Seller).order_by(Seller.id)))


def invoices_with_reference(
    session: Session, reference: str, *, seller_id: str | None
) -> list[Document]:
    """Invoices whose payment reference is ``reference`` (of one seller, or of any)."""
    q = select(Document).where(Document.type == "invoice", Document.payment_reference == reference)
    if seller_id is not None:
        q = q.where(Document.seller_id == seller_id)
    return list(session.scalars(q.order_by(Document.id).limit(2)))


def allocated(session: Session, bank_payment_ids: Sequence[str]) -> dict[str, int]:
    """What each bank payment has put to invoices so far (paid and kept as credit)."""
    if not bank_payment_ids:
        return {}
    q = (
        select(
            BankAllocation.bank_payment_id,
            func.sum(BankAllocation.paid + BankAllocation.credit),
        )
        .where(BankAllocation.bank_payment_id.in_(bank_payment_ids))
        .group_by(BankAllocation.bank_payment_id)
    )
    return {str(bp_id): int(total or 0) for bp_id, total in session.execute(q)}


def allocations_of(session: Session, bank_payment_ids: Sequence[str]) -> list[BankAllocation]:
    if not bank_payment_ids:
        return []
    q = select(BankAllocation).where(BankAllocation.bank_payment_id.in_(bank_payment_ids))
    return list(session.scalars(q.order_by(BankAllocation.id)))


def lock_bank_payment(session: Session, bank_payment_id: str) -> BankPayment:
    session.flush()
    return get_row(
        session,
        BankPayment,
        bank_payment_id,
        lock=Lock.NO_KEY_UPDATE,
        missing=f"bank payment {bank_payment_id} not found",
    )


def unmatched_page(session: Session, *, after: str | None, limit: int) -> list[BankPayment]:
    """Payments that still hold money, in id order from after ``after``."""
    used = (
        select(func.coalesce(func.sum(BankAllocation.paid + BankAllocation.credit), 0))
        .where(BankAllocation.bank_payment_id == BankPayment.id)
        .scalar_subquery()
    )
    q = select(BankPayment).where(BankPayment.kind == "payment", BankPayment.amount > used)
    if after:
        q = q.where(BankPayment.id > after)
    return list(session.scalars(q.order_by(BankPayment.id).limit(limit)))


def payments_of_file(session: Session, file_id: str) -> list[BankPayment]:
    q = select(BankPayment).where(BankPayment.file_id == file_id)
    return list(session.scalars(q.order_by(BankPayment.position)))
