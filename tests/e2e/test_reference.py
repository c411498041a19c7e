"""End-to-end test of issue "reference": UAI in the input (check letters,
UAI written in names), matching to the Annuaire de l'éducation fixture
(--annuaire: exact, fuzzy, ambiguous, missing, UAI and level conflicts),
the workbook's UAI columns, and `compare`."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, have_samples, samples_absent, inputs_of, parse_args, read_xlsx, row_values,
                    run, tempdir)

REF_CODES = {"UAI_INVALID", "UAI_CONFLICT", "SCHOOL_NOT_IN_ANNUAIRE",
             "SCHOOL_AMBIGUOUS", "SCHOOL_MATCH_APPROX"}


def check_json(exe, *args):
    r = run(exe, "check", *args, "--json")
    return r, json.loads(r.stdout) if r.stdout else None


def codes_of(doc):
    return [(a["code"], a["school"]) for a in doc["anomalies"]]


def samples(samples_dir):
    for exp_path in sorted(glob.glob(os.path.join(samples_dir, "*",
                                                  "expected.json"))):
        folder = os.path.dirname(exp_path)
        for inp in inputs_of(folder):
            yield os.path.basename(folder), inp


def test_uai_in_names(t, exe, fixtures):
    """Without --annuaire: UAIs read from names, one wrong letter."""
    inp = os.path.join(fixtures, "ref", "uai-villeurbanne.csv")
    r, doc = check_json(exe, inp)
    t.equal(r.returncode, 0, "uai-villeurbanne: check status")
    rows = [(row["school"], row["uai"]) for row in doc["rows"]]
    t.equal(rows, [
        ("École élémentaire Alphonse Daudet", "0694102J"),
        ("École Jules Ferry", None),
        ("École élémentaire Ferdinand Buisson", "0694103A"),
        ("Collège Jean Jaurès", "0694107P"),
        ("Louis Lumière", None),
        ("Lycée professionnel Les Canuts", None)], "uai-villeurbanne rows")
    t.equal(doc["rows"][0]["read_name"], "EE Alphonse Daudet (0694102J)",
            "the name as read keeps its UAI")
    t.check("official_name" not in doc["rows"][0],
            "no annuaire columns without --annuaire")
    invalid = [a for a in doc["anomalies"] if a["code"] == "UAI_INVALID"]
    t.equal(len(invalid), 1, "one UAI_INVALID")
    if invalid:
        a = invalid[0]
        t.equal((a["severity"], a["school"], a["cell"], a["read"]),
                ("avertissement", "École élémentaire Ferdinand Buisson",
                 "ligne 5, champ 1", "0694103A"), "UAI_INVALID where")
        t.check("la lettre attendue est K (0694103K)" in a["message"],
                f"expected letter in the message: {a['message']}")
    with tempdir() as tmp:
        out = os.path.join(tmp, "out.xlsx")
        r = run(exe, "convert", inp, "-o", out)
        t.equal(r.returncode, 0, "uai-villeurbanne converted")
        _, sheets, _ = read_xlsx(out)
        disp = sheets["Dispositifs"]
        t.equal(disp.get((1, 15)), "UAI", "Dispositifs O1 is UAI")
        t.equal([disp.get((r_, 15)) for r_ in range(2, 8)],
                ["0694102J", None, "0694103A", "0694107P", None, None],
                "Dispositifs UAI column")
        # Without annuaire only the commune's Observations follow the UAI.
        t.equal(disp.get((1, 16)), "Observations",
                "Dispositifs P1 is Observations, last")
        t.equal(disp.get((1, 17)), None, "no 17th column without annuaire")


def test_uai_column(t, exe, fixtures, annuaire):
    """A « N° UAI » column: kept (upper case, trimmed), letters checked, not
    taken for names; a converted workbook reads back with its UAIs."""
    inp = os.path.join(fixtures, "ref", "uai-column-bron.csv")
    r, doc = check_json(exe, inp)
    t.equal(r.returncode, 0, "uai column: status")
    t.equal([(row["school"], row["uai"]) for row in doc["rows"]], [
        ("École élémentaire Victor Hugo", "0694301A"),
        ("Collège Ampère", "0694305X"),
        ("Lycée Ampère", None)], "UAI column rows")
    t.check(not any(a["code"] == "COLUMN_UNKNOWN" for a in doc["anomalies"]),
            "the UAI column is not unknown")
    bad = [a for a in doc["anomalies"] if a["code"] == "UAI_INVALID"]
    t.equal([(a["school"], a["read"]) for a in bad],
            [("Collège Ampère", "0694305X")], "UAI_INVALID on the column")
    t.check(bad and "attendue est E (0694305E)" in bad[0]["message"],
            "expected letter E")
    r, doc = check_json(exe, inp, "--annuaire", annuaire)
    t.equal([(row["school"], row["uai"], row["confidence"])
             for row in doc["rows"]], [
        ("École élémentaire Victor Hugo", "0694301A", 100),
        ("Collège Ampère", "0694305X", 100),
        ("Lycée Ampère", "0694307G", 100)], "UAI column with annuaire")
    t.check(any(a["code"] == "UAI_CONFLICT" and a["school"] == "Collège Ampère"
                for a in doc["anomalies"]), "wrong UAI contradicts the match")
    with tempdir() as tmp:
        out = os.path.join(tmp, "bron.xlsx")
        t.equal(run(exe, "convert", inp, "-o", out).returncode, 0,
                "uai column converted")
        r, doc = check_json(exe, out)
        t.equal([row["uai"] for row in doc["rows"]],
                ["0694301A", "0694305X", None],
                "standardized workbook reads back with its UAIs")


def test_samples_with_annuaire(t, exe, samples_dir, annuaire):
    """Every sample keeps its verdict; no reference anomaly without it."""
    for case, inp in samples(samples_dir):
        r0, doc0 = check_json(exe, inp)
        r1, doc1 = check_json(exe, inp, "--annuaire", annuaire)
        t.equal(r1.returncode, r0.returncode, f"{case}: same verdict")
        if doc0 is None or doc1 is None:
            continue
        t.check(not any(c in REF_CODES for c, _ in codes_of(doc0)),
                f"{case}: no reference anomaly without --annuaire")
        errors0 = [c for c in doc0["anomalies"] if c["severity"] == "erreur"]
        errors1 = [c for c in doc1["anomalies"] if c["severity"] == "erreur"]
        t.equal(errors1, errors0, f"{case}: same errors with the annuaire")


def test_villeurbanne_matching(t, exe, samples_dir, annuaire):
    inp = glob.glob(os.path.join(samples_dir, "p01-*", "*.xls"))[0]
    r, doc = check_json(exe, inp, "--annuaire", annuaire)
    t.equal(r.returncode, 0, "p01 with annuaire: status")
    got = [(row["school"], row["uai"], row["official_name"],
            row["confidence"]) for row in doc["rows"]]
    t.equal(got, [
        ("École primaire Édouard Herriot", "0694101H",
         "Ecole primaire Edouard Herriot", 100),
        ("École élémentaire Alphonse Daudet", "0694102J",
         "Ecole élémentaire Alphonse Daudet", 100),
        ("École primaire Ferdinand Buisson", "0694103K",
         "Ecole élémentaire Ferdinand Buisson", 90),
        ("École primaire Berthelot", None, None, None),
        ("École élémentaire Paul Bert", None, None, None),
        ("Collège Jean Jaurès", "0694106N", "Collège Jean Jaurès", 100),
        ("Collège Évariste Galois", "0694107P", "Collège Evariste Galois",
         100),
        ("Collège Frédéric Faÿs", "0694108R", "Collège Frédéric Fays", 100),
        ("Lycée professionnel Ampère", "0694109S",
         "Lycée professionnel André-Marie Ampère", 85),
        ("Lycée polyvalent Louis Lumière", "0694110T",
         "Lycée polyvalent Louis Lumière", 100)], "p01 matches")
    ref = sorted((c, s) for c, s in codes_of(doc) if c in REF_CODES)
    t.equal(ref, [
        ("SCHOOL_AMBIGUOUS", "École primaire Berthelot"),
        ("SCHOOL_MATCH_APPROX", "Lycée professionnel Ampère"),
        ("SCHOOL_MATCH_APPROX", "École primaire Ferdinand Buisson"),
        ("SCHOOL_NOT_IN_ANNUAIRE", "École élémentaire Paul Bert")],
        "p01 reference anomalies")
    amb = [a for a in doc["anomalies"] if a["code"] == "SCHOOL_AMBIGUOUS"]
    if amb:
        t.check("« Ecole maternelle Berthelot » (0694104L, 90 %) et « Ecole "
                "élémentaire Berthelot » (0694105M, 90 %)"
                in amb[0]["message"], f"candidates listed: {amb[0]}")
        t.equal(amb[0]["severity"], "avertissement", "ambiguous severity")
    approx = [a for a in doc["anomalies"]
              if a["code"] == "SCHOOL_MATCH_APPROX"]
    t.check(all(a["severity"] == "info" for a in approx), "approx is info")
    t.check(any("« Lycée professionnel Ampère » a été rapproché de « Lycée "
                "professionnel André-Marie Ampère » (0694109S)" in a["message"]
                and "85 %" in a["message"] for a in approx),
            "approx shows both names and the confidence")

    with tempdir() as tmp:
        out = os.path.join(tmp, "p01.xlsx")
        r = run(exe, "convert", inp, "-o", out, "--annuaire", annuaire)
        t.equal(r.returncode, 0, "p01 converted with annuaire")
        _, sheets, _ = read_xlsx(out)
        disp = sheets["Dispositifs"]
        t.equal(row_values(disp, 1, 18)[14:],
                ["UAI", "Nom dans l'annuaire", "Confiance (%)",
                 "Observations"],
                "annuaire columns, then Observations last")
        t.equal(row_values(disp, 10, 17)[14:],
                ["0694109S", "Lycée professionnel André-Marie Ampère", 85],
                "Ampère row")
        t.equal(row_values(disp, 5, 17)[14:], [None, None, None],
                "ambiguous row stays blank")
        source = sheets["Source"]
        fields = {source.get((i, 1)): source.get((i, 2))
                  for i in range(1, 40)}
        t.equal(fields.get("Annuaire"),
                "annuaire-rhone.csv (61 établissements)", "Source: annuaire")
        t.equal(fields.get("Rapprochement"),
                "8 établissements sur 10 rapprochés", "Source: matched")


def test_conflicts(t, exe, fixtures, annuaire):
    inp = os.path.join(fixtures, "ref", "uai-villeurbanne.csv")
    r, doc = check_json(exe, inp, "--annuaire", annuaire)
    t.equal(r.returncode, 0, "conflicts: status")
    got = [(row["school"], row["uai"], row["official_name"],
            row["confidence"]) for row in doc["rows"]]
    t.equal(got, [
        ("École élémentaire Alphonse Daudet", "0694102J",
         "Ecole élémentaire Alphonse Daudet", 100),
        ("École Jules Ferry", None, None, None),
        ("École élémentaire Ferdinand Buisson", "0694103A",
         "Ecole élémentaire Ferdinand Buisson", 100),
        ("Collège Jean Jaurès", "0694107P", "Collège Evariste Galois", 100),
        ("Louis Lumière", "0694110T", "Lycée polyvalent Louis Lumière", 95),
        ("Lycée professionnel Les Canuts", None, None, None)],
        "conflict rows (a UAI of the file is kept)")
    ref = sorted((c, s) for c, s in codes_of(doc)
                 if c in REF_CODES | {"LEVEL_CONFLICT"})
    t.equal(ref, [
        ("LEVEL_CONFLICT", "Louis Lumière"),
        ("SCHOOL_AMBIGUOUS", "École Jules Ferry"),
        ("SCHOOL_MATCH_APPROX", "Louis Lumière"),
        ("SCHOOL_NOT_IN_ANNUAIRE", "Lycée professionnel Les Canuts"),
        ("UAI_CONFLICT", "Collège Jean Jaurès"),
        ("UAI_CONFLICT", "École élémentaire Ferdinand Buisson"),
        ("UAI_INVALID", "École élémentaire Ferdinand Buisson")],
        "conflict anomalies")
    msgs = {(a["code"], a["school"]): a["message"] for a in doc["anomalies"]}
    t.check("désigne « Collège Evariste Galois »" in msgs.get(
        ("UAI_CONFLICT", "Collège Jean Jaurès"), "")
        and "correspond à « Collège Jean Jaurès » (0694106N)" in msgs.get(
        ("UAI_CONFLICT", "Collège Jean Jaurès"), ""), "UAI conflict message")
    t.check("code nature 306" in msgs.get(("LEVEL_CONFLICT", "Louis Lumière"),
                                          ""), "level conflict message")


def test_bad_annuaire(t, exe, samples_dir, fixtures):
    inp = glob.glob(os.path.join(samples_dir, "p01-*", "*.xls"))[0]
    with tempdir() as tmp:
        out = os.path.join(tmp, "out.xlsx")
        r = run(exe, "convert", inp, "-o", out, "--annuaire",
                os.path.join(tmp, "absent.csv"))
        t.equal(r.returncode, 2, "missing annuaire: status 2")
        t.check(not os.path.exists(out), "missing annuaire: no workbook")
        t.check("Impossible d'ouvrir l'annuaire « absent.csv » : fichier "
                "introuvable" in r.stderr.decode(), f"message: {r.stderr}")
        not_export = os.path.join(fixtures, "ref", "uai-villeurbanne.csv")
        r = run(exe, "check", inp, "--annuaire", not_export)
        t.equal(r.returncode, 2, "not an annuaire: status 2")
        t.check("n'est pas un export de l'Annuaire de l'éducation"
                in r.stderr.decode(), f"message: {r.stderr}")
        r = run(exe, "check", inp, "--annuaire")
        t.equal(r.returncode, 64, "--annuaire without a file: usage")


def test_compare(t, exe, fixtures):
    old = os.path.join(fixtures, "ref", "clas-2025-villeurbanne.csv")
    new = os.path.join(fixtures, "ref", "clas-2026-villeurbanne.csv")
    r = run(exe, "compare", old, new, "--json")
    t.equal(r.returncode, 0, "compare --json: status")
    doc = json.loads(r.stdout)
    t.equal((doc["kept"], doc["kept_by_uai"]), (3, 1),
            "3 schools kept, 1 by its UAI")
    got = [(c["kind"], c["level"], c["school"], c["uai"], c["scheme"],
            c["before"], c["after"]) for c in doc["changes"]]
    t.equal(got, [
        ("SCHOOL_GONE", "LYCEE", "Lycée Louis Lumière", None, None, None,
         None),
        ("SCHOOL_NEW", "COLLEGE", "Collège Evariste Galois", None, None, None,
         None),
        # +18 children, +150 %: both thresholds passed
        ("COUNT_MOVED", "ELEMENTAIRE", "École élémentaire Alphonse-Daudet",
         None, "CLAS", 12, 30),
        # CLAS 8 -> 13 (+62 % but 5 children): not listed
        ("SCHEME_STOPPED", "ELEMENTAIRE", "École élémentaire Jules Ferry",
         None, "ETUDE", 20, None),
        # paired by UAI although the name changed; CLAS 30 -> 42 (+12 but
        # +40 %): not listed
        ("SCHEME_STARTED", "COLLEGE", "Collège J. Jaurès", "0694106N",
         "ETUDE", None, 5)], "changes")
    tot = doc["totals"]
    t.equal(tot["ELEMENTAIRE"]["CLAS"], {"before": 20, "after": 43,
                                         "change": 23}, "Élémentaire CLAS")
    t.equal(tot["COLLEGE"]["schools"], {"before": 1, "after": 2,
                                        "change": 1}, "Collège schools")
    t.equal(tot["ALL"]["CLAS"], {"before": 54, "after": 91, "change": 37},
            "all CLAS")

    r = run(exe, "compare", old, new)
    out = r.stdout.decode()
    t.equal(r.returncode, 0, "compare report: status")
    for line in ["Établissements retrouvés : 3 (dont 1 par leur UAI",
                 "Élémentaire   CLAS                            20      43"
                 "     +23",
                 "Établissements apparus : 1\n  - Collège Evariste Galois "
                 "(Collège)",
                 "Établissements disparus : 1\n  - Lycée Louis Lumière",
                 "  - Collège J. Jaurès (Collège, UAI 0694106N) : Étude 0 → 5"
                 " (+5)",
                 "  - École élémentaire Alphonse-Daudet (Élémentaire) : CLAS "
                 "12 → 30 (+18, +150 %)"]:
        t.check(line in out, f"report has {line!r}")

    with tempdir() as tmp:
        xlsx = os.path.join(tmp, "comparaison.xlsx")
        r = run(exe, "compare", old, new, "-o", xlsx)
        t.equal(r.returncode, 0, "compare -o: status")
        order, sheets, formulas = read_xlsx(xlsx)
        t.equal(order, ["Évolution", "Changements"], "comparison sheets")
        evo = sheets["Évolution"]
        t.equal(row_values(evo, 1, 7), ["Commune", "Niveau", "Ligne",
                                        "Ancien", "Nouveau", "Écart",
                                        "Évolution"], "Évolution header")
        # Élémentaire: row 2 Établissements, rows 3..11 the nine schemes
        # (CLAS is the 7th: row 9).
        t.equal(row_values(evo, 9, 7)[:6], ["Villeurbanne", "Élémentaire",
                                             "CLAS", 20, 43, 23],
                "Élémentaire CLAS row")
        t.check(abs(evo.get((9, 7), 0) - 1.15) < 1e-9,
                f"evolution cached 23/20: {evo.get((9, 7))}")
        t.equal(formulas["Évolution"].get((9, 6)), "E9-D9", "Écart formula")
        t.equal(formulas["Évolution"].get((9, 7)), "(E9-D9)/D9",
                "Évolution formula")
        t.equal(evo.get((4, 7)), None, "no percentage from 0")
        t.equal(row_values(evo, 32, 5), ["Villeurbanne", "Total",
                                         "Établissements", 4, 4],
                "Total row")
        t.equal(evo.get((42, 1)), None, "one commune: 40 rows")
        ch = sheets["Changements"]
        t.equal(row_values(ch, 4, 9), [
            "Villeurbanne", "Effectif en forte variation", "Élémentaire",
            "École élémentaire Alphonse-Daudet", None, "CLAS", 12, 30, 18],
            "Changements row")
        t.equal(formulas["Changements"].get((4, 9)), "H4-G4",
                "Changements formula")
        t.equal(ch.get((7, 1)), None, "five changes")
        r = run(exe, "compare", old, os.path.join(tmp, "absent.csv"))
        t.equal(r.returncode, 2, "compare with a missing file: status 2")
        r = run(exe, "compare", old)
        t.equal(r.returncode, 64, "compare with one file: usage")
        r = run(exe, "compare", old, new, "-o", new)
        t.equal(r.returncode, 64, "compare never writes over an input")


def test_compare_folders(t, exe, samples_dir, fixtures):
    """compare OUT_2025 OUT_2026 (two batch output folders): communes paired,
    schools paired by the UAI read back from the workbooks."""
    import shutil
    with tempdir() as tmp:
        dirs = {}
        for year, files in (("2025", [
                os.path.join(fixtures, "ref", "clas-2025-villeurbanne.csv"),
                glob.glob(os.path.join(samples_dir, "p03-*", "*.csv"))[0]]),
                            ("2026", [
                os.path.join(fixtures, "ref", "clas-2026-villeurbanne.csv"),
                glob.glob(os.path.join(samples_dir, "p06-*", "*.xls"))[0]])):
            indir = os.path.join(tmp, "in" + year)
            outdir = os.path.join(tmp, "out" + year)
            os.makedirs(indir)
            os.makedirs(outdir)
            for f in files:
                shutil.copy(f, indir)
            run(exe, "batch", indir, outdir, "-j", "1")
            dirs[year] = outdir
        r = run(exe, "compare", dirs["2025"], dirs["2026"], "--json")
        t.equal(r.returncode, 0, "compare folders: status")
        doc = json.loads(r.stdout)
        communes = [(c["before"]["commune"], c["before"]["file"],
                     c["after"]["file"], c["kept"], c["kept_by_uai"])
                    for c in doc["communes"]]
        t.equal(communes, [
            ("Rillieux-la-Pape", None,
             "Tableau CLAS 2026 Rillieux-la-Pape.xlsx", 0, 0),
            ("Villeurbanne", "clas-2025-villeurbanne.xlsx",
             "clas-2026-villeurbanne.xlsx", 3, 1),
            ("Bron", "dispositifs_clas_2026_bron.xlsx", None, 0, 0)],
            "communes paired")
        ville = doc["communes"][1]
        t.equal([(c["kind"], c["school"]) for c in ville["changes"]], [
            ("SCHOOL_GONE", "Lycée Louis Lumière"),
            ("SCHOOL_NEW", "Collège Evariste Galois"),
            ("COUNT_MOVED", "École élémentaire Alphonse-Daudet"),
            ("SCHEME_STOPPED", "École élémentaire Jules Ferry"),
            ("SCHEME_STARTED", "Collège J. Jaurès")],
            "Villeurbanne as from the files")
        kinds = [c["kind"] for c in doc["communes"][0]["changes"]]
        t.equal(kinds, ["SCHOOL_NEW"] * 8, "Rillieux-la-Pape: all new")
        kinds = [c["kind"] for c in doc["communes"][2]["changes"]]
        t.equal(kinds, ["SCHOOL_GONE"] * 7, "Bron: all gone")
        xlsx = os.path.join(tmp, "cmp.xlsx")
        r = run(exe, "compare", dirs["2025"], dirs["2026"], "-o", xlsx)
        t.check("== Villeurbanne ==" in r.stdout.decode(),
                "report per commune")
        _, sheets, _ = read_xlsx(xlsx)
        evo = sheets["Évolution"]
        t.equal([evo.get((2 + 40 * i, 1)) for i in range(3)],
                ["Rillieux-la-Pape", "Villeurbanne", "Bron"],
                "40 rows per commune")
        t.equal(evo.get((122, 1)), None, "three communes")
        r = run(exe, "compare", dirs["2025"],
                os.path.join(fixtures, "ref", "clas-2026-villeurbanne.csv"))
        t.equal(r.returncode, 64, "a folder and a file: usage")


def test_batch(t, exe, samples_dir, annuaire):
    """batch --annuaire: loaded once, every file matched; the synthesis's
    Établissements sheet gets the UAI."""
    import shutil
    with tempdir() as tmp:
        indir, outdir = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        os.makedirs(indir)
        os.makedirs(outdir)
        for case in ("p01-*", "p03-*"):
            for inp in inputs_of(glob.glob(os.path.join(samples_dir,
                                                        case))[0]):
                shutil.copy(inp, indir)
        r = run(exe, "batch", indir, outdir, "-j", "2", "--annuaire",
                annuaire)
        t.equal(r.returncode, 1, "batch --annuaire: status as without")
        _, sheets, _ = read_xlsx(os.path.join(outdir, "synthese.xlsx"))
        sch = sheets["Établissements"]
        t.equal(sch.get((1, 17)), "UAI", "synthesis UAI column")
        uais = {sch.get((row, 3)): sch.get((row, 17))
                for row in range(2, 40) if sch.get((row, 3))}
        t.equal(uais.get("Lycée Ampère"), "0694307G", "Bron's lycée UAI")
        t.equal(uais.get("Lycée professionnel Ampère"), "0694109S",
                "Villeurbanne's LP UAI")
        t.equal(uais.get("École primaire Berthelot"), None,
                "ambiguous school has no UAI")
        out = [f for f in os.listdir(outdir) if "Villeurbanne" in f][0]
        _, sheets, _ = read_xlsx(os.path.join(outdir, out))
        t.equal(row_values(sheets["Dispositifs"], 10, 17)[14:],
                ["0694109S", "Lycée professionnel André-Marie Ampère", 85],
                "per-file workbook matched in the worker")
        r = run(exe, "batch", indir, outdir, "--annuaire",
                os.path.join(tmp, "absent.csv"))
        t.equal(r.returncode, 2, "batch with a missing annuaire: status 2")


def test_batch_one_row_per_uai(t, exe):
    """Issue 16: the synthesis's Établissements sheet is keyed by UAI where
    known: two files from two communes naming the same UAI give one row
    (counts summed, both communes); schools without a UAI keep one row per
    file."""
    with tempdir() as tmp:
        indir, outdir = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        os.makedirs(indir)
        os.makedirs(outdir)
        head = "Établissement;Niveau;Étude;CLAS;CLAS dont QPV\n"
        with open(os.path.join(indir, "villeurbanne.csv"), "w",
                  encoding="utf-8") as f:
            f.write("Commune : Villeurbanne\n" + head +
                    "Collège Jean Jaurès (0694106N);Collège;;15;5\n"
                    "Ecole Jules Ferry;Élémentaire;;8;2\n")
        with open(os.path.join(indir, "bron.csv"), "w",
                  encoding="utf-8") as f:
            f.write("Commune : Bron\n" + head +
                    "Clg J. Jaurès Villeurbanne (0694106N);Collège;2;3;1\n"
                    "Ecole Jules Ferry;Élémentaire;;4;0\n")
        run(exe, "batch", indir, outdir, "-j", "2")
        _, sheets, _ = read_xlsx(os.path.join(outdir, "synthese.xlsx"))
        sch = sheets["Établissements"]
        header = row_values(sch, 1, 18)
        clas = header.index("CLAS") + 1
        rows = [row_values(sch, r, 18) for r in range(2, 12)
                if sch.get((r, 1))]
        by_uai = [r for r in rows if r[16] == "0694106N"]
        t.equal(len(by_uai), 1, "one Établissements row for one UAI")
        if by_uai:
            r = by_uai[0]
            t.equal(r[0], "Bron ; Villeurbanne", "the row names both communes")
            t.equal(r[17], "bron.csv ; villeurbanne.csv", "and both files")
            t.equal(r[clas - 1], 18, "CLAS summed over the two files")
        ferry = [r for r in rows if r[2] == "École Jules Ferry"]
        t.equal([(r[0], r[clas - 1]) for r in ferry],
                [("Bron", 4), ("Villeurbanne", 8)],
                "without a UAI, one row per file as before")
        t.equal(len(rows), 3, "three Établissements rows")


def test_template(t, exe, annuaire):
    """template --commune --annuaire: the commune's schools, each name with
    its UAI, read back with their UAIs."""
    with tempdir() as tmp:
        out = os.path.join(tmp, "modele.xlsx")
        r = run(exe, "template", "-o", out, "--commune", "Saint-Fons",
                "--annuaire", annuaire)
        t.equal(r.returncode, 0, "template --annuaire: status")
        _, sheets, _ = read_xlsx(out)
        names = [v for (row, col), v in sorted(sheets[next(iter(sheets))]
                                                .items())
                 if col == 1 and isinstance(v, str) and "(069" in v]
        t.equal(names[:2], ["École élémentaire Lamartine (0694901C)",
                            "École maternelle Les Marronniers (0694902D)"],
                "template names carry their UAI")
        r, doc = check_json(exe, out)
        got = [(row["level"], row["school"], row["uai"])
               for row in doc["rows"]]
        t.equal(len(got), 9, "nine schools of Saint-Fons")
        t.equal(got[0], ("ELEMENTAIRE", "École élémentaire Lamartine",
                         "0694901C"), "first school read back")
        t.equal(got[-1], ("LYCEE", "Lycée polyvalent La Martinière",
                          "0694909L"), "last school read back")
        t.check(not any(a["code"] == "UAI_INVALID"
                        for a in doc["anomalies"]), "no UAI_INVALID")
        r = run(exe, "template", "-o", out, "--annuaire", annuaire)
        t.equal(r.returncode, 64, "template --annuaire without --commune")
        r = run(exe, "template", "-o", out, "--commune", "Lyon",
                "--annuaire", annuaire)
        t.equal(r.returncode, 2, "template --annuaire, commune not in it")
        t.check("aucun établissement à « Lyon »" in r.stderr.decode(),
                f"message: {r.stderr}")


def test_compare_in_libreoffice(t, exe, fixtures):
    """LibreOffice opens the comparison workbook and its recalculated Écart
    and Évolution equal the cached values."""
    import csv
    import shutil
    import subprocess
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice absent: LibreOffice check of compare skipped")
        return
    old = os.path.join(fixtures, "ref", "clas-2025-villeurbanne.csv")
    new = os.path.join(fixtures, "ref", "clas-2026-villeurbanne.csv")
    with tempdir() as tmp:
        out = os.path.join(tmp, "cmp.xlsx")
        run(exe, "compare", old, new, "-o", out)
        profile = "file://" + os.path.join(tmp, "profile")
        r = subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={profile}",
             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,"
             "false,true,false,false,false,-1", "--outdir",
             os.path.join(tmp, "csv"), out], capture_output=True,
            timeout=300)
        t.equal(r.returncode, 0, "soffice read the comparison")
        path = os.path.join(tmp, "csv", "cmp-Évolution.csv")
        if not t.check(os.path.exists(path), "Évolution sheet read"):
            return
        with open(path, encoding="utf-8") as f:
            rows = list(csv.reader(f))
        _, sheets, _ = read_xlsx(out)
        evo = sheets["Évolution"]
        bad = []
        for i, row in enumerate(rows[1:], start=2):
            if int(row[5]) != evo.get((i, 6)):
                bad.append((i, row[5], evo.get((i, 6))))
            # as shown ("115%") or as a number
            if row[6]:
                got = (float(row[6].rstrip("%")) / 100, 0.005) \
                    if row[6].endswith("%") else (float(row[6]) / 100, 1e-9)
                want = evo.get((i, 7))
                if want is None or abs(got[0] - want) > got[1]:
                    bad.append((i, row[6], want))
        t.equal(bad, [], "LibreOffice's Écart/Évolution = cached values")
        t.equal(len(rows), 41, "40 rows and the header")


def main():
    args = parse_args()
    t = Checker("reference")
    annuaire = os.path.join(args.fixtures, "annuaire", "annuaire-rhone.csv")
    test_uai_in_names(t, args.exe, args.fixtures)
    test_uai_column(t, args.exe, args.fixtures, annuaire)
    test_conflicts(t, args.exe, args.fixtures, annuaire)
    test_compare(t, args.exe, args.fixtures)
    test_batch_one_row_per_uai(t, args.exe)
    if have_samples(args.samples):
        test_samples_with_annuaire(t, args.exe, args.samples, annuaire)
        test_villeurbanne_matching(t, args.exe, args.samples, annuaire)
        test_bad_annuaire(t, args.exe, args.samples, args.fixtures)
        test_compare_folders(t, args.exe, args.samples, args.fixtures)
        test_batch(t, args.exe, args.samples, annuaire)
    else:
        print("SKIP: " + samples_absent("annuaire and compare checks on the "
                                        "samples"))
    test_template(t, args.exe, annuaire)
    test_compare_in_libreoffice(t, args.exe, args.fixtures)
    t.finish()


if __name__ == "__main__":
    main()
