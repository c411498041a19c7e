"""Bounded work: small hostile files (generated here by hostile.py, nothing
committed) must cost time and memory in proportion to a baseline run of an
ordinary file measured in the same test, never minutes or gigabytes.

Bounds are ratios to the baseline (CPU time of the child, its peak RSS), not
absolute times, so that a loaded machine or a sanitizer build does not make
the test flaky."""
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, parse_args, tempdir  # noqa: E402
import hostile  # noqa: E402
from hostile import MIB  # noqa: E402


def measure(exe, *args, timeout=300):
    """Runs exe; returns (status, stdout, stderr, CPU seconds, peak RSS in
    bytes) of that child alone (os.wait4)."""
    with tempdir() as work:
        out_path = os.path.join(work, "out")
        err_path = os.path.join(work, "err")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([exe, *args], stdout=out, stderr=err)
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        with open(out_path, "rb") as f:
            stdout = f.read()
        with open(err_path, "rb") as f:
            stderr = f.read().decode("utf-8", "replace")
    return (proc.returncode, stdout, stderr, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss * 1024)


def test_xml_token(t, exe, work):
    """One huge token (attribute value, comment, processing instruction, tag
    name) used to cost time in the square of its length (expat rescans an
    unfinished token on every chunk fed): 16 MiB took 2-4 s, 64 MiB over a
    minute. Now refused past CLASCONV_XML_MAX_TOKEN (1 MiB), cheaper than
    parsing the same number of bytes of ordinary markup."""
    for fmt in ("xlsx", "ods", "docx"):
        base = os.path.join(work, f"benign.{fmt}")
        hostile.token_file(base, fmt, "benign", 16 * MIB)
        b_code, _, b_err, b_cpu, b_rss = measure(exe, "check", base)
        t.check("seul tenant" not in b_err,
                f"{fmt} baseline is not refused: {b_err[:200]!r}")
        for kind in ("attr", "comment", "pi", "name"):
            path = os.path.join(work, f"{kind}.{fmt}")
            hostile.token_file(path, fmt, kind, 16 * MIB)
            code, _, err, cpu, rss = measure(exe, "check", path)
            what = f"{fmt} 16 MiB {kind}"
            t.equal(code, 2, f"{what}: status")
            t.check("seul tenant" in err and "1 Mio" in err,
                    f"{what}: French message: {err[:300]!r}")
            t.check(cpu <= 0.5 * b_cpu + 0.02,
                    f"{what}: CPU {cpu:.3f} s vs baseline {b_cpu:.3f} s")
            t.check(rss <= 1.5 * b_rss + (16 << 20),
                    f"{what}: RSS {rss >> 20} MiB vs baseline "
                    f"{b_rss >> 20} MiB")
            os.remove(path)
        # A long but plausible token (just under the limit) is still read.
        path = os.path.join(work, f"long.{fmt}")
        hostile.token_file(path, fmt, "attr", MIB - 65536)
        code, _, err, _, _ = measure(exe, "check", path)
        t.check("seul tenant" not in err, f"{fmt} 960 KiB token read: "
                f"{err[:200]!r}")
        t.equal(code, b_code, f"{fmt} 960 KiB token: status as baseline")
        os.remove(path)
        os.remove(base)
    # The worst case: 200 MiB in a 1.3 MB .xlsx, < 256 MiB, and
    # cheaper than the 16 MiB baseline.
    base = os.path.join(work, "benign.xlsx")
    hostile.token_file(base, "xlsx", "benign", 16 * MIB)
    _, _, _, b_cpu, b_rss = measure(exe, "check", base)
    path = os.path.join(work, "huge.xlsx")
    hostile.token_file(path, "xlsx", "attr", 200 * MIB)
    t.check(os.path.getsize(path) < 1600000, "200 MiB token in < 1.6 MB")
    code, _, err, cpu, rss = measure(exe, "convert", path, "-o",
                                     os.path.join(work, "huge-out.xlsx"))
    t.equal(code, 2, "200 MiB token: status")
    t.check("seul tenant" in err, f"200 MiB token: message {err[:200]!r}")
    t.check(cpu <= 0.5 * b_cpu + 0.02,
            f"200 MiB token: CPU {cpu:.3f} s vs baseline {b_cpu:.3f} s")
    t.check(rss < (256 << 20) and rss <= 1.5 * b_rss + (16 << 20),
            f"200 MiB token: RSS {rss >> 20} MiB (baseline {b_rss >> 20})")


def test_docx_vmerge(t, exe, work):
    """Each w:vMerge continue cell used to search the open merges one by
    one (16,384 open merges x 20 rows: 4 s against 0.3 s for as many plain
    cells); now a table indexed by column makes it constant time."""
    base = os.path.join(work, "plain.docx")
    hostile.vmerge_docx(base, 16384, 20, merged=False)
    b_code, _, _, b_cpu, b_rss = measure(exe, "check", base)
    path = os.path.join(work, "vmerge.docx")
    hostile.vmerge_docx(path, 16384, 20)
    code, _, err, cpu, rss = measure(exe, "check", path)
    t.equal(code, b_code, "vMerge docx: same status as the plain one")
    t.check(cpu <= 2 * b_cpu + 0.05,
            f"vMerge docx: CPU {cpu:.3f} s vs baseline {b_cpu:.3f} s")
    t.check(rss <= 1.5 * b_rss + (16 << 20),
            f"vMerge docx: RSS {rss >> 20} MiB vs {b_rss >> 20} MiB")
    # Continue cells create no grid cell, yet they count: 2 x 600,000 of
    # them are refused (the limit is 1,000,000 cells).
    hostile.vmerge_docx(path, 2, 600000)
    code, _, err, cpu, _ = measure(exe, "check", path)
    t.equal(code, 2, "1.2 M continue cells: status")
    t.check("dépassent 1000000 cellules" in err,
            f"1.2 M continue cells: message {err[:300]!r}")
    # A 3 x 600 merged table reads: one merge per column, rows 1 to 600.
    hostile.vmerge_docx(path, 3, 600)
    code, out, err, _, _ = measure(exe, "dump", path)
    merges = sorted(line for line in out.decode().splitlines()
                    if line.startswith("fusion"))
    t.equal(merges, [f"fusion\ttableau 1, ligne 1, colonne {c}\t"
                     f"tableau 1, ligne 600, colonne {c}" for c in (1, 2, 3)],
            "3 x 600 merged docx: merges")
    os.remove(path)
    os.remove(base)


def main():
    args = parse_args()
    t = Checker("bounded")
    exe = os.path.abspath(args.exe)
    with tempdir() as work:
        test_xml_token(t, exe, work)
        test_docx_vmerge(t, exe, work)
    t.finish()


if __name__ == "__main__":
    main()
