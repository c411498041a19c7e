"""Bounded work: small hostile files (generated here by hostile.py, nothing
committed) must cost time and memory in proportion to a baseline run of an
ordinary file measured in the same test, never minutes or gigabytes.

Bounds are ratios to the baseline (CPU time of the child, its peak RSS), not
absolute times, so that a loaded machine or a sanitizer build does not make
the test flaky."""
import collections
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Checker, have_samples, parse_args,  # noqa: E402
                    samples_absent, tempdir)
import hostile  # noqa: E402
from hostile import MIB  # noqa: E402


Run = collections.namedtuple("Run", "code out out_size err cpu rss")
OUT_KEPT = 1 << 20  # bytes of stdout kept: the rest is only counted


def measure(exe, *args, timeout=300, preexec=None):
    """Runs exe; returns its status, the first OUT_KEPT bytes of its stdout
    and that output's size, its stderr, and the CPU seconds and peak RSS
    (bytes) of that child alone (os.wait4). A child's peak RSS starts at its
    parent's when it is spawned, so this process never holds a big output."""
    with tempdir() as work:
        out_path = os.path.join(work, "out")
        err_path = os.path.join(work, "err")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([exe, *args], stdout=out, stderr=err,
                                    preexec_fn=preexec)
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        with open(out_path, "rb") as f:
            stdout = f.read(OUT_KEPT)
        with open(err_path, "rb") as f:
            stderr = f.read(OUT_KEPT).decode("utf-8", "replace")
        size = os.path.getsize(out_path)
    # `check` tells an unreadable file on stdout, in its report, and says
    # nothing on stderr: the message is looked for in both.
    stderr += stdout[:1 << 16].decode("utf-8", "replace")
    return Run(proc.returncode, stdout, size, stderr,
               usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def test_xml_token(t, exe, work):
    """One huge token (attribute value, comment, processing instruction, tag
    name) used to cost time in the square of its length (expat rescans an
    unfinished token on every chunk fed): 16 MiB took 2-4 s, 64 MiB over a
    minute. Now refused past CLASCONV_XML_MAX_TOKEN (1 MiB), cheaper than
    parsing the same number of bytes of ordinary markup."""
    for fmt in ("xlsx", "ods", "docx"):
        base = os.path.join(work, f"benign.{fmt}")
        hostile.token_file(base, fmt, "benign", 16 * MIB)
        b = measure(exe, "check", base)
        t.check("seul tenant" not in b.err,
                f"{fmt} baseline is not refused: {b.err[:200]!r}")
        for kind in ("attr", "comment", "pi", "name"):
            path = os.path.join(work, f"{kind}.{fmt}")
            hostile.token_file(path, fmt, kind, 16 * MIB)
            r = measure(exe, "check", path)
            what = f"{fmt} 16 MiB {kind}"
            t.equal(r.code, 2, f"{what}: status")
            t.check("seul tenant" in r.err and "1 Mio" in r.err,
                    f"{what}: French message: {r.err[:300]!r}")
            t.check(r.cpu <= 0.5 * b.cpu + 0.02,
                    f"{what}: CPU {r.cpu:.3f} s vs baseline {b.cpu:.3f} s")
            t.check(r.rss <= 1.5 * b.rss + (16 << 20),
                    f"{what}: RSS {r.rss >> 20} MiB vs baseline "
                    f"{b.rss >> 20} MiB")
            os.remove(path)
        # A long but plausible token (just under the limit) is still read.
        path = os.path.join(work, f"long.{fmt}")
        hostile.token_file(path, fmt, "attr", MIB - 65536)
        r = measure(exe, "check", path)
        t.check("seul tenant" not in r.err,
                f"{fmt} 960 KiB token read: {r.err[:200]!r}")
        t.equal(r.code, b.code, f"{fmt} 960 KiB token: status as baseline")
        os.remove(path)
        os.remove(base)
    # The worst case: 200 MiB in a 1.3 MB .xlsx, < 256 MiB, and
    # cheaper than the 16 MiB baseline.
    base = os.path.join(work, "benign.xlsx")
    hostile.token_file(base, "xlsx", "benign", 16 * MIB)
    b = measure(exe, "check", base)
    path = os.path.join(work, "huge.xlsx")
    hostile.token_file(path, "xlsx", "attr", 200 * MIB)
    t.check(os.path.getsize(path) < 1600000, "200 MiB token in < 1.6 MB")
    r = measure(exe, "convert", path, "-o", os.path.join(work, "huge.out"))
    t.equal(r.code, 2, "200 MiB token: status")
    t.check("seul tenant" in r.err, f"200 MiB token: message {r.err[:200]!r}")
    t.check(r.cpu <= 0.5 * b.cpu + 0.02,
            f"200 MiB token: CPU {r.cpu:.3f} s vs baseline {b.cpu:.3f} s")
    t.check(r.rss < (256 << 20) and r.rss <= 1.5 * b.rss + (16 << 20),
            f"200 MiB token: RSS {r.rss >> 20} MiB (baseline {b.rss >> 20})")
    os.remove(path)
    os.remove(base)


def test_docx_vmerge(t, exe, work):
    """Each w:vMerge continue cell used to search the open merges one by
    one (16,384 open merges x 20 rows: 2-4 s against 0.3 s for as many
    plain cells); now a table indexed by column makes it constant time."""
    base = os.path.join(work, "plain.docx")
    hostile.vmerge_docx(base, 16384, 20, merged=False)
    b = measure(exe, "check", base)
    path = os.path.join(work, "vmerge.docx")
    hostile.vmerge_docx(path, 16384, 20)
    r = measure(exe, "check", path)
    t.equal(r.code, b.code, "vMerge docx: same status as the plain one")
    t.check(r.cpu <= 2 * b.cpu + 0.05,
            f"vMerge docx: CPU {r.cpu:.3f} s vs baseline {b.cpu:.3f} s")
    t.check(r.rss <= 1.5 * b.rss + (16 << 20),
            f"vMerge docx: RSS {r.rss >> 20} MiB vs {b.rss >> 20} MiB")
    # Continue cells create no grid cell, yet they count: 2 x 600,000 of
    # them are refused (the limit is 1,000,000 cells).
    hostile.vmerge_docx(path, 2, 600000)
    r = measure(exe, "check", path)
    t.equal(r.code, 2, "1.2 M continue cells: status")
    t.check("dépassent 1000000 cellules" in " ".join(r.err.split()),
            f"1.2 M continue cells: message {r.err[:300]!r}")
    # A 3 x 600 merged table reads: one merge per column, rows 1 to 600.
    hostile.vmerge_docx(path, 3, 600)
    r = measure(exe, "dump", path)
    merges = sorted(line for line in r.out.decode().splitlines()
                    if line.startswith("fusion"))
    t.equal(merges, [f"fusion\ttableau 1, ligne 1, colonne {c}\t"
                     f"tableau 1, ligne 600, colonne {c}" for c in (1, 2, 3)],
            "3 x 600 merged docx: merges")
    os.remove(path)
    os.remove(base)


def test_amplification(t, exe, work):
    """Unknown columns listed 20 values each prefixed by a 32 KB school
    name, and every anomaly copied the name: a 654 KB CSV made `check` use
    634 MB and `check --json` 823 MB (385 MB printed). Now texts are cut
    and each code lists 200 anomalies, then one summary."""
    out = os.path.join(work, "out.xlsx")
    cases = []
    base = os.path.join(work, "known.csv")
    hostile.unknown_columns_csv(base, unknown=0)
    path = os.path.join(work, "unknown.csv")
    hostile.unknown_columns_csv(path, unknown=300)
    cases.append(("300 unknown columns", base, path, "et 100 autres"))
    base2 = os.path.join(work, "numbers.csv")
    hostile.anomalies_csv(base2, rows=300, word="1")
    path2 = os.path.join(work, "nc.csv")
    hostile.anomalies_csv(path2, rows=300)
    cases.append(("2,700 « NC » with 32 KB names", base2, path2,
                  "et 2500 autres"))
    for what, base, path, marker in cases:
        size = os.path.getsize(path)
        for args in (["check"], ["check", "--json"],
                     ["convert", "-o", out]):
            name = f"{what}, {' '.join(args[:2])}"
            b = measure(exe, args[0], base, *args[1:])
            r = measure(exe, args[0], path, *args[1:])
            t.check(r.code in (0, 1),
                    f"{name}: read (status {r.code}) {r.err[:200]!r}")
            t.check(r.rss <= 2 * b.rss + (16 << 20),
                    f"{name}: RSS {r.rss >> 20} MiB vs baseline "
                    f"{b.rss >> 20} MiB")
            produced = r.out_size
            if args[0] == "convert":
                produced = os.path.getsize(out)
            t.check(produced <= 3 * size + (1 << 20),
                    f"{name}: output {produced} bytes for {size} read")
        r = measure(exe, "check", path)
        text = r.out.decode("utf-8", "replace")
        t.check(marker in text, f"{what}: {marker!r} in the report")
        t.check("caractères de plus" in text, f"{what}: long names cut")


def test_time_limit(t, exe, work):
    """convert, check and dump stop after --delai S seconds (default 60)
    with a French message and status 2; no workbook is left."""
    slow = os.path.join(work, "slow.xlsx")
    hostile.token_file(slow, "xlsx", "benign", 200 * MIB)  # several seconds
    out = os.path.join(work, "slow-out.xlsx")
    for args in (["convert", "--delai", "1", slow, "-o", out],
                 ["check", slow, "--delai", "1"],
                 ["dump", "--delai", "1", slow]):
        start = time.monotonic()
        r = measure(exe, *args)
        took = time.monotonic() - start
        what = f"{args[0]} --delai 1"
        t.equal(r.code, 2, f"{what}: status")
        t.check("n'était pas fini après 1 s" in r.err and "--delai" in r.err,
                f"{what}: French message {r.err[:300]!r}")
        # the child's own CPU stays near the limit (wall time may not, on a
        # loaded machine)
        t.check(r.cpu < 1.5, f"{what}: stopped after {r.cpu:.2f} s of CPU "
                f"({took:.2f} s)")
        t.check(not os.path.exists(out), f"{what}: no workbook")
    for bad in ("x", "-1", "86401", ""):
        r = measure(exe, "check", "--delai", bad, slow)
        t.equal(r.code, 64, f"--delai {bad!r}: usage error")
        t.check("--delai" in r.err, f"--delai {bad!r}: message {r.err!r}")
    os.remove(slow)


def test_end_of_options(t, exe, work):
    """« -- » ends the options: a file named like an option is read."""
    odd = os.path.join(work, "--json")
    with open(odd, "w", encoding="utf-8") as f:
        f.write("Établissement;CLAS\nÉcole A;3\n")
    os.chdir(work)
    try:
        r = measure(exe, "check", "--", "--json")
        t.check(r.code in (0, 1), f"check -- --json: read ({r.err!r})")
        t.check(b"Fichier         : --json" in r.out,
                f"check -- --json: the file was read: {r.out[:200]!r}")
        r = measure(exe, "convert", "-o", "out.xlsx", "--", "--json")
        t.check(r.code in (0, 1) and os.path.exists("out.xlsx"),
                f"convert -- --json: written ({r.err!r})")
        r = measure(exe, "check", "--json", "--", "--json", "x")
        t.equal(r.code, 64, "check -- with two files: usage error")
        os.mkdir("--in")
        os.mkdir("--out")
        os.rename(odd, os.path.join("--in", "a.csv"))
        r = measure(exe, "batch", "--", "--in", "--out")
        t.check(r.code in (0, 1) and os.path.exists("--out/a.xlsx"),
                f"batch -- --in --out: converted ({r.err[:300]!r})")
        r = measure(exe, "template", "-o", "modele.xlsx", "--")
        t.equal(r.code, 0, f"template -- : accepted ({r.err!r})")
    finally:
        os.chdir("/")


def test_zip64(t, exe, samples, work):
    """A standard zip64 file (sizes 0xFFFFFFFF with the real ones in the
    zip64 field) used to be refused (« annonce 4294967295 octets »); it
    reads as its ordinary copy does, CRC and size still checked."""
    if not have_samples(samples):
        print("SKIP: " + samples_absent("zip64 copies of the samples"))
        return
    for folder, ext in (("p02-onerow-xlsx-vaulx-en-velin", ".xlsx"),
                        ("p04-form-ods-saint-priest", ".ods"),
                        ("p09-form-docx-saint-fons", ".docx")):
        src_dir = os.path.join(samples, folder)
        src = next(os.path.join(src_dir, f) for f in os.listdir(src_dir)
                   if f.endswith(ext))
        want = measure(exe, "check", "--json", src)
        os.makedirs(os.path.join(work, "zip64"), exist_ok=True)
        # same name: the commune is read from it
        path = os.path.join(work, "zip64", os.path.basename(src))
        for stored in (False, True):
            hostile.zip64_copy(src, path, stored=stored)
            got = measure(exe, "check", "--json", path)
            what = f"zip64 {'stored' if stored else 'deflated'} {ext}"
            t.equal(got.code, want.code, f"{what}: status ({got.err[:200]!r})")
            strip = re.compile(rb'"sha256":"[^"]*"')
            t.check(strip.sub(b"", got.out) == strip.sub(b"", want.out),
                    f"{what}: same JSON as the ordinary file")
        hostile.zip64_copy(src, path, bad_crc=True)
        got = measure(exe, "check", path)
        t.equal(got.code, 2, f"zip64 {ext} with bad CRCs: refused")
        t.check("CRC" in got.err, f"zip64 {ext} bad CRC: {got.err[:200]!r}")
        os.remove(path)


def test_terminal_escapes(t, exe, work):
    """File names and cell texts reach the terminal with their control
    characters escaped (\\x1b...), in dump, check, errors and batch."""
    folder = os.path.join(work, "esc")
    os.makedirs(os.path.join(folder, "in"))
    name = os.path.join(folder, "in", "\x1b]0;titre\x07\x1b[2J.csv")
    with open(name, "wb") as f:
        f.write("Établissement;CLAS\n\x1b[31mÉcole\x1b[0m A;3\n"
                "\u009bX;2\n".encode("utf-8"))
    runs = {
        "dump": measure(exe, "dump", name),
        "check": measure(exe, "check", name),
        "check --json": measure(exe, "check", "--json", name),
        "error": measure(exe, "check", name + ".absent"),
        "batch": measure(exe, "batch", os.path.join(folder, "in"),
                         os.path.join(folder, "out")),
    }
    for what, r in runs.items():
        text = r.out + r.err.encode("utf-8")
        t.check(b"\x1b" not in text and "\u009b".encode() not in text
                and b"\x07" not in text,
                f"{what}: no raw control character: {text[:300]!r}")
    t.check(b"\\x1b[31m" in runs["dump"].out and b"\\x9bX" in runs["dump"].out,
            f"dump: escapes shown: {runs['dump'].out!r}")
    t.check("\\x1b]0;titre\\x07" in runs["error"].err,
            f"error: file name escaped: {runs['error'].err!r}")


def test_writer_messages_french(t, exe, samples, work):
    """When the workbook cannot be written (here a 2 KB file size limit),
    libxlsxwriter's English « [ERROR] » lines no longer reach the user."""
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    src_dir = os.path.join(samples, "p02-onerow-xlsx-vaulx-en-velin")
    if not os.path.isdir(src_dir):  # bare clone: the project's own example
        src_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "..", "..", "fixtures", "demo")
    src = os.path.join(src_dir, sorted(f for f in os.listdir(src_dir)
                                       if f.endswith((".xlsx", ".csv")))[0])
    r = measure(exe, "convert", src, "-o", os.path.join(work, "full.xlsx"),
                preexec=small_files)
    t.equal(r.code, 2, "write failure: status")
    t.check("[ERROR]" not in r.err and "Error" not in r.err,
            f"write failure: no English line: {r.err!r}")
    t.check("Impossible d'écrire" in r.err,
            f"write failure: French message: {r.err!r}")


