"""Memory of an Excel export as rows grow: 10,000 and 100,000 rows through workflow.xlsx (write-only workbook).

Each size runs in its own child processes (so ru_maxrss is that run's peak, not a neighbour's): rows come from an
in-memory generator shaped like a quarterly-report row (text, int, date, datetime, decimal; the columns the
report export writes), go through ``workflow.xlsx.write`` into a temporary file exactly as an export request
does, and the file is then read back in 64 KiB blocks as ``FileResponse`` streams it. Reported per size: the
tracemalloc peak of Python allocations during the write, the process's peak RSS, the file size and the time.
``--eager`` also runs the ordinary (not write-only) openpyxl workbook on the smaller size, for comparison.

    .venv/bin/python bench/export_memory.py                 # 10,000 and 100,000 rows
    .venv/bin/python bench/export_memory.py --write         # and append the table to bench/RESULTS.md
"""

import argparse
import datetime
import decimal
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000)


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxing_pilot.settings")
    import django

    django.setup()


def rows(n):
    county = SimpleNamespace(name="南湖区")
    start = datetime.datetime(2026, 1, 1, 9, 30, tzinfo=datetime.UTC)
    for i in range(n):
        yield SimpleNamespace(
            year=2021 + i % 5,
            quarter=1 + i % 4,
            pilot=SimpleNamespace(title=f"公共数据授权运营集成改革第{i}号试点项目"),
            county=county,
            due_on=datetime.date(2026, 1 + i % 12, 15),
            status="已报送",
            submitted_at=start + datetime.timedelta(minutes=i),
            points=decimal.Decimal(i % 500) / 100,
            narrative="完成数据授权运营管理办法起草，建成平台一期，推进数据产品上架交易。" * 2,
        )


def columns():
    from workflow.ui import xlsx

    C = xlsx.Column
    return [
        C("年度", "year", xlsx.INT),
        C("季度", "quarter", xlsx.INT),
        C("试点项目", "pilot.title"),
        C("试点县（市、区）", "county.name"),
        C("报送截止日期", "due_on", xlsx.DATE),
        C("状态", "status"),
        C("最近报送时间", "submitted_at", xlsx.DATETIME),
        C("分值", "points", xlsx.NUMBER),
        C("进展说明", "narrative"),
    ]


def child(n, eager, trace):
    """One measured run; prints a JSON line. ``trace``: the tracemalloc peak (tracemalloc slows every allocation
    several times, so the time and the RSS come from an untraced run of the same size)."""
    import resource
    import tracemalloc

    _setup()
    from workflow.ui import xlsx

    cols = columns()
    began, cpu_began = time.perf_counter(), time.process_time()
    if trace:
        tracemalloc.start()
    with tempfile.TemporaryFile() as stream:
        if eager:  # the ordinary workbook: every cell kept in memory until saved
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.append([str(c.header) for c in cols])
            for row in rows(n):
                sheet.append([xlsx._typed(c.read(row), c.kind) for c in cols])
            book.save(stream)
            count = n
        else:
            count, _cut = xlsx.write(stream, title="季度进展报告", filters="", columns=cols, rows=rows(n), limit=n)
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
        size = stream.tell()
        stream.seek(0)
        while stream.read(65536):  # streamed to the client as FileResponse does
            pass
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": count,
                "eager": eager,
                "peak_mib": peak / 2**20 if trace else None,
                "rss_mib": rss_kib / 1024,
                "file_mib": size / 2**20,
                "seconds": seconds,
                "cpu": cpu,
            }
        )
    )


def measure(n, eager=False):
    """The untraced run (time, peak RSS) and the traced run (Python peak) of one size, each in its own process."""
    plain, traced = (_run(n, eager, trace) for trace in (False, True))
    return {**plain, "peak_mib": traced["peak_mib"]}


def _run(n, eager, trace):
    out = subprocess.run(  # noqa: S603 -- this interpreter running this file
        [sys.executable, __file__, "--child", str(n)] + (["--eager"] if eager else []) + (["--trace"] if trace else []),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline():
    """Peak RSS of a child that only sets Django up (what every run carries before writing a row)."""
    code = (
        "import os,sys,resource;sys.path.insert(0,'.');"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','jiaxing_pilot.settings');"
        "import django;django.setup();import workflow.xlsx, openpyxl;"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    out = subprocess.run(  # noqa: S603 -- this interpreter with the code above
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def table(results, base):
    lines = [
        "| rows | workbook | Python peak (tracemalloc) | process peak RSS | RSS above start-up | file | CPU time "
        "| wall time |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        kind = "ordinary (for comparison)" if r["eager"] else "write-only, `workflow.xlsx.write`"
        lines.append(
            f"| {r['rows']:,} | {kind} | {r['peak_mib']:.1f} MiB | {r['rss_mib']:.1f} MiB | "
            f"{r['rss_mib'] - base:.1f} MiB | {r['file_mib']:.1f} MiB | {r['cpu']:.1f} s | {r['seconds']:.1f} s |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int)
    parser.add_argument("--eager", action="store_true", help="also the ordinary workbook at the smaller size")
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.eager, args.trace)
    base = baseline()
    results = [measure(n) for n in SIZES]
    if args.eager:
        results.append(measure(SIZES[0], eager=True))
    text = table(results, base)
    print(f"start-up (Django set up, openpyxl imported): {base:.1f} MiB peak RSS")
    print(text)
    if args.write:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## Excel exports: memory as rows grow (`bench/export_memory.py`, issue 19)\n\n"
            f"Run of {stamp} on the shared 2-core machine. Each size in its own process; rows from an in-memory "
            f"generator shaped like the report export's rows, written by `workflow.xlsx.write` (openpyxl write-only "
            f"workbook into a temporary file, as every export view does through `export_response`), then read back "
            f"in 64 KiB blocks as `FileResponse` streams it. Start-up alone (Django set up, openpyxl imported): "
            f"{base:.1f} MiB peak RSS.\n\n{text}\n"
        )
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(section)


if __name__ == "__main__":
    main()
