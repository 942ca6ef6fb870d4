"""The tests see what users get: the installed wheel, with every package-data file, and our
own `intake` and `validators` — never the unrelated PyPI projects of the same names
(DESIGN §11, README)."""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import REPO

DIST = "e-operation-sheets"
PACKAGES = ["eop", "intake", "validators", "templates", "outbox", "jobs", "ledger"]
SITE = Path(sysconfig.get_paths()["purelib"]).resolve()
EOP = Path(sys.executable).parent / "eop"


def installed_root(package: str) -> Path:
    module = importlib.import_module(package)
    assert module.__file__ is not None, (
        f"{package} is a namespace package: its __init__.py is missing"
    )
    return Path(module.__file__).resolve().parent


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_comes_from_site_packages(package):
    root = installed_root(package)
    assert root == SITE / package, (
        f"{package} imported from {root}, not from the installed wheel in {SITE}"
    )
    assert not root.is_relative_to(REPO / package)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_belongs_to_our_distribution(package):
    assert set(metadata.packages_distributions().get(package, [])) == {DIST}


@pytest.mark.parametrize("name", ["intake", "validators"])
def test_the_unrelated_pypi_projects_are_not_installed_nor_required(name):
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution(name)
    requires = [r.split(";")[0].strip().lower() for r in metadata.requires(DIST) or []]
    assert not [
        r
        for r in requires
        if r == name or r.startswith((f"{name}<", f"{name}>", f"{name}=", f"{name}[", f"{name}!"))
    ]


def test_our_validators_and_intake_are_the_ones_imported():
    catalogue = importlib.import_module("validators.catalogue")
    watch = importlib.import_module("intake.watch")
    assert Path(catalogue.__file__).resolve().is_relative_to(SITE / "validators")
    assert hasattr(watch, "DropWatcher")
    assert not hasattr(
        importlib.import_module("validators"), "email"
    )  # PyPI validators' top-level API
    assert not hasattr(
        importlib.import_module("intake"), "open_catalog"
    )  # PyPI intake's top-level API


def test_a_fresh_interpreter_outside_the_repository_imports_the_wheel(tmp_path):
    code = (
        "import json, importlib; print(json.dumps({p: importlib.import_module(p).__file__"
        f" for p in {PACKAGES!r}}}))"
        "; import validators.catalogue, intake.watch, templates.mail, cli.main"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    for package, file in json.loads(done.stdout).items():
        assert Path(file).resolve().is_relative_to(SITE / package)


def test_the_mail_templates_are_installed():
    mail = installed_root("templates") / "mail"
    names = {p.name for p in mail.iterdir()}
    for kind in ("receipt", "rejection", "duplicate", "workbook_issued"):
        assert {f"{kind}.subject.txt", f"{kind}.txt", f"{kind}.html"} <= names, kind
    assert {p.name for p in (REPO / "templates" / "mail").glob("*.txt")} <= names
    assert {p.name for p in (REPO / "templates" / "mail").glob("*.html")} <= names


def test_the_embedded_demo_config_is_installed_and_loads():
    from eop.config import load_config

    installed = installed_root("eop") / "kanchanaburi.yaml"
    assert installed.is_file()
    assert installed.read_bytes() == (REPO / "eop" / "kanchanaburi.yaml").read_bytes()
    config = load_config(installed)
    assert len(config.offices) == 15


def _tracked_package_files() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "ls-files", "--", *PACKAGES], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if not line.endswith(".md")]


def test_every_tracked_package_file_is_in_the_wheel():
    """A template, a font, a stylesheet added to a package but not to package-data shows here."""
    missing = [name for name in _tracked_package_files() if not (SITE / name).is_file()]
    assert missing == [], f"in the repository but not installed: {missing}"


def test_the_wheel_holds_nothing_the_source_tree_lacks():
    """Stale modules (e.g. left in build/ after a file was deleted) would shadow the truth."""
    extra = []
    for package in PACKAGES:
        for path in (SITE / package).rglob("*"):
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and not (REPO / path.relative_to(SITE)).exists()
            ):
                extra.append(str(path.relative_to(SITE)))
    assert extra == [], f"installed but not in the source tree: {extra}"


def test_the_console_script():
    (entry,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "eop"]
    assert entry.value == "cli.main:main" and entry.dist is not None and entry.dist.name == DIST
    done = subprocess.run([str(EOP), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout and "status" in done.stdout
