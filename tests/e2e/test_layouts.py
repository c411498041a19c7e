"""Layout and anomaly fixtures (fixtures/layouts, written by
scripts/gen-layout-fixtures): every fixture converts, through the real
executable, to exactly the rows, totals and anomalies of its
<name>.expected.json; refused files exit 2 and leave no workbook."""
import json
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(__file__))
from common import (LEVELS, SCHEMES, Checker, key, parse_args, read_xlsx,
                    run, sha256, tempdir)

FRENCH_WORDS = ("le", "la", "les", "de", "des", "du", "est", "n'est",
                "pas", "ne", "une", "un", "et", "à", "ou", "en", "sont")


def fold(text):
    t = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in t if not unicodedata.combining(c)).casefold()


def is_french(message):
    """Non-empty, a sentence, with French function words."""
    if not message or len(message) < 20:
        return False
    words = set(message.replace("’", "'").replace(",", " ").replace(
        ".", " ").lower().split())
    return len(words & set(FRENCH_WORDS)) >= 2


def anomaly_tuple(a):
    return (a["code"], a["severity"], a["level"],
            key(a["school"]) if a["school"] is not None else None,
            a["scheme"], a["cell"])


def check_failure(t, case, exp, out, result):
    t.equal(result.returncode, 2, f"{case}: exit status")
    t.check(not os.path.exists(out), f"{case}: no workbook written")
    t.check(result.stderr.strip() != b"", f"{case}: a message on stderr")
    try:
        doc = json.loads(result.stdout)
    except ValueError:
        t.check(False, f"{case}: JSON on stdout: {result.stdout[:200]!r}")
        return
    codes = [a["code"] for a in doc.get("anomalies", [])]
    t.equal(codes, [exp["expect_failure"]], f"{case}: anomaly codes")
    for a in doc.get("anomalies", []):
        t.equal(a["severity"], "erreur", f"{case}: {a['code']} severity")
        t.check(is_french(a["message"]),
                f"{case}: French message: {a['message']!r}")
        if a["code"] == "TABLE_NOT_FOUND":
            m = fold(a["message"])
            t.check("dispositif" in m and "clas" in m and
                    "en-tete" in m,
                    f"{case}: TABLE_NOT_FOUND says what was looked for: "
                    f"{a['message']!r}")


def check_rows(t, case, exp, doc):
    got, want = doc["rows"], exp["rows"]
    t.equal(len(got), len(want), f"{case}: number of rows "
            f"(got {[g['read_name'] for g in got]})")
    for i, (g, w) in enumerate(zip(got, want)):
        where = f"{case} row {i + 1} ({w['read_name']})"
        t.equal(g["level"], w["level"], f"{where}: level")
        t.equal(key(g["school"]), key(w["school"]), f"{where}: school key")
        t.equal(g["school"], w["school"], f"{where}: canonical name")
        t.equal(g["read_name"], w["read_name"], f"{where}: read name")
        t.equal(g["cell"], w["cell"], f"{where}: source cell")
        t.equal(g["counts"], w["counts"], f"{where}: counts")


def check_anomalies(t, case, exp, doc):
    got = sorted(map(anomaly_tuple, doc["anomalies"]), key=repr)
    want = sorted(map(anomaly_tuple, exp["anomalies"]), key=repr)
    missing = [w for w in want if w not in got]
    extra = list(got)
    for w in want:
        if w in extra:
            extra.remove(w)
    t.check(not missing and not extra,
            f"{case}: anomalies differ: missing {missing}, unexpected "
            f"{extra}")
    for w in exp["anomalies"]:
        match = [a for a in doc["anomalies"]
                 if anomaly_tuple(a) == anomaly_tuple(w)]
        if not match:
            continue
        if "read" in w:
            t.equal(match[0]["read"], w["read"],
                    f"{case}: {w['code']} {w['cell']} value read")
        for part in w.get("read_contains", []):
            t.check(part in (match[0]["read"] or "") or
                    part in match[0]["message"],
                    f"{case}: {w['code']} {w['cell']} lists {part!r}: "
                    f"{match[0]['read']!r}")
    for a in doc["anomalies"]:
        t.check(is_french(a["message"]),
                f"{case}: {a['code']} has a French message: "
                f"{a['message']!r}")


def check_workbook(t, case, exp, path):
    order, sheets, _ = read_xlsx(path)
    disp = sheets.get("Dispositifs", {})
    for i, w in enumerate(exp["rows"]):
        if "autre_detail" not in w:
            continue
        got = disp.get((i + 2, 12))
        t.equal(got, w["autre_detail"],
                f"{case} Dispositifs row {i + 2} ({w['read_name']}): "
                "Autre (précision)")
    source = {v: sheets.get("Source", {}).get((r, 2))
              for (r, c), v in sheets.get("Source", {}).items() if c == 1}
    if "commune" in exp:
        t.equal(source.get("Commune"), exp["commune"],
                f"{case}: Source commune")
    if "sheet" in exp:
        t.equal(source.get("Feuille"), exp["sheet"], f"{case}: Source sheet")
    t.equal(source.get("Fichier"), exp["file"], f"{case}: Source file")


def main():
    args = parse_args()
    folder = os.path.join(args.fixtures, "layouts")
    t = Checker("layouts")
    cases = sorted(f[:-len(".expected.json")] for f in os.listdir(folder)
                   if f.endswith(".expected.json"))
    t.check(len(cases) >= 30, f"found {len(cases)} layout fixtures")
    only = os.environ.get("LAYOUTS_ONLY")
    with tempdir() as tmp:
        for stem in cases:
            with open(os.path.join(folder, stem + ".expected.json"),
                      encoding="utf-8") as f:
                exp = json.load(f)
            case = exp["case"]
            if only and only not in case:
                continue
            inp = os.path.join(folder, exp["file"])
            before = sha256(inp)
            out = os.path.join(tmp, case + ".xlsx")
            result = run(args.exe, "convert", inp, "-o", out, "--json")
            t.equal(sha256(inp), before, f"{case}: input unchanged")
            if "expect_failure" in exp:
                check_failure(t, case, exp, out, result)
                continue
            if not t.equal(result.returncode, exp["exit"],
                           f"{case}: exit status ({result.stderr!r})"):
                continue
            t.check(os.path.exists(out), f"{case}: workbook written")
            doc = json.loads(result.stdout)
            t.equal(doc["format"], exp["format"], f"{case}: format")
            if "commune" in exp:
                t.equal(doc["commune"], exp["commune"], f"{case}: commune")
            if "sheet" in exp:
                t.equal(doc.get("sheet"), exp["sheet"], f"{case}: sheet")
            if "sheets" in exp:
                t.equal(doc.get("sheets"), exp["sheets"], f"{case}: sheets")
            check_rows(t, case, exp, doc)
            t.equal(doc["totals"], exp["totals"], f"{case}: totals")
            check_anomalies(t, case, exp, doc)
            check_workbook(t, case, exp, out)
            errors = sum(1 for a in doc["anomalies"]
                         if a["severity"] == "erreur")
            check = run(args.exe, "check", inp)
            t.equal(check.returncode, 1 if errors else 0,
                    f"{case}: check exit status")
    t.finish()


if __name__ == "__main__":
    main()
