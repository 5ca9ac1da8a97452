"""Sellers: the legal entities that issue documents (staff make and change them; whoever reads
the catalogue reads them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from billing.http.deps import PageParams, SessionDep
from billing.http.permissions import ReadsPlans, StaffActor
from billing.sellers import repository as sellers
from billing.sellers.schemas import SellerCreate, SellerOut, SellerPage, SellerUpdate
from billing.sellers.service import create_seller, update_seller
from billing.sellers.views import seller_out

router = APIRouter(tags=["sellers"])


@router.post("/sellers", status_code=201, response_model=SellerOut)
def post_seller(body: SellerCreate, session: SessionDep, actor: StaffActor) -> Any:
    """A new seller with its own number series. The first one is the default and gives the
    customers made before it their customer numbers."""
    return seller_out(create_seller(session, body))


@router.get("/sellers", response_model=SellerPage)
def list_sellers(session: SessionDep, actor: ReadsPlans, page: PageParams) -> dict[str, Any]:
    """The sellers (the legal entities documents are issued by), in id order, a page at a time."""
    rows = sellers.page(session, after=page.after, limit=page.limit)
    return page.answer(rows, [seller_out(r).model_dump(mode="json") for r in rows])


@router.get("/sellers/{seller_id}", response_model=SellerOut)
def get_seller(seller_id: str, session: SessionDep, actor: ReadsPlans) -> Any:
    """One seller."""
    return seller_out(sellers.get(session, seller_id))


@router.patch("/sellers/{seller_id}", response_model=SellerOut)
def patch_seller(seller_id: str, body: SellerUpdate, session: SessionDep, actor: StaffActor) -> Any:
    """Change the fields given. Once the seller has issued documents, its country,
    organisation number and prefix cannot change (409 ``seller_has_documents``)."""
    return seller_out(update_seller(session, seller_id, body))
