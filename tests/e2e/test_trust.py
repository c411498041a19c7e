"""End-to-end test of the checks that make an "OK" mean usable figures
(issue "trust"): an empty template and a header-only CSV are not OK
(TABLE_EMPTY, check exits 1, red HTML verdict, "À vérifier" in batch); a
present but empty level is; the commune's provenance (cell, title, file
name, none, conflict); a folder with an exact copy and two files for one
commune counts that commune once."""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

HEADER = ("Établissement;Étude;École ouverte;Accompagnement éducatif;"
          "Stage de réussite;PRE;PRE dont QPV;CLAS;CLAS dont QPV;Autre")


def table_csv(title_lines, rows):
    """A clean one-row-header table: 'NIVEAU ...' rows and school rows."""
    return "\r\n".join(list(title_lines) + ["", HEADER] + rows) + "\r\n"


CLEAN_ROWS = ["NIVEAU ELEMENTAIRE", "EE Jules Ferry;12;0;0;0;4;2;10;6;0",
              "NIVEAU COLLEGE", "CLG Jean Moulin;20;5;0;0;3;1;12;8;0",
              "NIVEAU LYCEE"]


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


def check_json(exe, path):
    r = common.run(exe, "check", path, "--json")
    return r.returncode, json.loads(r.stdout.decode("utf-8"))


def codes(doc, severity=None):
    return [a["code"] for a in doc["anomalies"]
            if severity is None or a["severity"] == severity]


def anomaly(doc, code):
    found = [a for a in doc["anomalies"] if a["code"] == code]
    return found[0] if found else None


def test_empty(c, exe, tmp):
    tpl = os.path.join(tmp, "modele.xlsx")
    r = common.run(exe, "template", "-o", tpl)
    c.equal(r.returncode, 0, "template written")
    rc, doc = check_json(exe, tpl)
    c.equal(rc, 1, "empty template: check exits 1")
    c.equal(codes(doc, "erreur"), ["TABLE_EMPTY"], "empty template: error")
    a = anomaly(doc, "TABLE_EMPTY")
    c.check(a is not None and "aucune ligne d'établissement" in a["message"],
            f"empty template: message says what is missing ({a})")
    r = common.run(exe, "check", tpl)
    c.equal(r.returncode, 1, "empty template: plain check exits 1")
    c.check("Aucune erreur" not in r.stdout.decode("utf-8"),
            "empty template: no all-clear in the report")
    html = os.path.join(tmp, "modele.html")
    r = common.run(exe, "check", tpl, "--html", html)
    page = open(html, encoding="utf-8").read()
    c.check('class="verdict v-err"' in page, "empty template: red verdict")
    c.check("TABLE_EMPTY" in page, "empty template: the code in the page")

    header_only = write(os.path.join(tmp, "entete_bron.csv"), HEADER + "\r\n")
    rc, doc = check_json(exe, header_only)
    c.equal(rc, 1, "header-only CSV: check exits 1")
    c.check("TABLE_EMPTY" in codes(doc, "erreur"),
            f"header-only CSV: TABLE_EMPTY ({codes(doc)})")
    out = os.path.join(tmp, "entete_bron.xlsx")
    r = common.run(exe, "convert", header_only, "-o", out)
    c.equal(r.returncode, 0, "header-only CSV: still converted")
    _, sheets, _ = common.read_xlsx(out)
    # Code is column H since the Anomalies sheet reads Gravité first.
    anomalies = [sheets["Anomalies"].get((r, 8)) for r in range(2, 20)]
    c.check("TABLE_EMPTY" in anomalies, "header-only CSV: workbook says so")

    names_only = write(os.path.join(tmp, "noms_bron.csv"), table_csv(
        ["Territoire de : Bron"],
        ["NIVEAU ELEMENTAIRE", "EE Jules Ferry;;;;;;;;;",
         "EE Jean Macé;;;;;;;;;"]))
    rc, doc = check_json(exe, names_only)
    c.equal(rc, 1, "schools without any count: check exits 1")
    c.equal(codes(doc), ["TABLE_EMPTY"], "schools without any count: codes")

    # A level present but empty (no lycée) is valid; so is a table of 0.
    clean = write(os.path.join(tmp, "propre.csv"),
                  table_csv(["Territoire de : Bron"], CLEAN_ROWS))
    rc, doc = check_json(exe, clean)
    c.equal(rc, 0, "clean table with an empty Lycée section: exit 0")
    c.equal(codes(doc), [], "clean table: no anomaly")
    c.equal(doc["commune_source"], "cellule", "clean table: commune cell")
    zeros = write(os.path.join(tmp, "zeros.csv"), table_csv(
        ["Territoire de : Bron"], ["NIVEAU COLLEGE",
                                   "CLG Jean Moulin;0;0;0;0;0;0;0;0;0"]))
    rc, doc = check_json(exe, zeros)
    c.equal(rc, 0, "a table of zeros is filled in: exit 0")
    c.equal(codes(doc), ["PLAUSIBILITY_SCHOOL_EMPTY"], "zeros: info only")


