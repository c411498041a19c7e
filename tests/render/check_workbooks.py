#!/usr/bin/env python3
"""check_workbooks.py: the workbooks people print, looked at as they meet
them. Every sample's workbook, the demo's, the coordinators' template (empty
and pre-filled) and a batch synthesis are rendered by LibreOffice headless to
PDF, then read back with poppler-utils:
  - pdfinfo: every page is A4 landscape;
  - pdffonts: the text is in Carlito or Liberation Sans (the metric twins of
    Calibri and Arial, so the layout is Excel's), embedded;
  - pdftotext -bbox: every page names the commune (page header), the body
    text is at least 8 pt (a word's box height over its font's box ratio),
    no header word is split across lines (each word of each column label
    is found whole on every page of its sheet), every anomaly message is
    found whole in the Message column, no text printed over other text (a
    row too short for its wrapped text), no "###" (a number too wide).
The PNG renders (pdftoppm -r 60) are kept under --artifacts.

Usage:
  check_workbooks.py --exe build/clasconv --samples ../shared/samples
                     --fixtures fixtures [--artifacts DIR]
Needs: libreoffice-calc, poppler-utils, fonts-crosextra-carlito (scripts/setup).
Exit 0 when every check passes, 1 otherwise, 77 when a tool is missing.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from common import Checker, have_samples, run, samples_absent, skip  # noqa

MIN_PT = 8.0
# Height of a word's box (pdftotext -bbox: the font's bounding box) per
# point of font size, measured on LibreOffice 7.4's PDFs against the Tf
# operators of the pages: 1.30 for Carlito and Liberation Sans (rounded up, so
# that the size read is never larger than the real one).
BOX_RATIO = {"Carlito": 1.31, "LiberationSans": 1.31}
SCHEMES = ["Étude", "École ouverte", "Accompagnement éducatif",
           "Stage de réussite", "PRE", "PRE dont QPV", "CLAS",
           "CLAS dont QPV", "Autre"]
# The column labels of each sheet, as written in row 1.
HEADERS = {
    "Dispositifs": ["Niveau", "Établissement"] + SCHEMES +
                   ["Autre (précision)", "Nom lu", "Cellule source"],
    "Totaux": ["Niveau", "Établissements"] + SCHEMES,
    "Anomalies": ["Gravité", "Niveau", "Établissement", "Dispositif",
                  "Message", "Valeur lue", "Valeur retenue", "Code",
                  "Cellule source", "Cellule du classeur"],
    "Source": ["Champ", "Valeur"],
    "Communes": ["Commune", "Fichier", "Niveau", "Établissements"] + SCHEMES +
                ["Erreurs", "Avertissements", "Statut"],
    # The file is the last column, outside the print area.
    "Établissements": ["Commune", "Niveau", "Établissement",
                       "Clé"] + SCHEMES +
                      ["Autre (précision)", "Nom lu", "Cellule source"],
    "Fichiers": ["Fichier", "Commune", "Format", "Statut", "Erreurs",
                 "Avertissements", "Infos", "Message", "Sortie", "SHA-256",
                 "Décompte"],
    "Territoire": ["Niveau", "Établissements"] + SCHEMES,
    "Tableau CLAS": ["ETUDE", "ECOLE OUVERTE", "ACCOMPAGNEMENT EDUCATIF",
                     "STAGE DE REUSSITE",
                     "PROGRAMME DE REUSSITE EDUCATIVE (PRE)", "(CLAS)",
                     "AUTRE (PRECISER)", "PRÉCISION (AUTRE)"],
}
# The synthesis' Anomalies sheet has its own columns.
SYNTH_ANOMALIES = ["Commune", "Fichier", "Code", "Gravité", "Niveau",
                   "Établissement", "Dispositif", "Cellule source",
                   "Valeur lue", "Valeur retenue", "Message"]
WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                     r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def unescape(text):
    return (text.replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def pages_of(pdf):
    """Words of each page: lists of (x0, y0, x1, y1, text)."""
    r = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True,
                       timeout=120)
    out = r.stdout.decode("utf-8", "replace")
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), unescape(w))
                      for a, b, c, d, w in WORD_RE.findall(page)])
    return pages


def fonts_of(pdf):
    r = subprocess.run(["pdffonts", pdf], capture_output=True, timeout=60)
    names = []
    for line in r.stdout.decode("utf-8", "replace").splitlines()[2:]:
        if line.strip():
            name = line.split()[0]
            names.append((name.split("+")[-1], line.split()[-5]))
    return names


def page_sizes(pdf):
    r = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", pdf],
                       capture_output=True, timeout=60)
    return re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)",
                      r.stdout.decode("utf-8", "replace"))


def norm(text):
    """Spaces collapsed; a line broken after a hyphen (« en- / tête ») is
    a break between words, joined back."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)


