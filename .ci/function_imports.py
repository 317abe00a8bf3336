"""`make lint`: no import written inside a function or method of the application code (issue 27).

An import inside a function hides an arrow from the import contracts (lint-imports sees it, but a reader and a
circle do not), and it is the usual way to dodge a circle. One is allowed only where a comment on the line
above, or at the end of the line, says why and starts with "deferred:" (a migration's historical models, a
heavy optional library, a settings-dependent backend). Tests and migrations are not checked.

Usage: python .ci/function_imports.py [ROOT]   (exit 1 and one line per import when any is found)"""

import ast
import sys
from pathlib import Path

PACKAGES = ("accounts", "workflow", "pilots", "applications", "reviews", "reports", "jiaxing_pilot")
SKIP_PARTS = {"tests", "migrations", "__pycache__"}
MARK = "deferred:"


def _justified(lines, lineno):
    here = lines[lineno - 1]
    above = lines[lineno - 2].strip() if lineno >= 2 else ""
    return MARK in here.split("#", 1)[-1] if "#" in here else above.startswith("#") and MARK in above


def offences(path):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if inside and isinstance(child, ast.Import | ast.ImportFrom) and not _justified(lines, child.lineno):
                found.append((child.lineno, lines[child.lineno - 1].strip()))
            visit(child, inside)

    visit(ast.parse(source, filename=str(path)), False)
    return found


def main(root):
    total = 0
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if SKIP_PARTS & set(path.relative_to(root).parts):
                continue
            for lineno, text in offences(path):
                print(f"{path.relative_to(root)}:{lineno}: import inside a function: {text}")
                total += 1
    if total:
        print(f"{total} import(s) inside functions; move them to the top, or say why on the line above ('# {MARK} …')")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