def test_commune(c, exe, tmp):
    # A Vaulx-en-Velin table renamed Saint-Priest: the title wins.
    renamed = write(os.path.join(tmp, "Saint-Priest.csv"), table_csv(
        ["Ville de Vaulx-en-Velin", "Tableau des dispositifs"], CLEAN_ROWS))
    rc, doc = check_json(exe, renamed)
    c.equal(rc, 0, "renamed file: warnings only, exit 0")
    c.equal(doc["commune"], "Vaulx-en-Velin", "renamed file: title wins")
    c.equal(doc["commune_source"], "titre", "renamed file: from the title")
    a = anomaly(doc, "COMMUNE_CONFLICT")
    c.check(a is not None and a["severity"] == "avertissement" and
            "Vaulx-en-Velin" in a["message"] and
            "Saint-Priest" in a["message"],
            f"renamed file: COMMUNE_CONFLICT names both ({a})")
    out = os.path.join(tmp, "renamed.xlsx")
    common.run(exe, "convert", renamed, "-o", out)
    _, sheets, _ = common.read_xlsx(out)
    source = {v: sheets["Source"].get((r, 2))
              for (r, col), v in sheets["Source"].items() if col == 1}
    c.equal(source.get("Commune"), "Vaulx-en-Velin", "renamed: Source")
    c.equal(source.get("Commune trouvée dans"), "titre du tableau",
            "renamed: Source says where")

    for title in ("Mairie de Vaulx-en-Velin", "Commune de Vaulx-en-Velin"):
        p = write(os.path.join(tmp, "vaulx-en-velin.csv"),
                  table_csv([title], CLEAN_ROWS))
        rc, doc = check_json(exe, p)
        c.equal((doc["commune"], doc["commune_source"], codes(doc)),
                ("Vaulx-en-Velin", "titre", []),
                f"« {title} » agrees with the file name: no anomaly")

    # Nothing in the file: the file name, said.
    by_name = write(os.path.join(tmp, "dispositifs_clas_2026_bron.csv"),
                    table_csv([], CLEAN_ROWS))
    rc, doc = check_json(exe, by_name)
    c.equal(rc, 0, "commune from the file name: exit 0")
    c.equal((doc["commune"], doc["commune_source"]), ("Bron",
                                                      "nom_de_fichier"),
            "commune from the file name")
    a = anomaly(doc, "COMMUNE_FROM_FILENAME")
    c.check(a is not None and a["severity"] == "info" and
            "Bron" in a["message"], f"COMMUNE_FROM_FILENAME info ({a})")

    # Nothing anywhere.
    nameless = write(os.path.join(tmp, "CLAS_2026.csv"),
                     table_csv([], CLEAN_ROWS))
    rc, doc = check_json(exe, nameless)
    c.equal(rc, 0, "no commune: warning only, exit 0")
    c.equal((doc["commune"], doc["commune_source"]), (None, None),
            "no commune: null")
    a = anomaly(doc, "COMMUNE_UNKNOWN")
    c.check(a is not None and a["severity"] == "avertissement",
            f"COMMUNE_UNKNOWN avertissement ({a})")


