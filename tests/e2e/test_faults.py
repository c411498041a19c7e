"""Fault tests: the real executable when the output cannot be written, the
input goes away, the process is killed mid-write, or a resource limit is
hit. Each must give a clear French message, a non-zero status, no partial
file under a final name, and leave an existing output as it was; every
input's SHA-256 is the same before and after."""
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, run, sha256, tempdir  # noqa: E402

NOBODY = 65534
OLD = b"an existing output that must stay as it was\n"


def input_csv(fixtures):
    """A small Windows-1252 CSV that converts cleanly: the project's own
    fixture, so that these tests run from a bare clone too."""
    return os.path.join(fixtures, "layouts", "encoding-cp1252.csv")


def as_nobody():
    """Drops root so that file permissions apply (root ignores them)."""
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def leftovers(folder, allowed):
    return sorted(f for f in os.listdir(folder) if f not in allowed)


def check_failed(t, what, result, status=2):
    t.equal(result.returncode, status, f"{what}: exit status")
    err = result.stderr.decode("utf-8", "replace")
    t.check("clasconv:" in err and len(err) > 40,
            f"{what}: a message on stderr: {err!r}")
    return err


def test_output_is_directory(t, exe, src, work):
    folder = os.path.join(work, "isdir")
    out = os.path.join(folder, "out.xlsx")
    os.makedirs(out)
    r = run(exe, "convert", src, "-o", out)
    check_failed(t, "output is a folder", r)
    t.check(os.path.isdir(out) and os.listdir(out) == [],
            "output is a folder: the folder is untouched")
    t.equal(leftovers(folder, {"out.xlsx"}), [],
            "output is a folder: nothing else written")


def test_missing_output_folder(t, exe, src, work):
    out = os.path.join(work, "nope", "out.xlsx")
    r = run(exe, "convert", src, "-o", out)
    err = check_failed(t, "missing output folder", r)
    t.check("n'existe pas" in err, f"missing output folder: says so: {err!r}")
    t.check(not os.path.exists(os.path.dirname(out)),
            "missing output folder: not created")


def test_read_only_folder(t, exe, src, work):
    folder = os.path.join(work, "ro")
    os.mkdir(folder)
    out = os.path.join(folder, "out.xlsx")
    with open(out, "wb") as f:
        f.write(OLD)
    copy = os.path.join(work, "ro-input.csv")
    shutil.copy(src, copy)
    os.chmod(copy, 0o644)
    os.chmod(folder, 0o555)
    os.chmod(work, 0o755)
    try:
        pre = as_nobody if os.geteuid() == 0 else None
        r = subprocess.run([exe, "convert", copy, "-o", out],
                           capture_output=True, timeout=60, preexec_fn=pre)
    finally:
        os.chmod(folder, 0o755)
    check_failed(t, "read-only folder", r)
    with open(out, "rb") as f:
        t.equal(f.read(), OLD, "read-only folder: existing output unchanged")
    t.equal(leftovers(folder, {"out.xlsx"}), [],
            "read-only folder: no temporary file left")


def limit_file_size(limit):
    def pre():
        # A write past `limit` bytes fails with EFBIG, as on a full disk.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


def test_disk_full(t, exe, src, work):
    """An injected write failure: RLIMIT_FSIZE makes every write past 2 KB
    fail (EFBIG), in the output and in libxlsxwriter's temporary files."""
    folder = os.path.join(work, "full")
    os.mkdir(folder)
    out = os.path.join(folder, "out.xlsx")
    with open(out, "wb") as f:
        f.write(OLD)
    r = subprocess.run([exe, "convert", src, "-o", out], capture_output=True,
                       timeout=60, preexec_fn=limit_file_size(2048))
    check_failed(t, "write failure (file size limit)", r)
    with open(out, "rb") as f:
        t.equal(f.read(), OLD, "write failure: existing output unchanged")
    t.equal(leftovers(folder, {"out.xlsx"}), [],
            "write failure: no temporary file left")


