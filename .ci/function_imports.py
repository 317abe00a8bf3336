"""`make lint`: no import written inside a function or method of the application code (issue 27).

An import inside a function hides an arrow from a reader, and it is the usual way to dodge a circle. One is
allowed only where a comment says why, starting with "deferred:", at the end of its line or on the line above a
function's imports (a comment line in the function above them): an AppConfig.ready() that registers the
app's models once the app registry is ready, a library that is optional or costly to load. Tests and migrations
are not checked.

Usage: python .ci/function_imports.py [ROOT]   (exit 1 and one line per import when any is found)"""

import ast
import sys
from pathlib import Path

PACKAGES = ("accounts", "workflow", "pilots", "applications", "reviews", "reports", "jiaxing_pilot")
SKIP_PARTS = {"tests", "migrations", "__pycache__"}
MARK = "deferred:"


def _justified(lines, lineno, function_line):
    """A "# deferred: why" at the end of the import's line, or on a line of its function above it."""
    here = lines[lineno - 1]
    if "#" in here and MARK in here.split("#", 1)[-1]:
        return True
    return any(line.strip().startswith("# " + MARK) for line in lines[function_line : lineno - 1])


def offences(path):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            function = node
        for child in ast.iter_child_nodes(node):
            imports = function and isinstance(child, ast.Import | ast.ImportFrom)
            if imports and not _justified(lines, child.lineno, function.lineno):
                found.append((child.lineno, lines[child.lineno - 1].strip()))
            visit(child, function)

    visit(ast.parse(source, filename=str(path)), None)
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
