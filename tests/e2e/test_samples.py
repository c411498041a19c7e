"""Golden end-to-end test: every case of ../shared/samples converts to the
rows, totals and anomalies of its expected.json, through the real
executable (`convert --json`) and in the workbook it writes."""
import html.parser
import json
import re
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from common import (LEVELS, LEVEL_LABELS, SCHEMES, Checker, inputs_of, key,
                    parse_args, read_xlsx, require_samples, row_values, run,
                    sha256, tempdir)

SHEETS = ["Dispositifs", "Totaux", "Anomalies", "Source"]
DISPOSITIFS_HEADER = [
    "Niveau", "Établissement", "Étude", "École ouverte",
    "Accompagnement éducatif", "Stage de réussite", "PRE", "PRE dont QPV",
    "CLAS", "CLAS dont QPV", "Autre", "Autre (précision)", "Nom lu",
    "Cellule source"]
TOTAUX_HEADER = ["Niveau", "Établissements", "Étude", "École ouverte",
                 "Accompagnement éducatif", "Stage de réussite", "PRE",
                 "PRE dont QPV", "CLAS", "CLAS dont QPV", "Autre"]
# What a reader needs first, then the technical columns and the link to the
# workbook's own cell (SPEC §4's names, in the order of issue 15).
ANOMALIES_HEADER = ["Gravité", "Niveau", "Établissement", "Dispositif",
                    "Message", "Valeur lue", "Valeur retenue", "Code",
                    "Cellule source", "Cellule du classeur"]


def french_cell(cell):
    """expected.json writes CSV cells in English ('line 13, field 1')."""
    if cell and cell.startswith("line "):
        return cell.replace("line ", "ligne ").replace("field ", "champ ")
    return cell


def check_failure(t, case, exp, out, result, before):
    t.equal(result.returncode, 2, f"{case}: exit status")
    t.check(not os.path.exists(out), f"{case}: no workbook written")
    t.check(result.stderr.strip() != b"", f"{case}: a message on stderr")
    doc = json.loads(result.stdout)
    codes = [a["code"] for a in doc["anomalies"]]
    t.check(exp["expect_failure"] in codes,
            f"{case}: {exp['expect_failure']} in {codes}")
    msg = " ".join(a["message"] for a in doc["anomalies"])
    t.check(len(msg) > 40, f"{case}: a French message: {msg!r}")


# The contract and one sample disagree: SPEC §5 reads "HTML tables (as
# exported under .xls)" and issue 12 asks for them, while p07's
# expected.json, written before, says FILE_UNREADABLE. The contract wins
# (said in issue 12's note); p07 is checked against the page itself, parsed
# here with Python's own HTML parser.
READ_BY_CONTRACT = {"p07-bad-html-as-xls-decines"}
HTML_COLUMNS = {"Etude": "ETUDE", "Ecole ouverte": "ECOLE_OUVERTE",
                "Accompagnement educatif": "ACCOMPAGNEMENT_EDUCATIF",
                "Stage de reussite": "STAGE_REUSSITE", "PRE": "PRE",
                "PRE dont QPV": "PRE_QPV", "CLAS": "CLAS",
                "CLAS dont QPV": "CLAS_QPV", "Autre": "AUTRE"}


class TableCells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def check_read_by_contract(t, case, inp, out, result):
    t.equal(result.returncode, 0, f"{case}: read (SPEC §5): exit status "
            f"({result.stderr!r})")
    t.check(os.path.exists(out), f"{case}: workbook written")
    doc = json.loads(result.stdout)
    t.equal(doc["format"], "html", f"{case}: format")
    page = TableCells()
    with open(inp, encoding="utf-8") as f:
        page.feed(f.read())
    head, body = page.rows[0], page.rows[1:]
    want = []
    for cells in body:
        counts = {v: None for v in HTML_COLUMNS.values()}
        for name, value in zip(head, cells):
            if name in HTML_COLUMNS and value:
                counts[HTML_COLUMNS[name]] = int(value)
        want.append((cells[0], counts))
    got = [(r["read_name"], r["counts"]) for r in doc["rows"]]
    t.equal(got, want, f"{case}: every school and count of the page")
    t.equal([r["cell"] for r in doc["rows"]],
            [f"tableau 1, ligne {i + 2}, colonne 1" for i in range(len(want))],
            f"{case}: source cells")
    errors = [a["code"] for a in doc["anomalies"]
              if a["severity"] != "info"]
    t.equal(errors, [], f"{case}: nothing to correct")


def check_rows(t, case, exp, doc):
    got, want = doc["rows"], exp["rows"]
    t.equal(len(got), len(want), f"{case}: number of rows")
    for i, (g, w) in enumerate(zip(got, want)):
        where = f"{case} row {i + 1} ({w['school']})"
        t.equal(g["level"], w["level"], f"{where}: level")
        t.equal(key(g["school"]), key(w["school"]), f"{where}: school key")
        t.equal(g["school"], w["school"], f"{where}: canonical name")
        t.equal(g["read_name"], w["read_name"], f"{where}: read name")
        t.equal(g["cell"], french_cell(w["cell"]), f"{where}: source cell")
        t.equal(g["counts"], w["counts"], f"{where}: counts")


def check_anomalies(t, case, exp, doc):
    got = [(a["code"], a["severity"], a["level"], key(a["school"]),
            a["scheme"]) for a in doc["anomalies"]]
    remaining = list(got)
    for w in exp.get("anomalies", []):
        item = (w["code"], w["severity"], w["level"], key(w["school"]),
                w["scheme"])
        if t.check(item in remaining, f"{case}: anomaly {item} raised "
                                      f"(got {got})"):
            remaining.remove(item)
    if exp.get("must_not_raise_errors"):
        extra = [a for a in remaining if a[1] == "erreur"]
        t.equal(extra, [], f"{case}: no other error")
    for a in doc["anomalies"]:
        t.check(a["message"] and len(a["message"]) > 20,
                f"{case}: {a['code']} has a message")