def test_tmpfs_full(t, exe, src, work):
    """A real full filesystem: a 64 KB tmpfs (needs root; skipped else)."""
    folder = os.path.join(work, "tmpfs")
    os.mkdir(folder)
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder],
            capture_output=True).returncode != 0:
        print("skip: tmpfs full (cannot mount a tmpfs here)")
        return
    try:
        out = os.path.join(folder, "out.xlsx")
        with open(out, "wb") as f:
            f.write(OLD)
        fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096) > 0:
                pass
        except OSError:
            pass
        os.close(fd)
        r = run(exe, "convert", src, "-o", out)
        check_failed(t, "full tmpfs", r)
        with open(out, "rb") as f:
            t.equal(f.read(), OLD, "full tmpfs: existing output unchanged")
        t.equal(leftovers(folder, {"out.xlsx", "filler"}), [],
                "full tmpfs: no temporary file left")
    finally:
        subprocess.run(["umount", folder], capture_output=True)


def test_dev_full(t, exe, src):
    """stdout on a full device: `check --json > /dev/full`."""
    if not os.path.exists("/dev/full"):
        print("skip: /dev/full")
        return
    with open("/dev/full", "wb") as full:
        r = subprocess.run([exe, "check", src, "--json"], stdout=full,
                           stderr=subprocess.PIPE, timeout=60)
    t.check(r.returncode != 0, f"/dev/full: non-zero status ({r.returncode})")
    t.check(b"impossible d'\xc3\xa9crire" in r.stderr,
            f"/dev/full: says it cannot write: {r.stderr!r}")


def test_input_missing_or_unreadable(t, exe, src, work):
    out = os.path.join(work, "gone.xlsx")
    r = run(exe, "convert", os.path.join(work, "gone.csv"), "-o", out)
    check_failed(t, "missing input", r)
    t.check(not os.path.exists(out), "missing input: no output")
    locked = os.path.join(work, "locked.csv")
    shutil.copy(src, locked)
    os.chmod(locked, 0)
    pre = as_nobody if os.geteuid() == 0 else None
    os.chmod(work, 0o777)
    r = subprocess.run([exe, "convert", locked, "-o", out],
                       capture_output=True, timeout=60, preexec_fn=pre)
    os.chmod(work, 0o755)
    check_failed(t, "unreadable input", r)
    t.check(not os.path.exists(out), "unreadable input: no output")
    os.chmod(locked, 0o644)
    r = run(exe, "convert", work, "-o", out)
    check_failed(t, "input is a folder", r)


def big_csv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("Établissement;Étude;CLAS;CLAS dont QPV\n")
        f.write("NIVEAU ELEMENTAIRE\n")
        for i in range(rows):
            f.write(f"EE Jules Ferry {i};{i % 7};{i % 11};{i % 3}\n")


