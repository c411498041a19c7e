"""End-to-end tests of the command line: refused inputs exit 2 and write
nothing, outputs are atomic, usage errors exit 64, inputs stay unchanged."""
import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, have_samples, parse_args, run, samples_absent,
                    sha256, tempdir)


def sample(samples, case):
    folder = os.path.join(samples, case)
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as f:
        return os.path.join(folder, json.load(f)["file"])


def refused(t, exe, path, tmp, code, what):
    out = os.path.join(tmp, "refused.xlsx")
    before = sha256(path)
    r = run(exe, "convert", path, "-o", out, "--json")
    t.equal(r.returncode, 2, f"{what}: exit status")
    t.check(not os.path.exists(out), f"{what}: no workbook written")
    t.check(not [f for f in os.listdir(tmp) if f.startswith(".")],
            f"{what}: no temporary file left")
    doc = json.loads(r.stdout)
    t.equal([a["code"] for a in doc["anomalies"]], [code], f"{what}: code")
    msg = r.stderr.decode("utf-8")
    t.check("clasconv:" in msg and len(msg) > 60,
            f"{what}: a French message on stderr: {msg!r}")
    t.equal(sha256(path), before, f"{what}: input unchanged")
    return msg


def main():
    args = parse_args()
    exe = args.exe
    t = Checker("cli")
    demo = glob.glob(os.path.join(args.fixtures, "demo", "*.csv"))[0]
    samples = have_samples(args.samples)
    if not samples:
        print("SKIP: " + samples_absent("the command-line checks on the samples"
                                        " (HTML as .xls, truncated .xls, "
                                        "budget sheet, check --json)"),
              flush=True)
    with tempdir() as tmp:
        # Refused inputs: empty, HTML named .xls, truncated .xls, a folder.
        empty = os.path.join(tmp, "vide.xls")
        open(empty, "wb").close()
        msg = refused(t, exe, empty, tmp, "FILE_UNREADABLE", "empty file")
        t.check("vide" in msg, f"empty file: message says so: {msg!r}")
        page = os.path.join(args.fixtures, "html", "no-table.html")
        msg = refused(t, exe, page, tmp, "FILE_UNREADABLE",
                      "HTML page without a table")
        t.check("HTML" in msg and "aucun tableau" in msg and
                "Demandez" in msg,
                f"HTML: says what it is and what to do: {msg!r}")
        if samples:
            # An HTML table named .xls is read (SPEC §5).
            html = sample(args.samples, "p07-bad-html-as-xls-decines")
            out = os.path.join(tmp, "decines.xlsx")
            r = run(exe, "convert", html, "-o", out)
            t.equal(r.returncode, 0, f"HTML as .xls: read ({r.stderr!r})")
            t.check(os.path.exists(out), "HTML as .xls: workbook written")
            truncated = os.path.join(tmp, "tronque.xls")
            with open(sample(args.samples, "p01-form-xls-villeurbanne"),
                      "rb") as f:
                data = f.read()
            with open(truncated, "wb") as f:
                f.write(data[:len(data) // 3])
            refused(t, exe, truncated, tmp, "FILE_UNREADABLE",
                    "truncated .xls")
        pdf = os.path.join(tmp, "tableau.xlsx")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
        msg = refused(t, exe, pdf, tmp, "FILE_UNREADABLE", "PDF as .xlsx")
        t.check("PDF" in msg, f"PDF: named in message: {msg!r}")
        if samples:
            budget = sample(args.samples, "p08-bad-budget-sheet-meyzieu")
            refused(t, exe, budget, tmp, "TABLE_NOT_FOUND", "budget sheet")
        r = run(exe, "convert", os.path.join(tmp, "absent.csv"))
        t.equal(r.returncode, 2, "missing input: exit status")
        t.check("introuvable" in r.stderr.decode(), "missing input: message")

        # A CSV named .xls is read as CSV (format told by content).
        csv_as_xls = os.path.join(tmp, "Tableau CLAS - Exemple.xls")
        shutil.copy(demo, csv_as_xls)
        out = os.path.join(tmp, "csv-as-xls.xlsx")
        r = run(exe, "convert", csv_as_xls, "-o", out, "--json")
        t.equal(r.returncode, 0, "CSV named .xls: converted")
        t.equal(json.loads(r.stdout)["format"], "csv", "CSV named .xls")

        # Default output name; never the input itself.
        local = os.path.join(tmp, "Exemple.csv")
        shutil.copy(demo, local)
        r = run(exe, "convert", local)
        t.equal(r.returncode, 0, "default output: exit status")
        t.check(os.path.exists(os.path.join(tmp, "Exemple.xlsx")),
                "default output: Exemple.xlsx written")
        t.check("Exemple.xlsx" in r.stderr.decode(), "says where it wrote")
        r = run(exe, "convert", local, "-o", local)
        t.equal(r.returncode, 64, "output = input: refused as usage")
        t.equal(sha256(local), sha256(demo), "output = input: input intact")
        # The standardized workbook reads back with the same totals, and an
        # .xlsx input is never overwritten by its default output.
        own = os.path.join(tmp, "Exemple.xlsx")
        before = sha256(own)
        first = json.loads(run(exe, "check", "--json", demo).stdout)
        r = run(exe, "convert", own, "--json")
        t.equal(r.returncode, 0, "own workbook: converted back")
        t.equal(sha256(own), before, "an .xlsx input is never overwritten")
        t.check(os.path.exists(os.path.join(tmp, "Exemple-clasconv.xlsx")),
                "own workbook: default output gets another name")
        back = json.loads(r.stdout)
        t.equal(back["totals"], first["totals"], "round trip: same totals")
        t.equal([(x["level"], x["school"], x["counts"]) for x in back["rows"]],
                [(x["level"], x["school"], x["counts"])
                 for x in first["rows"]], "round trip: same rows")
        # A commune taken from the file name reads back as that commune, not
        # as the text beside the COMMUNE_FROM_FILENAME code of Anomalies.
        named = os.path.join(tmp, "Bron.csv")
        with open(named, "w", encoding="utf-8") as f:
            f.write("Établissement;CLAS;CLAS dont QPV\n"
                    "NIVEAU ÉLÉMENTAIRE;;\nEE Jules Ferry;12;4\n")
        r = run(exe, "convert", named, "-o", os.path.join(tmp, "bron.xlsx"))
        t.equal(r.returncode, 0, "file-name commune: converted")
        back = json.loads(run(exe, "check", "--json",
                              os.path.join(tmp, "bron.xlsx")).stdout)
        t.equal(back["commune"], "Bron", "file-name commune: reads back")

        # A failed conversion leaves an existing output untouched.
        keep = os.path.join(tmp, "garde.xlsx")
        with open(keep, "wb") as f:
            f.write(b"ancien contenu")
        r = run(exe, "convert", empty, "-o", keep)
        t.equal(r.returncode, 2, "failed run over existing output: status")
        with open(keep, "rb") as f:
            t.equal(f.read(), b"ancien contenu", "existing output untouched")
        # An output path that is a folder, or in a missing folder.
        r = run(exe, "convert", demo, "-o", tmp)
        t.equal(r.returncode, 2, "output is a folder: exit 2")
        r = run(exe, "convert", demo, "-o", os.path.join(tmp, "no", "x.xlsx"))
        t.equal(r.returncode, 2, "output in a missing folder: exit 2")
        t.check(not os.path.exists(os.path.join(tmp, "no")),
                "missing folder not created")

        # check: exit 1 with errors, readable report, JSON.
        r = run(exe, "check", demo)
        t.equal(r.returncode, 1, "check with errors: exit 1")
        report = r.stdout.decode("utf-8")
        for want in ("Exemple-sur-Saône", "2 erreurs", "QPV_EXCEEDS_TOTAL",
                     "ligne 12, champ 2", "Élémentaire"):
            t.check(want in report, f"check report mentions {want!r}")
        if samples:
            r = run(exe, "check", "--json",
                    sample(args.samples, "p01-form-xls-villeurbanne"))
            t.equal(r.returncode, 0, "check without errors: exit 0")
            t.equal(json.loads(r.stdout)["totals"]["ALL"]["schools"], 10,
                    "check --json totals")

        # A zip cut off in a copy is called incomplete, not hostile.
        layouts = glob.glob(os.path.join(args.fixtures, "layouts", "*.xlsx"))
        with open(layouts[0], "rb") as f:
            data = f.read()
        cut = os.path.join(tmp, "coupe.xlsx")
        with open(cut, "wb") as f:
            f.write(data[:len(data) * 9 // 10])
        msg = refused(t, exe, cut, tmp, "FILE_UNREADABLE", "truncated .xlsx")
        t.check("incomplet" in msg and "redemandez" in msg and
                "malveillant" not in msg,
                f"truncated .xlsx: incomplete, ask again: {msg!r}")
        # Values left empty say what to enter (NC, 12,5, -2...).
        r = run(exe, "check", "--json", demo)
        for a in json.loads(r.stdout)["anomalies"]:
            if a["code"].startswith("VALUE_"):
                t.check("Saisissez le nombre d'enfants" in a["message"] or
                        "saisissez le nombre d'enfants" in a["message"],
                        f"{a['code']}: says what to enter: {a['message']!r}")

        # check on a missing or unreadable file: one message, one verdict.
        for path, what in ((os.path.join(tmp, "absent.xls"), "missing"),
                           (tmp, "a folder"), (empty, "empty")):
            r = run(exe, "check", path)
            out = r.stdout.decode("utf-8") + r.stderr.decode("utf-8")
            t.equal(r.returncode, 2, f"check {what}: exit status")
            t.equal(out.count("[FILE_UNREADABLE]"), 1,
                    f"check {what}: one message: {out!r}")
            t.equal(r.stderr, b"", f"check {what}: not repeated on stderr")
            t.check("n'a pas pu être lu" in out and "à corriger" not in out
                    and out.count("Rien n'a été vérifié") == 1,
                    f"check {what}: one verdict: {out!r}")
        # Terminal reports fit 80 columns (code points), every sample too.
        reports = [demo, empty]
        if samples:
            reports += glob.glob(os.path.join(args.samples, "*", "*.*"))
        for path in reports:
            if path.endswith(".json"):
                continue
            r = run(exe, "check", path)
            for line in (r.stdout + r.stderr).decode("utf-8").splitlines():
                if line.startswith("clasconv: "):
                    continue  # one long stderr line, wrapped by the terminal
                t.check(len(line) <= 80, f"check {os.path.basename(path)}: "
                        f"line of {len(line)} columns: {line!r}")

        # Usage.
        for argv, what in ((["convert"], "no input"),
                           (["convert", demo, "--frobnicate"], "bad option"),
                           (["frobnicate"], "unknown command"),
                           ([], "no command")):
            r = run(exe, *argv)
            t.equal(r.returncode, 64, f"usage: {what}")
        r = run(exe, "--version")
        t.check(r.returncode == 0 and r.stdout.startswith(b"clasconv "),
                "--version")
        r = run(exe, "--help")
        t.check(r.returncode == 0 and b"convert" in r.stdout, "--help")
    t.finish()


if __name__ == "__main__":
    main()
