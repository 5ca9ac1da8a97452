"""How an error is declared: code and status as class keywords, checked when the class is
defined; every error of the service has a code of its own."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import billing
from billing.domain.errors import DomainError, InvalidInput
from billing.errors import Conflict, NotFound


def all_error_classes() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(billing.__path__, "billing."):
        importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    todo = [DomainError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("billing."):
                found.append(sub)
            todo.append(sub)
    return found


def test_declared_code_and_status() -> None:
    assert (NotFound.code, NotFound.status) == ("not_found", 404)
    assert (Conflict.code, Conflict.status) == ("conflict", 409)


def test_a_subclass_keeps_its_parents_status_unless_it_names_one() -> None:
    class Narrow(InvalidInput, code="narrow_rule"): ...

    class Narrower(Narrow, code="narrower_rule", status=409): ...

    assert (Narrow.code, Narrow.status) == ("narrow_rule", InvalidInput.status)
    assert (Narrower.code, Narrower.status) == ("narrower_rule", 409)
    assert InvalidInput.code == "validation_error"  # the parent is untouched


def test_a_raise_may_name_a_more_precise_code() -> None:
    error = Conflict("the task is done", code="task_closed")
    assert (error.code, error.status, error.detail) == ("task_closed", 409, "the task is done")
    assert Conflict.code == "conflict"


def test_class_attributes_are_not_a_second_way() -> None:
    with pytest.raises(TypeError, match="class keywords"):

        class Attribute(DomainError, code="attribute_rule"):
            status = 409


def test_a_code_is_required() -> None:
    with pytest.raises(TypeError):

        class Nameless(DomainError): ...  # type: ignore[call-arg]


@pytest.mark.parametrize("code", ["Not-Found", "notFound", "", "trailing_", "_leading"])
def test_a_code_is_snake_case(code: str) -> None:
    with pytest.raises(ValueError, match="snake_case"):

        class Badly(DomainError, code=code): ...

    with pytest.raises(ValueError, match="snake_case"):
        Conflict("detail", code=code)


@pytest.mark.parametrize("status", [200, 302, 399, 500, 503])
def test_a_refusal_is_a_4xx(status: int) -> None:
    with pytest.raises(ValueError, match="4xx"):

        class Badly(DomainError, code="bad_status", status=status): ...


def test_every_error_of_the_service_has_its_own_code() -> None:
    classes = all_error_classes()
    assert {NotFound, Conflict, InvalidInput} <= set(classes)
    codes = [cls.code for cls in classes]
    assert sorted(codes) == sorted(set(codes))
    assert all(400 <= cls.status <= 499 for cls in classes)