def test_sigkill_during_write(t, exe, work):
    """SIGKILL while the workbook is being written: the final name keeps
    its old content; only a hidden temporary file may stay behind."""
    folder = os.path.join(work, "kill")
    os.mkdir(folder)
    src = os.path.join(work, "kill-input.csv")
    big_csv(src, 60000)
    out = os.path.join(folder, "out.xlsx")
    with open(out, "wb") as f:
        f.write(OLD)
    killed_in_write = False
    for _ in range(3):
        p = subprocess.Popen([exe, "convert", src, "-o", out],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and p.poll() is None:
            if leftovers(folder, {"out.xlsx"}):
                time.sleep(0.02)  # inside the write
                p.send_signal(signal.SIGKILL)
                killed_in_write = True
                break
            time.sleep(0.002)
        p.wait()
        if killed_in_write:
            break
    t.check(killed_in_write, "SIGKILL: the process was caught writing")
    with open(out, "rb") as f:
        t.equal(f.read(), OLD, "SIGKILL: existing output unchanged")
    stray = leftovers(folder, {"out.xlsx"})
    t.check(all(s.startswith(".") for s in stray),
            f"SIGKILL: only hidden temporary files left: {stray}")
    # A later run replaces the output with a complete workbook.
    r = run(exe, "convert", src, "-o", out, timeout=120)
    t.equal(r.returncode, 0, "after SIGKILL: a new run succeeds")
    t.check(zipfile.is_zipfile(out), "after SIGKILL: a complete workbook")


def test_batch_input_vanishing(t, exe, fixtures, work):
    """batch: one input gone between listing and reading (a dangling link),
    one unreadable (mode 000, run as nobody): the others are converted,
    both are reported, status non-zero, no partial file."""
    probe = run(exe, "batch")
    if b"pas encore disponible" in probe.stderr:
        print("skip: batch not available")
        return
    indir = os.path.join(work, "batch-in")
    outdir = os.path.join(work, "batch-out")
    os.makedirs(indir)
    os.makedirs(outdir)
    shutil.copy(input_csv(fixtures), os.path.join(indir, "a.csv"))
    shutil.copy(input_csv(fixtures), os.path.join(indir, "c.csv"))
    os.symlink(os.path.join(indir, "gone.csv"), os.path.join(indir, "b.csv"))
    locked = os.path.join(indir, "d.csv")
    shutil.copy(input_csv(fixtures), locked)
    os.chmod(locked, 0)
    for d in (work, indir, outdir):
        os.chmod(d, 0o777)
    before = {f: sha256(os.path.join(indir, f)) for f in ("a.csv", "c.csv")}
    pre = as_nobody if os.geteuid() == 0 else None
    r = subprocess.run([exe, "batch", indir, outdir, "-j", "2"],
                       capture_output=True, timeout=120, preexec_fn=pre)
    os.chmod(locked, 0o644)
    t.check(r.returncode != 0, f"batch: non-zero status ({r.returncode})")
    out = sorted(os.listdir(outdir))
    t.equal(out, ["a.xlsx", "c.xlsx", "rapport.csv", "synthese.xlsx"],
            "batch: the readable files converted, nothing partial")
    for name in ("a.xlsx", "c.xlsx", "synthese.xlsx"):
        t.check(zipfile.is_zipfile(os.path.join(outdir, name)),
                f"batch: {name} is a complete workbook")
    with open(os.path.join(outdir, "rapport.csv"), encoding="utf-8-sig") as f:
        report = f.read()
    for name in ("b.csv", "d.csv"):
        line = [x for x in report.splitlines() if x.startswith(name + ";")]
        t.check(len(line) == 1 and "Illisible" in line[0],
                f"batch: {name} reported unreadable: {line}")
    for f, h in before.items():
        t.equal(sha256(os.path.join(indir, f)), h, f"batch: {f} unchanged")


def test_limits(t, exe, work):
    """Documented limits, each refused with a French message."""
    out = os.path.join(work, "limit.xlsx")
    cases = []
    big = os.path.join(work, "too-big.csv")
    with open(big, "wb") as f:
        f.truncate((200 << 20) + 1)  # sparse: 200 MiB + 1 byte
    cases.append(("file size", big, "au plus 200 Mo"))
    wide = os.path.join(work, "cells.csv")
    with open(wide, "w") as f:
        line = "1;" * 2100 + "\n"
        for _ in range(2000):
            f.write(line)
    cases.append(("cells", wide, "trop volumineux"))
    long_text = os.path.join(work, "long.csv")
    with open(long_text, "w") as f:
        f.write("Établissement;CLAS\n" + "x" * 40000 + ";3\n")
    cases.append(("string length", long_text, "trop long"))
    bomb = os.path.join(work, "bomb.xlsx")
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", " " * (8 << 20))
    cases.append(("inflated bytes", bomb, "bombe de décompression"))
    for what, path, words in cases:
        before = sha256(path)
        # CPU time of the child, not wall time: the suite runs in parallel
        # on loaded machines, where wall time says nothing about the tool.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = run(exe, "convert", path, "-o", out)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        took = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        err = check_failed(t, f"limit {what}", r)
        t.check(words in err, f"limit {what}: message has {words!r}: {err!r}")
        t.check(not os.path.exists(out), f"limit {what}: no output")
        t.check(took < 10, f"limit {what}: refused quickly ({took:.1f} s CPU)")
        t.equal(sha256(path), before, f"limit {what}: input unchanged")
        os.remove(path)


def main():
    args = parse_args()
    t = Checker("faults")
    exe = os.path.abspath(args.exe)
    with tempdir() as work:
        os.chmod(work, 0o755)
        src = os.path.join(work, "input.csv")
        shutil.copy(input_csv(args.fixtures), src)
        before = sha256(src)
        test_output_is_directory(t, exe, src, work)
        test_missing_output_folder(t, exe, src, work)
        test_read_only_folder(t, exe, src, work)
        test_disk_full(t, exe, src, work)
        test_tmpfs_full(t, exe, src, work)
        test_dev_full(t, exe, src)
        test_input_missing_or_unreadable(t, exe, src, work)
        test_sigkill_during_write(t, exe, work)
        test_batch_input_vanishing(t, exe, args.fixtures, work)
        test_limits(t, exe, work)
        t.equal(sha256(src), before, "input SHA-256 unchanged by every test")
        t.equal(sha256(input_csv(args.fixtures)), before,
                "fixture SHA-256 unchanged")
    t.finish()


if __name__ == "__main__":
    main()
