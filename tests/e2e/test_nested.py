"""The CLAS table nested in a layout table's cell (a commune's logo beside
the form), as .docx and .odt (fixtures/nested, scripts/gen-nested-fixtures):
`check --json` finds it in sheet « tableau 1.1 » with the same schools,
counts, totals and anomalies as the same table at the top level; hostile
nestings end with a message, never a crash."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, run

# The table of scripts/gen-nested-fixtures, as check reads it.
WANT_ROWS = [
    ("ELEMENTAIRE", "École élémentaire Jules Ferry", 2,
     [12, None, None, None, None, None, 10, 4, None]),
    ("ELEMENTAIRE", "École maternelle Anne Frank", 3,
     [None, None, None, None, 3, 1, 8, None, None]),
    ("COLLEGE", "Collège Jean Moulin", 4,
     [20, None, 15, None, None, None, 12, 12, None]),
]


def check_json(t, exe, path, status):
    r = run(exe, "check", path, "--json")
    name = os.path.basename(path)
    t.equal(r.returncode, status, f"{name}: exit status "
            f"({r.stderr.decode('utf-8', 'replace').strip()})")
    try:
        return json.loads(r.stdout)
    except ValueError:
        t.check(False, f"{name}: JSON on stdout")
        return None


def main():
    args = parse_args()
    t = Checker("nested")
    folder = os.path.join(args.fixtures, "nested")
    for ext in ("docx", "odt"):
        flat = check_json(t, args.exe, os.path.join(folder, "form-flat." + ext), 0)
        got = check_json(t, args.exe, os.path.join(folder, "form-nested." + ext), 0)
        if flat is None or got is None:
            continue
        t.equal(got["format"], ext, f"{ext}: format")
        t.equal(got["sheet"], "tableau 1.1", f"{ext}: table found nested")
        t.equal(got["sheets"], ["tableau 1.1"], f"{ext}: sheets read")
        t.equal(flat["sheet"], "tableau 1", f"{ext}: flat form's table")
        t.equal(got["commune"], "Nestville", f"{ext}: commune from the form")
        rows = [(r["level"], r["school"], r["cell"], list(r["counts"].values()))
                for r in got["rows"]]
        t.equal(rows, [(lv, school, f"tableau 1.1, ligne {line}, colonne 1",
                        counts) for lv, school, line, counts in WANT_ROWS],
                f"{ext}: schools, counts and cells")
        t.equal([(r["school"], r["counts"]) for r in got["rows"]],
                [(r["school"], r["counts"]) for r in flat["rows"]],
                f"{ext}: rows as the flat form")
        t.equal(got["totals"], flat["totals"], f"{ext}: totals as the flat form")
        t.equal(got["totals"]["ALL"]["schools"], 3, f"{ext}: 3 schools")
        t.equal(got["totals"]["ALL"]["CLAS"], 30, f"{ext}: 30 in CLAS")
        t.equal(got["totals"]["ALL"]["CLAS_QPV"], 16, f"{ext}: 16 CLAS QPV")
        codes = lambda d: [(a["code"], (a["cell"] or "").replace("tableau 1.1",
                                                                 "tableau 1"))
                           for a in d["anomalies"]]
        t.equal(codes(got), codes(flat), f"{ext}: anomalies as the flat form")
        t.check(all(a["code"] != "TABLE_NOT_FOUND" for a in got["anomalies"]),
                f"{ext}: no TABLE_NOT_FOUND")
        # hostile: 60 levels deep (8 read as sheets), 600 tables in a cell
        deep = check_json(t, args.exe,
                          os.path.join(folder, "hostile-deep." + ext), 2)
        if deep is not None:
            t.equal([a["code"] for a in deep["anomalies"]], ["TABLE_NOT_FOUND"],
                    f"{ext}: deep nesting read, no table in it")
        wide = check_json(t, args.exe,
                          os.path.join(folder, "hostile-wide." + ext), 2)
        if wide is not None:
            t.equal([a["code"] for a in wide["anomalies"]], ["FILE_UNREADABLE"],
                    f"{ext}: 600 nested tables refused")
            t.check("512" in wide["anomalies"][0]["message"],
                    f"{ext}: the message names the limit")
    t.finish()


if __name__ == "__main__":
    main()
