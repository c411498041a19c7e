"""Core behaviours seen through the real executable: the one blank set
(zero-width characters around a count), French system messages, and the
atomic output that only ever replaces a regular file."""
import json
import os
import sys

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
            err = r.stderr.decode("utf-8")
            t.check(r.returncode != 0, f"{what}: fails ({r.returncode})")
            t.check(err.strip() != "", f"{what}: says why")
            for english in ENGLISH:
                t.check(english not in err,
                        f"{what}: no English system text: {err!r}")
            t.check("introuvable" in err or "n'existe pas" in err,
                    f"{what}: French reason: {err!r}")


def main():
    args = parse_args()
    t = Checker("core")
    blank_set(t, args.exe, args.fixtures)
    french_messages(t, args.exe, args.fixtures)
    t.finish()


if __name__ == "__main__":
    main()
