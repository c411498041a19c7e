"""End-to-end test of issue "reference": UAI in the input (check letters,
UAI written in names), matching to the Annuaire de l'éducation fixture
(--annuaire: exact, fuzzy, ambiguous, missing, UAI and level conflicts),
the workbook's UAI columns, and `compare`."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, inputs_of, parse_args, read_xlsx, row_values,
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
        t.equal(disp.get((1, 16)), None, "no 16th column without annuaire")


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
        t.equal(row_values(disp, 1, 17)[14:],
                ["UAI", "Nom dans l'annuaire", "Confiance (%)"],
                "annuaire columns")
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


def main():
    args = parse_args()
    t = Checker("reference")
    annuaire = os.path.join(args.fixtures, "annuaire", "annuaire-rhone.csv")
    test_uai_in_names(t, args.exe, args.fixtures)
    test_samples_with_annuaire(t, args.exe, args.samples, annuaire)
    test_villeurbanne_matching(t, args.exe, args.samples, annuaire)
    test_conflicts(t, args.exe, args.fixtures, annuaire)
    test_bad_annuaire(t, args.exe, args.samples, args.fixtures)
    t.finish()


if __name__ == "__main__":
    main()