def test_too_many_sheets(t, exe, work):
    """Over 512 sheets (or tables) is told as such, not as a sheet over the
    row, column and cell limits; 512 still read."""
    for fmt in ("xlsx", "ods", "docx"):
        path = os.path.join(work, f"sheets.{fmt}")
        hostile.many_sheets(path, fmt, 513)
        r = measure(exe, "check", path)
        t.equal(r.code, 2, f"513 sheets {fmt}: status")
        t.check("plus de 512 feuilles" in r.err and "lignes" not in r.err,
                f"513 sheets {fmt}: message {r.err[:300]!r}")
        hostile.many_sheets(path, fmt, 512)
        r = measure(exe, "check", path)
        t.check("512 feuilles" not in r.err and "trop grand" not in r.err,
                f"512 sheets {fmt}: read ({r.err[:200]!r})")
        os.remove(path)


def main():
    args = parse_args()
    t = Checker("bounded")
    exe = os.path.abspath(args.exe)
    samples = os.path.abspath(args.samples)
    with tempdir() as work:
        test_xml_token(t, exe, work)
        test_docx_vmerge(t, exe, work)
        test_amplification(t, exe, work)
        test_time_limit(t, exe, work)
        test_end_of_options(t, exe, work)
        test_zip64(t, exe, samples, work)
        test_terminal_escapes(t, exe, work)
        test_writer_messages_french(t, exe, samples, work)
        test_too_many_sheets(t, exe, work)
    t.finish()


if __name__ == "__main__":
    main()
