"""HTML tables (fixtures/html, written by scripts/gen-html-fixtures),
through the real executable.

The pages LibreOffice Calc, LibreOffice Writer and Gnumeric exported from
fixtures we read natively give the same rows, counts, totals, anomalies
and source cells as their originals (`Feuil1!C7` becomes `tableau 1,
ligne 7, colonne 3`); the hand-made pages give the figures MANIFEST.json
states; the page without a table is refused in French with exit 2 and no
workbook; every input is left unchanged; `batch` converts an HTML page
named .xls among the others."""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, parse_args, read_xlsx, run, sha256,
                    tempdir)


def sheet_ref_as_word(cell):
    """`Feuil1!C7` -> `tableau 1, ligne 7, colonne 3` (the export of the
    first sheet as the page's first table)."""
    if cell is None:
        return None
    m = re.fullmatch(r"[^!]+!([A-Z]+)([0-9]+)", cell)
    if not m:
        return cell  # a Word reference stays as it is
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return f"tableau 1, ligne {m.group(2)}, colonne {col}"


def convert(t, exe, path, out):
    before = sha256(path)
    r = run(exe, "convert", path, "-o", out, "--json")
    t.equal(sha256(path), before, f"{os.path.basename(path)}: unchanged")
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        t.check(False, f"{path}: JSON on stdout: {r.stdout[:200]!r}")
        return r, None


def anomalies(doc, as_word):
    out = []
    for a in doc["anomalies"]:
        if a["code"] == "COMMUNE_FROM_FILENAME":
            continue  # the file names differ
        cell = sheet_ref_as_word(a["cell"]) if as_word else a["cell"]
        out.append((a["code"], a["severity"], a["school"], a["scheme"],
                    cell))
    return sorted(out, key=repr)


def check_converted(t, exe, fixtures, entry, tmp):
    name = entry["file"]
    src = os.path.join(fixtures, entry["source"])
    r0, want = convert(t, exe, src, os.path.join(tmp, "src.xlsx"))
    r1, got = convert(t, exe, os.path.join(fixtures, "html", name),
                      os.path.join(tmp, name + ".xlsx"))
    if want is None or got is None:
        return
    t.equal(r1.returncode, r0.returncode, f"{name}: exit status as source")
    t.equal(got["format"], "html", f"{name}: format")
    as_word = not src.endswith(".docx")
    t.equal(got["sheet"], sheet_ref_as_word(want["sheet"] + "!A1")
            .split(",")[0] if as_word else want["sheet"],
            f"{name}: table read")
    t.equal(len(got["rows"]), len(want["rows"]), f"{name}: rows")
    for g, w in zip(got["rows"], want["rows"]):
        where = f"{name} {w['read_name']}"
        for k in ("level", "school", "read_name", "counts"):
            t.equal(g[k], w[k], f"{where}: {k}")
        t.equal(g["cell"], sheet_ref_as_word(w["cell"]) if as_word
                else w["cell"], f"{where}: source cell")
    t.equal(got["totals"], want["totals"], f"{name}: totals")
    t.equal(anomalies(got, False), anomalies(want, as_word),
            f"{name}: anomalies")
    if "commune" in want and want.get("commune_source") != "nom_de_fichier":
        t.equal(got["commune"], want["commune"], f"{name}: commune")


def check_hand_made(t, exe, fixtures, entry, tmp):
    name = entry["file"]
    path = os.path.join(fixtures, "html", name)
    out = os.path.join(tmp, name + ".xlsx")
    r, doc = convert(t, exe, path, out)
    if doc is None:
        return
    if "expect_failure" in entry:
        t.equal(r.returncode, 2, f"{name}: exit status")
        t.check(not os.path.exists(out), f"{name}: no workbook written")
        codes = [a["code"] for a in doc["anomalies"]]
        t.equal(codes, [entry["expect_failure"]], f"{name}: codes")
        msg = r.stderr.decode("utf-8", "replace")
        t.check("page web" in msg and "aucun tableau" in msg,
                f"{name}: French message says what is wrong: {msg!r}")
        return
    t.check(r.returncode in (0, 1), f"{name}: converted ({r.stderr!r})")
    t.check(os.path.exists(out), f"{name}: workbook written")
    t.equal(doc["format"], "html", f"{name}: format")
    if "commune" in entry:
        t.equal(doc["commune"], entry["commune"], f"{name}: commune")
    if "sheet" in entry:
        t.equal(doc["sheet"], entry["sheet"], f"{name}: table read")
    got = [[row["level"], row["school"],
            {k: v for k, v in row["counts"].items() if v is not None}]
           for row in doc["rows"]]
    t.equal(got, entry["rows"], f"{name}: rows and counts")
    codes = [a["code"] for a in doc["anomalies"]]
    t.equal("ENCODING_ASSUMED" in codes, bool(entry.get("encoding_assumed")),
            f"{name}: ENCODING_ASSUMED")
    for code in entry.get("codes", []):
        t.check(code in codes, f"{name}: {code} in {codes}")
    # The workbook holds the same figures.
    _, sheets, _ = read_xlsx(out)
    disp = sheets.get("Dispositifs", {})
    names = [disp.get((r, 2)) for r in range(2, 2 + len(entry["rows"]))]
    t.equal(names, [row[1] for row in entry["rows"]],
            f"{name}: Dispositifs names")


def main():
    args = parse_args()
    t = Checker("html_read")
    folder = os.path.join(args.fixtures, "html")
    with open(os.path.join(folder, "MANIFEST.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    t.check(len(manifest) >= 9, f"{len(manifest)} HTML fixtures")
    writers = {e["writer"].split(" (")[0] for e in manifest
               if "source" in e}
    t.check(len(writers) >= 3, f"exports of three writers: {writers}")
    with tempdir() as tmp:
        for entry in manifest:
            if "source" in entry:
                check_converted(t, args.exe, args.fixtures, entry, tmp)
            else:
                check_hand_made(t, args.exe, args.fixtures, entry, tmp)
        # batch: an HTML page named .xls converts beside a CSV.
        indir = os.path.join(tmp, "in")
        outdir = os.path.join(tmp, "out")
        os.mkdir(indir)
        shutil.copy(os.path.join(folder, "Export_CLAS_Vernaison.xls"), indir)
        shutil.copy(os.path.join(folder, "form-spans.html"), indir)
        r = run(args.exe, "batch", indir, outdir)
        t.check(r.returncode in (0, 1), f"batch ran: {r.stderr[-300:]!r}")
        with open(os.path.join(outdir, "rapport.csv"), encoding="utf-8-sig") \
                as f:
            report = f.read()
        t.check("Export_CLAS_Vernaison.xls" in report and
                "form-spans.html" in report, "batch: both files reported")
        t.check(os.path.exists(os.path.join(outdir,
                                            "Export_CLAS_Vernaison.xlsx")),
                "batch: the .xls page converted")
    t.finish()


if __name__ == "__main__":
    main()