def col_number(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def evaluate(formula, sheets, here):
    """The value of the synthesis's formulas: =SUM(D$2:D$9),
    =SUMIF($C$2:$C$9,"Lycée",D$2:D$9), =Communes!D10."""
    f = formula.lstrip("=").replace("$", "")
    m = re.fullmatch(r"(\w+)!([A-Z]+)(\d+)", f)
    if m:
        return sheets[m.group(1)].get((int(m.group(3)),
                                       col_number(m.group(2))), 0)
    cells = sheets[here]

    def rng(text):
        c1, r1, _, r2 = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)",
                                     text).groups()
        return [(r, col_number(c1)) for r in range(int(r1), int(r2) + 1)]
    m = re.fullmatch(r"SUM\(([A-Z0-9:]+)\)", f)
    if m:
        return sum(cells.get(p) or 0 for p in rng(m.group(1))
                   if isinstance(cells.get(p), int))
    m = re.fullmatch(r'SUMIF\(([A-Z0-9:]+),"([^"]*)",([A-Z0-9:]+)\)', f)
    if m:
        return sum(cells.get(v) or 0 for k, v in zip(rng(m.group(1)),
                                                     rng(m.group(3)))
                   if cells.get(k) == m.group(2))
    raise AssertionError("formula not understood: " + formula)