def check_workbook(t, case, exp, doc, path):
    order, sheets, formulas = read_xlsx(path)
    t.equal(order, SHEETS, f"{case}: sheet names and order")
    disp, tot = sheets["Dispositifs"], sheets["Totaux"]
    t.equal(row_values(disp, 1, 14), DISPOSITIFS_HEADER,
            f"{case}: Dispositifs header")
    t.equal(row_values(tot, 1, 11), TOTAUX_HEADER, f"{case}: Totaux header")
    t.equal(row_values(sheets["Anomalies"], 1, 10), ANOMALIES_HEADER,
            f"{case}: Anomalies header")
    t.equal(row_values(sheets["Source"], 1, 2), ["Champ", "Valeur"],
            f"{case}: Source header")
    for i, w in enumerate(exp["rows"]):
        r = i + 2
        vals = row_values(disp, r, 11)
        t.equal(vals[0], LEVEL_LABELS[w["level"]], f"{case} Dispositifs "
                f"row {r}: level")
        t.equal(key(vals[1]), key(w["school"]), f"{case} Dispositifs row {r}:"
                " school")
        t.equal(vals[2:11], [w["counts"][s] for s in SCHEMES],
                f"{case} Dispositifs row {r}: counts")
    labels = [LEVEL_LABELS[lv] for lv in LEVELS] + ["Total"]
    for i, lv in enumerate(LEVELS + ["ALL"]):
        r = i + 2
        want = exp["totals"][lv]
        vals = row_values(tot, r, 11)
        t.equal(vals[0], labels[i], f"{case} Totaux row {r}: label")
        t.equal(vals[1:], [want["schools"]] + [want[s] for s in SCHEMES],
                f"{case} Totaux row {r} ({lv}): cached values")
        t.check(all((r, c) in formulas["Totaux"] for c in range(2, 12)),
                f"{case} Totaux row {r}: every value is a formula")
    n_anom = len(doc["anomalies"])
    # Each anomaly of a school links to that school's row in Dispositifs.
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet3.xml").decode("utf-8")
    links = dict(re.findall(r'<hyperlink ref="J(\d+)" location="([^"]+)"',
                            xml))
    for r in range(2, n_anom + 2):
        vals = row_values(sheets["Anomalies"], r, 10)
        target = vals[9]
        if not target:
            continue
        t.equal(links.get(str(r)), target,
                f"{case} Anomalies row {r}: {target} is a link")
        m = re.fullmatch(r"Dispositifs!([C-K]|B)(\d+)", target)
        if m:
            t.equal(disp.get((int(m.group(2)), 2)), vals[2],
                    f"{case} Anomalies row {r}: {target} is the school's row")
    t.check((n_anom + 1, 1) in sheets["Anomalies"] and
            (n_anom + 2, 1) not in sheets["Anomalies"],
            f"{case}: Anomalies sheet has {n_anom} rows")
    source = {v: sheets["Source"].get((r, 2))
              for (r, c), v in sheets["Source"].items() if c == 1}
    t.equal(source.get("Commune"), exp["commune"], f"{case}: Source commune")
    t.equal(source.get("Fichier"), exp["file"], f"{case}: Source file")


def main():
    args = parse_args()
    require_samples(args.samples, "sample tests")
    t = Checker("samples")
    cases = sorted(d for d in os.listdir(args.samples)
                   if os.path.isdir(os.path.join(args.samples, d)))
    t.check(len(cases) >= 9, f"found {len(cases)} sample cases")
    with tempdir() as tmp:
        for case in cases:
            folder = os.path.join(args.samples, case)
            with open(os.path.join(folder, "expected.json"),
                      encoding="utf-8") as f:
                exp = json.load(f)
            inp = os.path.join(folder, exp["file"])
            before = sha256(inp)
            out = os.path.join(tmp, case + ".xlsx")
            result = run(args.exe, "convert", inp, "-o", out, "--json")
            t.equal(sha256(inp), before, f"{case}: input unchanged")
            if case in READ_BY_CONTRACT:
                check_read_by_contract(t, case, inp, out, result)
                continue
            if "expect_failure" in exp:
                check_failure(t, case, exp, out, result, before)
                continue
            if not t.equal(result.returncode, 0,
                           f"{case}: exit status ({result.stderr!r})"):
                continue
            doc = json.loads(result.stdout)
            t.equal(doc["format"], exp["format"], f"{case}: format")
            t.equal(doc["commune"], exp["commune"], f"{case}: commune")
            check_rows(t, case, exp, doc)
            t.equal(doc["totals"], exp["totals"], f"{case}: totals")
            check_anomalies(t, case, exp, doc)
            check_workbook(t, case, exp, doc, out)
            again = os.path.join(tmp, case + "-again.xlsx")
            run(args.exe, "convert", inp, "-o", again)
            with open(out, "rb") as a, open(again, "rb") as b:
                t.check(a.read() == b.read(),
                        f"{case}: converting twice gives the same bytes")
            check = run(args.exe, "check", inp)
            errors = sum(1 for a in doc["anomalies"]
                         if a["severity"] == "erreur")
            t.equal(check.returncode, 1 if errors else 0,
                    f"{case}: check exit status")
    t.finish()


if __name__ == "__main__":
    main()
