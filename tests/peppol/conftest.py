"""The official Peppol BIS Billing 3.0 rules, loaded once per test session.

The rules live beside the repository, in ``<repo>/../shared/peppol`` (the CEN EN 16931 and
Peppol BIS 3.0 Schematron, release 3.0.19, compiled to XSLT, with ``validate.py``). Its
``findings(paths)`` compiles both stylesheets on every call (about 1.6 s); :class:`OfficialRules`
compiles them once, with validate.py's own processor, stylesheet list and :class:`Finding`, and
reads each report as validate.py does. ``test_official_rules.py`` checks that both give the same
findings on the official examples and on a broken one, so the two cannot drift apart.

Every document is also validated against the OASIS UBL 2.1 XML schemas (:func:`ubl_schema`),
which ``scripts/fetch_ubl_xsd.py`` puts in ``<repo>/.cache/ubl-2.1`` (``scripts/test`` runs it;
see its docstring for where they come from).

Missing rules, saxonche or schemas fail the tests in CI (``CI=true``) and skip them elsewhere,
with a message that says how to get them.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from lxml import etree

RULES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "peppol"
VALIDATE = RULES_DIR / "validate.py"
EXAMPLES = RULES_DIR / "examples"
UBL_XSD_DIR = Path(__file__).resolve().parents[2] / ".cache" / "ubl-2.1"


def missing(reason: str) -> None:
    """A missing tool or rule set: an error in CI, a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the official Peppol rules)", pytrace=False)
    pytest.skip(reason)


def load_validate() -> ModuleType:
    if not VALIDATE.is_file():
        missing(f"the official Peppol rules are not at {RULES_DIR}")
    try:
        import saxonche  # noqa: F401
    except ImportError:
        missing("saxonche is not installed (pip install -e '.[dev]')")
    spec = importlib.util.spec_from_file_location("peppol_validate", VALIDATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class OfficialRules:
    """validate.py's two compiled rule sets, kept for the session."""

    def __init__(self, validate: ModuleType) -> None:
        self.validate = validate
        self.proc = validate.PySaxonProcessor(license=False)
        xslt = self.proc.new_xslt30_processor()
        self.executables = [
            xslt.compile_stylesheet(stylesheet_file=os.path.join(validate.HERE, name))
            for name in validate.RULES
        ]

    def findings(self, path: Path) -> list[Any]:
        """Every failed assertion of the file at ``path`` (validate.Finding tuples)."""
        svrl = self.validate.SVRL
        found = []
        doc = self.proc.parse_xml(xml_file_name=str(path.resolve()))
        for executable in self.executables:
            report = executable.transform_to_value(xdm_node=doc)
            xp = self.proc.new_xpath_processor()
            xp.declare_namespace("svrl", svrl)
            xp.set_context(xdm_item=report.head)
            for node in xp.evaluate("//svrl:failed-assert") or []:
                one = self.proc.new_xpath_processor()
                one.declare_namespace("svrl", svrl)
                one.set_context(xdm_item=node)
                flag = one.evaluate_single("string(@flag)").string_value or "fatal"
                rule = one.evaluate_single("string(@id)").string_value
                text = " ".join(one.evaluate_single("string(svrl:text)").string_value.split())
                found.append(self.validate.Finding(flag, rule, text))
        return found


def fatal(findings: Sequence[Any]) -> list[str]:
    return [f"{f.rule}: {f.text}" for f in findings if f.flag == "fatal"]


@pytest.fixture(scope="session")
def official_rules() -> Iterator[OfficialRules]:
    yield OfficialRules(load_validate())


@functools.cache
def _compiled(name: str) -> Any:
    return etree.XMLSchema(etree.parse(str(UBL_XSD_DIR / "maindoc" / f"UBL-{name}-2.1.xsd")))


def ubl_schema(root: str) -> Any:
    """The UBL 2.1 schema of a document whose root element is ``root`` (``Invoice`` or
    ``CreditNote``), compiled once per process."""
    if root not in ("Invoice", "CreditNote"):
        raise ValueError(f"not a UBL invoice or credit note: {root}")
    if not (UBL_XSD_DIR / "maindoc" / f"UBL-{root}-2.1.xsd").is_file():
        missing(
            f"the UBL 2.1 schemas are not in {UBL_XSD_DIR} "
            "(python scripts/fetch_ubl_xsd.py fetches them)"
        )
    return _compiled(root)
