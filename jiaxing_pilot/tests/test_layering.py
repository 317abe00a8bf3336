"""The import contracts of ``make lint`` (``.importlinter``) really fail on an import that breaks the layering:
each case adds one import to a temporary copy of the packages (without their test modules, so the copy is
clean whatever a test imports) and runs ``lint-imports`` on it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
PACKAGES = ["accounts", "workflow", "pilots", "applications", "reviews", "reports", "jiaxing_pilot"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A copy of the project's packages (no test modules) and its contracts."""
    root = tmp_path_factory.mktemp("layering")
    for package in PACKAGES:
        shutil.copytree(
            BASE / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "test_*.py")
        )
    shutil.copy(BASE / ".importlinter", root / ".importlinter")
    return root


def lint(root):
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - our own linter on our own temporary copy
        [str(lint_imports), "--no-cache", str(root / ".importlinter")],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def probe(tree):
    """Add ``source`` to one module of the copy (a new module, or the end of an existing one) for one test."""
    saved = {}

    def write(dotted, source):
        path = tree.joinpath(*dotted.split(".")).with_suffix(".py")
        saved[path] = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text((saved[path] or "") + "\n" + source, encoding="utf-8")

    yield write
    for path, text in saved.items():
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")


def test_the_copied_tree_keeps_every_contract(tree):
    code, output = lint(tree)
    assert code == 0, output


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        (
            "workflow.probe",
            "def later():\n    from applications import services  # inside a function\n\n    return services\n",
            "The core (accounts, workflow) never imports a workflow app",
        ),
        ("accounts.probe", "import reports\n", "The core (accounts, workflow) never imports a workflow app"),
        ("accounts.roles", "from workflow import services\n", "accounts never imports workflow"),
        ("accounts.otp", "from workflow.audit.events import audit\n", "accounts never imports workflow"),
        ("workflow.engine.probe", "from workflow.inbox import workitems\n", "The core's layers"),
        ("workflow.inbox.probe", "from workflow.audit import events\n", "The core's layers"),
        ("workflow.services", "from workflow.conventions import approval\n", "The core's layers"),
        ("workflow.conventions.probe", "from workflow.ui import views\n", "The core's layers"),
        ("workflow.ui.probe", "from workflow.models import WorkItem\n", "No layer of the core imports the app's"),
        ("workflow.engine.base", "from workflow.engine import registry\n", "No circle between sibling modules"),
        ("applications.probe", "from pilots.views import batch_list\n", "Other apps use pilots only through"),
        ("pilots.probe", "from applications.forms import OpinionForm\n", "Other apps use applications only"),
    ],
)
def test_an_import_across_the_layers_fails_lint(tree, probe, module, source, broken):
    probe(module, source)
    code, output = lint(tree)
    assert code != 0
    assert broken in output.replace("\n", " ")
    assert module in output or module.rsplit(".", 1)[0] in output  # a circle is named by its package
