"""The official Peppol BIS Billing 3.0 rules, loaded once per test session.

The rules live beside the repository, in ``<repo>/../shared/peppol`` (the CEN EN 16931 and
Peppol BIS 3.0 Schematron, release 3.0.19, compiled to XSLT, with ``validate.py``). Its
``findings(paths)`` compiles both stylesheets on every call (about 1.6 s); :class:`OfficialRules`
compiles them once, with validate.py's own processor, stylesheet list and :class:`Finding`, and
reads each report as validate.py does. ``test_official_rules.py`` checks that both give the same
findings on the official examples and on a broken one, so the two cannot drift apart.

Missing rules (or saxonche) fail the tests in CI (``CI=true``) and skip them elsewhere. The
UBL 2.1 XSDs are used when a copy is found under the rules folder (``UBL-Invoice-2.1.xsd``
anywhere below it); the folder has none today, so the schema test skips.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RULES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "peppol"
VALIDATE = RULES_DIR / "validate.py"
EXAMPLES = RULES_DIR / "examples"


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


def ubl_schemas() -> dict[str, Path]:
    """The UBL 2.1 main schemas (Invoice, CreditNote) if a copy is beside the rules."""
    found: dict[str, Path] = {}
    if RULES_DIR.is_dir():
        for name in ("Invoice", "CreditNote"):
            hits = sorted(RULES_DIR.rglob(f"UBL-{name}-2.1.xsd"))
            if hits:
                found[name] = hits[0]
    return found