def test_batch(c, exe, tmp):
    indir = os.path.join(tmp, "recus")
    os.makedirs(indir)
    old = write(os.path.join(indir, "bron.csv"), table_csv(
        ["Territoire de : Bron"], ["NIVEAU ELEMENTAIRE",
                                   "EE Jules Ferry;30;0;0;0;0;0;24;0;0"]))
    new = write(os.path.join(indir, "bron_corrige.csv"),
                table_csv(["Territoire de : BRON"], CLEAN_ROWS))
    copy = os.path.join(indir, "copie_bron_corrige.csv")
    shutil.copyfile(new, copy)
    other = write(os.path.join(indir, "vaulx.csv"), table_csv(
        ["Ville de Vaulx-en-Velin"], ["NIVEAU COLLEGE",
                                      "CLG Jean Moulin;7;0;0;0;0;0;8;0;0"]))
    empty = write(os.path.join(indir, "givors.csv"), HEADER + "\r\n")
    os.utime(old, (1767268800, 1767268800))    # 2026-01-01 12:00 UTC
    os.utime(new, (1772366400, 1772366400))    # 2026-03-01 12:00 UTC
    os.utime(copy, (1772366400, 1772366400))
    os.utime(other, (1772366400, 1772366400))
    os.utime(empty, (1772366400, 1772366400))
    outs = []
    for jobs in ("1", "4"):
        out = os.path.join(tmp, "out" + jobs)
        os.makedirs(out)
        r = common.run(exe, "batch", indir, out, "-j", jobs)
        c.equal(r.returncode, 1, f"-j {jobs}: exit 1 (an empty table)")
        outs.append(out)
    for name in ("synthese.xlsx", "rapport.csv"):
        a = open(os.path.join(outs[0], name), "rb").read()
        b = open(os.path.join(outs[1], name), "rb").read()
        c.check(a == b, f"{name}: -j 1 and -j 4 byte-identical")
    report = open(os.path.join(outs[0], "rapport.csv"),
                  encoding="utf-8-sig").read()
    c.check("givors.csv;Givors;À vérifier;1;" in report,
            f"empty table is « À vérifier » in rapport.csv: {report!r}")
    order, sheets, formulas = common.read_xlsx(
        os.path.join(outs[0], "synthese.xlsx"))
    c.equal(order, ["Communes", "Établissements", "Anomalies", "Fichiers",
                    "Territoire"], "synthesis sheets")
    communes = sheets["Communes"]
    files_col = sorted({v for (r, col), v in communes.items()
                        if col == 2 and r > 1})
    c.equal(files_col, ["bron_corrige.csv", "givors.csv", "vaulx.csv"],
            "Communes: Bron counted once, from the most recent file")
    anomalies = [[sheets["Anomalies"].get((r, col)) for col in (2, 3, 11)]
                 for r in range(2, 6)]
    c.equal([a[:2] for a in anomalies[:3]],
            [["copie_bron_corrige.csv", "FILE_DUPLICATE"],
             ["bron.csv", "COMMUNE_DUPLICATE"],
             ["vaulx.csv", "SCHOOL_IN_TWO_COMMUNES"]],
            "Anomalies across files first")
    c.check("bron_corrige.csv" in (anomalies[1][2] or "") and
            "01/01/2026" in (anomalies[1][2] or "") and
            "01/03/2026" in (anomalies[1][2] or ""),
            f"COMMUNE_DUPLICATE says which file and when: {anomalies[1]}")
    fichiers = {sheets["Fichiers"].get((r, 1)): sheets["Fichiers"].get((r, 11))
                for r in range(2, 7)}
    c.equal(fichiers, {
        "bron.csv": "Non compté : même commune que « bron_corrige.csv », "
                    "modifié plus récemment",
        "copie_bron_corrige.csv": "Non compté : doublon exact de "
                                  "« bron_corrige.csv »",
        "bron_corrige.csv": "Compté", "givors.csv": "Compté",
        "vaulx.csv": "Compté"}, "Fichiers: Décompte")
    # Totals: bron_corrige (12+20 Étude, 10+12 CLAS) + vaulx (7, 8).
    last = max(r for (r, _) in communes)
    total = [communes.get((last, col)) for col in range(1, 14)]
    c.equal(total[:4], ["Total", None, "Tous niveaux", 3],
            "Communes ends with the total row")
    c.equal(total[4], 39, "Communes total: Étude counted once")
    c.equal(total[10], 30, "Communes total: CLAS counted once")
    c.check((last, 5) in formulas["Communes"], "the total is a formula")
    terr = sheets["Territoire"]
    c.equal([terr.get((r, 1)) for r in range(2, 6)],
            ["Élémentaire", "Collège", "Lycée", "Total"], "Territoire rows")
    c.equal([terr.get((5, col)) for col in (2, 3, 9)], [3, 39, 30],
            "Territoire: schools, Étude, CLAS of the folder")
    c.equal([terr.get((2, 3)), terr.get((3, 3)), terr.get((4, 3))],
            [12, 27, 0], "Territoire: Étude per level")
    c.check(all((r, col) in formulas["Territoire"]
                for r in range(2, 6) for col in range(2, 12)),
            "Territoire: every value is a formula")
    # Each formula computes its own cached value (Excel recalculates).
    wrong = [(name, pos, f) for name in ("Communes", "Territoire")
             for pos, f in formulas[name].items()
             if evaluate(f, sheets, name) != sheets[name].get(pos)]
    c.equal(wrong, [], "formulas agree with their cached values")
    c.check(len(formulas["Communes"]) == 40,
            f"Communes: 4 total rows of 10 formulas "
            f"({len(formulas['Communes'])})")


def main():
    args = common.parse_args()
    exe = os.path.abspath(args.exe)
    c = common.Checker("trust")
    with common.tempdir() as tmp:
        for name, fn in (("empty", test_empty), ("commune", test_commune),
                         ("batch", test_batch)):
            d = os.path.join(tmp, name)
            os.makedirs(d)
            fn(c, exe, d)
    c.finish()


if __name__ == "__main__":
    main()