def column_text(words, left, right):
    """The words whose box starts in [left, right), in reading order."""
    picked = sorted((w for w in words if left - 1 <= w[0] < right - 1),
                    key=lambda w: (round(w[1]), w[0]))
    return " ".join(w[4] for w in picked)


def overlaps(words):
    """Pairs of words printed over each other (a wrapped text taller than
    its row): boxes that cross by more than a point across and 40 % of a
    line down."""
    found = []
    ws = sorted(words, key=lambda w: w[1])
    for i, a in enumerate(ws):
        for b in ws[i + 1:]:
            if b[1] >= a[3]:
                break
            dy = min(a[3], b[3]) - max(a[1], b[1])
            dx = min(a[2], b[2]) - max(a[0], b[0])
            if dx > 1 and dy > 0.4 * min(a[3] - a[1], b[3] - b[1]):
                found.append((a[4], b[4]))
    return found


def check_pdf(t, name, pdf, commune, sheets, messages, png_dir):
    """All the checks on one rendered workbook. `sheets` maps each sheet
    name to its column labels; `messages` lists the messages that must be
    found whole in the Message column of the Anomalies sheet."""
    sizes = page_sizes(pdf)
    pages = pages_of(pdf)
    t.check(len(pages) >= len(sheets) and len(pages) == len(sizes),
            f"{name}: {len(pages)} pages rendered")
    for i, (w, h) in enumerate(sizes, 1):
        t.check(abs(float(w) - 841.9) < 1 and abs(float(h) - 595.3) < 1,
                f"{name} page {i}: A4 landscape ({w} x {h})")
    fonts = fonts_of(pdf)
    ratios = []
    for font, emb in fonts:
        family = font.split("-")[0]
        t.check(family in BOX_RATIO and emb == "yes",
                f"{name}: font {font} is a metric twin of Calibri or Arial, "
                f"embedded")
        ratios.append(BOX_RATIO.get(family, 1.0))
    ratio = max(ratios) if ratios else 1.0
    found_messages = []
    for i, words in enumerate(pages, 1):
        where = f"{name} page {i}"
        text = " ".join(w[4] for w in words)
        t.check(commune in norm(text),
                f"{where}: names the commune « {commune} »")
        sheet = next((s for s in sheets
                      if any(w[4] == s.split()[-1] and w[1] < 40
                             for w in words)), None)
        if not t.check(sheet is not None, f"{where}: sheet named in the "
                                          f"page header"):
            continue
        smallest = min(((w[3] - w[1]) / ratio for w in words), default=0)
        t.check(smallest >= MIN_PT,
                f"{where} ({sheet}): smallest text {smallest:.1f} pt "
                f">= {MIN_PT}")
        crossed = overlaps(words)
        t.check(not crossed, f"{where} ({sheet}): no text printed over "
                             f"other text ({crossed[:3]})")
        t.check("###" not in text, f"{where} ({sheet}): no ### (number too "
                                   f"wide for its column)")
        word_set = {w[4] for w in words}
        for label in sheets[sheet]:
            for part in label.split():
                t.check(part in word_set,
                        f"{where} ({sheet}): header word « {part} » whole")
        if sheet == "Anomalies":
            head = [w for w in words if w[4] == "Message" and w[1] < 120]
            if t.check(len(head) == 1, f"{where}: Message column found"):
                # The column ends where the next label starts.
                left, labels = head[0][0], sheets[sheet]
                after = labels[labels.index("Message") + 1:]
                right = 1e9
                if after:
                    first = after[0].split()[0]
                    nexts = [w[0] for w in words if w[4] == first and
                             w[0] > head[0][2] and w[1] < head[0][3] + 20]
                    right = min(nexts, default=1e9)
                found_messages.append(norm(column_text(words, left, right)))
    # Lines break at spaces, after hyphens and after « ! » (Feuil1!A3):
    # compared without the breaks, every character in order.
    column = "".join(found_messages).replace(" ", "")
    for m in messages:
        t.check(norm(m).replace(" ", "") in column,
                f"{name}: message whole: {m[:60]}…")
    stem = os.path.join(png_dir, name)
    for old in glob.glob(stem + "-*.png"):
        os.remove(old)
    r = subprocess.run(["pdftoppm", "-r", "60", "-png", pdf, stem],
                       capture_output=True, timeout=120)
    t.equal(r.returncode, 0, f"{name}: PNG renders kept in {png_dir}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exe", required=True)
    p.add_argument("--samples", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--artifacts", default=None)
    args = p.parse_args()
    t = Checker("render")
    soffice = shutil.which("soffice")
    for tool in ("soffice", "pdftotext", "pdffonts", "pdfinfo", "pdftoppm"):
        if not shutil.which(tool):
            skip(f"{tool} absent: rendering check skipped (scripts/setup "
                 f"installs libreoffice-calc and poppler-utils)")
    png_dir = args.artifacts or os.path.join(tempfile.gettempdir(),
                                             "clasconv-workbooks")
    os.makedirs(png_dir, exist_ok=True)
    book_sheets = {s: HEADERS[s] for s in
                   ("Dispositifs", "Totaux", "Anomalies", "Source")}
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []  # (name, xlsx, commune, sheets, messages)
        demo = sorted(glob.glob(os.path.join(args.fixtures, "demo", "*")))
        inputs = [("demo", demo[0])] if demo else []
        if have_samples(args.samples):
            for exp_path in sorted(glob.glob(os.path.join(
                    args.samples, "*", "expected.json"))):
                with open(exp_path, encoding="utf-8") as f:
                    exp = json.load(f)
                if "expect_failure" not in exp:
                    inputs.append((exp["case"], os.path.join(
                        os.path.dirname(exp_path), exp["file"])))
        else:
            print("SKIP: " + samples_absent("rendering of the samples' "
                                            "workbooks"), flush=True)
        for name, inp in inputs:
            out = os.path.join(tmp, name + ".xlsx")
            r = run(args.exe, "convert", inp, "-o", out, "--json")
            if not t.equal(r.returncode, 0, f"{name}: converted"):
                continue
            doc = json.loads(r.stdout.decode("utf-8").splitlines()[-1]
                             if not r.stdout.startswith(b"{")
                             else r.stdout)
            jobs.append((name, out, doc["commune"], book_sheets,
                         [a["message"] for a in doc["anomalies"]]))
        # The template, empty and pre-filled from the demo.
        out = os.path.join(tmp, "modele.xlsx")
        r = run(args.exe, "template", "-o", out, "--commune", "Bron")
        if t.equal(r.returncode, 0, "template written"):
            jobs.append(("modele", out, "Bron",
                         {"Tableau CLAS": HEADERS["Tableau CLAS"]}, []))
        if demo:
            out = os.path.join(tmp, "modele-depuis.xlsx")
            r = run(args.exe, "template", "-o", out, "--depuis", demo[0])
            if t.equal(r.returncode, 0, "template --depuis written"):
                jobs.append(("modele-depuis", out, "Exemple-sur-Saône",
                             {"Tableau CLAS": HEADERS["Tableau CLAS"]}, []))
        # A synthesis of the demo and the samples.
        indir = os.path.join(tmp, "lot")
        os.makedirs(indir)
        for name, inp in inputs:
            shutil.copy(inp, os.path.join(indir, name + "-" +
                                          os.path.basename(inp)))
        outdir = os.path.join(tmp, "sortie")
        os.makedirs(outdir)
        r = run(args.exe, "batch", indir, outdir, timeout=300)
        synth = os.path.join(outdir, "synthese.xlsx")
        if t.check(r.returncode in (0, 1) and os.path.exists(synth),
                   f"batch wrote synthese.xlsx ({r.returncode})"):
            sheets = {s: HEADERS[s] for s in
                      ("Communes", "Établissements", "Fichiers",
                       "Territoire")}
            sheets["Anomalies"] = SYNTH_ANOMALIES
            jobs.append(("synthese", synth, "Synthèse CLAS", sheets, []))

        profile = "file://" + os.path.join(tmp, "profile")
        pdf_dir = os.path.join(tmp, "pdf")
        r = subprocess.run([soffice, "--headless", "--norestore",
                            f"-env:UserInstallation={profile}",
                            "--convert-to", "pdf", "--outdir", pdf_dir] +
                           [j[1] for j in jobs], capture_output=True,
                           timeout=600)
        t.equal(r.returncode, 0, f"soffice exit status ({r.stderr[-300:]!r})")
        for name, xlsx, commune, sheets, messages in jobs:
            pdf = os.path.join(pdf_dir, os.path.splitext(
                os.path.basename(xlsx))[0] + ".pdf")
            if t.check(os.path.exists(pdf), f"{name}: rendered to PDF"):
                check_pdf(t, name, pdf, commune, sheets, messages, png_dir)
    t.finish()


if __name__ == "__main__":
    main()
