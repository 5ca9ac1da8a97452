"""Self-tests of the validation the other Peppol tests rely on.

* The session's compiled rules (:class:`tests.peppol.conftest.OfficialRules`) find exactly what
  ``validate.py``'s own ``findings`` finds, on the official examples (which pass) and on an
  example broken the way its README describes (issue date removed, a VAT amount changed:
  BR-03, BR-CO-15, BR-CO-17, BR-S-09), so a pass in our tests is a pass of the official tool.
* The OASIS UBL 2.1 schemas (:func:`tests.peppol.conftest.ubl_schema`) accept the official
  examples, invoices and credit notes, and refuse an example with an element out of UBL's
  order and one with an element UBL does not have, naming them, so a pass is the schema's.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from tests.peppol.conftest import EXAMPLES, OfficialRules, fatal, load_validate, ubl_schema


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
    examples = sorted(EXAMPLES.glob("*.xml"))
    roots = set()
    for path in examples:
        tree = etree.parse(str(path))
        root = etree.QName(tree.getroot()).localname
        roots.add(root)
        xsd = ubl_schema(root)
        assert xsd.validate(tree), f"{path}: {xsd.error_log}"
    assert roots == {"Invoice", "CreditNote"}


def test_the_ubl_schemas_refuse_what_ubl_does_not_allow() -> None:
    source = (EXAMPLES / "base-example.xml").read_text(encoding="utf-8")
    # UBL's order: IssueDate before DueDate.
    issue = re.search(r"<cbc:IssueDate>[^<]*</cbc:IssueDate>", source)
    due = re.search(r"<cbc:DueDate>[^<]*</cbc:DueDate>", source)
    assert issue is not None and due is not None
    swapped = source.replace(issue[0], "\0").replace(due[0], issue[0]).replace("\0", due[0])
    unknown = source.replace(issue[0], issue[0] + "<cbc:Colour>red</cbc:Colour>", 1)
    for broken, named in ((swapped, "DueDate"), (unknown, "Colour")):
        tree = etree.fromstring(broken.encode("utf-8"))
        xsd = ubl_schema("Invoice")
        assert not xsd.validate(tree)
        assert named in str(xsd.error_log)
