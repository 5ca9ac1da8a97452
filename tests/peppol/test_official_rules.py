"""Self-tests of the validation the other Peppol tests rely on.

* The session's compiled rules (:class:`tests.peppol.conftest.OfficialRules`) find exactly what
  ``validate.py``'s own ``findings`` finds, on the official examples (which pass) and on an
  example broken the way its README describes (issue date removed, a VAT amount changed:
  BR-03, BR-CO-15, BR-CO-17, BR-S-09), so a pass in our tests is a pass of the official tool.
* The UBL 2.1 XSDs, when a copy is beside the rules, accept the official examples (the rules
  folder has none today: the test says so and skips).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from tests.peppol.conftest import EXAMPLES, OfficialRules, fatal, load_validate, ubl_schemas


def _broken(tmp_path: Path) -> Path:
    source = (EXAMPLES / "base-example.xml").read_text(encoding="utf-8")
    source = re.sub(r"\s*<cbc:IssueDate>[^<]*</cbc:IssueDate>", "", source, count=1)
    source = source.replace(">331.25<", ">300.00<")
    path = tmp_path / "broken.xml"
    path.write_text(source, encoding="utf-8")
    return path


def test_the_session_rules_find_what_validate_py_finds(
    official_rules: OfficialRules, tmp_path: Path
) -> None:
    examples = sorted(EXAMPLES.glob("*.xml"))
    assert len(examples) >= 10
    paths = [*examples, _broken(tmp_path)]
    theirs = load_validate().findings([str(p) for p in paths])
    for path in paths:
        assert sorted(official_rules.findings(path)) == sorted(theirs[str(path)]), path
    for path in examples:
        assert fatal(official_rules.findings(path)) == [], path
    rules = {f.rule for f in official_rules.findings(paths[-1]) if f.flag == "fatal"}
    assert {"BR-03", "BR-CO-15", "BR-CO-17", "BR-S-09"} <= rules


def test_the_ubl_schemas_accept_the_official_examples() -> None:
    schemas = ubl_schemas()
    if not schemas:
        pytest.skip("no UBL 2.1 XSDs beside the Peppol rules (UBL-Invoice-2.1.xsd not found)")
    for path in sorted(EXAMPLES.glob("*.xml")):
        tree = etree.parse(str(path))
        xsd = etree.XMLSchema(etree.parse(str(schemas[etree.QName(tree.getroot()).localname])))
        assert xsd.validate(tree), f"{path}: {xsd.error_log}"
