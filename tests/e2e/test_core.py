"""Core behaviours seen through the real executable: the one blank set
(zero-width characters around a count), French system messages, and the
atomic output that only ever replaces a regular file."""
import json
import os
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, run, tempdir


def blank_set(t, exe, fixtures):
    path = os.path.join(fixtures, "csv", "zero-width-count.csv")
    r = run(exe, "check", "--json", path)
    doc = json.loads(r.stdout)
    codes = [a["code"] for a in doc["anomalies"]]
    t.check("VALUE_NOT_A_NUMBER" not in codes,
            f"zero-width blanks are not text: {codes}")
    counts = doc["rows"][0]["counts"]
    t.equal(counts["ETUDE"], 12, "12 followed by U+200B reads 12")
    t.equal(counts["ECOLE_OUVERTE"], 3, "U+FEFF then 3 reads 3")
    t.equal(counts["CLAS"], 7, "U+3000, 7, U+2060 reads 7")


ENGLISH = ("No such file", "Permission denied", "Not a directory",
           "Is a directory", "No space left", "Read-only file system",
           "File exists", "[ERROR]")


def french_messages(t, exe, fixtures):
    demo = os.path.join(fixtures, "csv", "zero-width-count.csv")
    with tempdir() as tmp:
        cases = [
            ("missing input", ["convert", os.path.join(tmp, "absent.csv")]),
            ("missing input (check)", ["check", os.path.join(tmp, "no.xlsx")]),
            ("output in a missing folder",
             ["convert", demo, "-o", os.path.join(tmp, "none", "o.xlsx")]),
            ("html report in a missing folder",
             ["check", demo, "--html", os.path.join(tmp, "none", "r.html")]),
            ("batch from a missing folder",
             ["batch", os.path.join(tmp, "none"), tmp]),
        ]
        for what, argv in cases:
            r = run(exe, *argv)
            # check prints its one message in the report, on stdout.
            err = r.stderr.decode("utf-8") + r.stdout.decode("utf-8")
            t.check(r.returncode != 0, f"{what}: fails ({r.returncode})")
            t.check(err.strip() != "", f"{what}: says why")
            for english in ENGLISH:
                t.check(english not in err,
                        f"{what}: no English system text: {err!r}")
            t.check("introuvable" in err or "n'existe pas" in err,
                    f"{what}: French reason: {err!r}")


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def only_regular_files(t, exe, fixtures):
    demo = os.path.join(fixtures, "csv", "zero-width-count.csv")
    with tempdir() as tmp:
        fifo = os.path.join(tmp, "tube.xlsx")
        os.mkfifo(fifo)
        link = os.path.join(tmp, "null.xlsx")
        os.symlink("/dev/null", link)
        cases = [("convert -o FIFO", ["convert", demo, "-o", fifo], fifo),
                 ("check --html FIFO", ["check", demo, "--html", fifo], fifo),
                 ("convert -o link to /dev/null",
                  ["convert", demo, "-o", link], link),
                 ("template -o link to /dev/null",
                  ["template", "-o", link], link)]
        for what, argv, target in cases:
            r = run(exe, *argv, timeout=20)
            err = r.stderr.decode("utf-8")
            t.equal(r.returncode, 2, f"{what}: refused")
            t.check("pas un fichier ordinaire" in err,
                    f"{what}: French reason: {err!r}")
        t.check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is kept")
        t.check(os.path.islink(link), "the link is kept")
        t.check(stat.S_ISCHR(os.stat("/dev/null").st_mode),
                "/dev/null is still a device")
        t.equal(sorted(os.listdir(tmp)), ["null.xlsx", "tube.xlsx"],
                "no temporary file left")


def stale_temporaries(t, exe, fixtures):
    demo = os.path.join(fixtures, "csv", "zero-width-count.csv")
    with tempdir() as tmp:
        dead = os.path.join(tmp, f".out.xlsx.clasconv-{dead_pid()}-Ab12Cd")
        old = os.path.join(tmp, f".x.html.clasconv-{os.getpid()}-Zz98Yy")
        live = os.path.join(tmp, f".y.xlsx.clasconv-{os.getpid()}-Qq11Ww")
        for path in (dead, old, live):
            with open(path, "wb") as f:
                f.write(b"PK partial")
        past = time.time() - 3600
        os.utime(old, (past, past))
        out = os.path.join(tmp, "out.xlsx")
        r = run(exe, "convert", demo, "-o", out)
        t.equal(r.returncode, 0, f"convert beside stale files: {r.stderr!r}")
        t.check(not os.path.exists(dead), "a killed run's temporary removed")
        t.check(not os.path.exists(old), "an old temporary removed")
        t.check(os.path.exists(live), "a live run's temporary kept")
        t.equal(sorted(os.listdir(tmp)),
                sorted(["out.xlsx", os.path.basename(live)]),
                "only the workbook and the live temporary")


def killed_run(t, exe):
    """kill -9 during the write: the next run in that folder cleans up."""
    with tempdir() as tmp:
        src = os.path.join(tmp, "grand.csv")
        with open(src, "w", encoding="utf-8") as f:
            f.write("Établissement;Étude;École ouverte;Accompagnement "
                    "éducatif;Stage de réussite;PRE;PRE dont QPV;CLAS;"
                    "CLAS dont QPV;AUTRE (PRECISER)\n")
            for i in range(40000):
                f.write(f"École élémentaire N{i};{i % 7};;;;;;;;\n")
        p = subprocess.Popen([exe, "convert", src, "-o",
                              os.path.join(tmp, "out.xlsx")],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and p.poll() is None and not any(
                ".clasconv-" in n for n in os.listdir(tmp)):
            time.sleep(0.005)
        if p.poll() is not None:
            print("SKIP kill -9: the conversion ended before its write")
            return
        p.kill()
        p.wait()
        left = [n for n in os.listdir(tmp) if ".clasconv-" in n]
        if not left and os.path.exists(os.path.join(tmp, "out.xlsx")):
            # the rename won the race against the signal (loaded machine)
            print("SKIP kill -9: the conversion renamed its output first")
            return
        t.equal(len(left), 1, f"kill -9 leaves its temporary: {left}")
        r = run(exe, "convert", src, "-o", os.path.join(tmp, "out2.xlsx"),
                timeout=120)
        t.equal(r.returncode, 0, "the next run converts")
        t.equal(sorted(os.listdir(tmp)), ["grand.csv", "out2.xlsx"],
                "the next run removed the killed run's temporary")


def main():
    args = parse_args()
    t = Checker("core")
    blank_set(t, args.exe, args.fixtures)
    french_messages(t, args.exe, args.fixtures)
    only_regular_files(t, args.exe, args.fixtures)
    stale_temporaries(t, args.exe, args.fixtures)
    killed_run(t, args.exe)
    t.finish()


if __name__ == "__main__":
    main()
