"""Shared helpers for the end-to-end tests: run the real executable, read
the workbook it writes (zip + XML, standard library only), compare."""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
SCHEMES = ["ETUDE", "ECOLE_OUVERTE", "ACCOMPAGNEMENT_EDUCATIF",
           "STAGE_REUSSITE", "PRE", "PRE_QPV", "CLAS", "CLAS_QPV", "AUTRE"]
LEVELS = ["ELEMENTAIRE", "COLLEGE", "LYCEE"]
LEVEL_LABELS = {"ELEMENTAIRE": "Élémentaire", "COLLEGE": "Collège",
                "LYCEE": "Lycée"}


# Exit status of a skipped test: ctest's SKIP_RETURN_CODE for every e2e test
# (tests/CMakeLists.txt), so ctest shows it as skipped, not passed.
SKIP = 77


def skip(reason):
    """Prints one SKIP line and exits with SKIP."""
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def have_samples(samples):
    """True when ../shared/samples is there. It lives outside the
    repository: a bare clone has none."""
    return os.path.isdir(samples)


def samples_absent(what):
    """The one line that says which checks a bare clone leaves out."""
    return f"../shared/samples absent (bare clone): {what} skipped"


def require_samples(samples, what):
    """Skips the whole test when ../shared/samples is absent."""
    if not have_samples(samples):
        skip(samples_absent(what))


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--exe", required=True)
    p.add_argument("--samples", required=True)
    p.add_argument("--fixtures", required=True)
    return p.parse_args()


def key(text):
    """The school key of SPEC section 2, as clasconv computes it."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    t = t.replace("Æ", "ae").casefold()
    t = re.sub(r"[^0-9a-z]+", " ", t)
    return t.strip()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(exe, *args, timeout=60):
    return subprocess.run([exe, *args], capture_output=True, timeout=timeout)


class Checker:
    """Counts checks; prints failures and the closing 'N passed' line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL [{self.name}] {what}", flush=True)
        return cond

    def equal(self, got, want, what):
        return self.check(got == want, f"{what}: got {got!r}, want {want!r}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def read_xlsx(path):
    """Returns {sheet name: {(row, col): value}} with formulas' cached
    values, plus the list of sheet names in order and formulas seen."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter(
                    "{%s}t" % NS["m"])))
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        order, sheets, formulas = [], {}, {}
        for s in wb.find("m:sheets", NS):
            name = s.get("name")
            rid = s.get("{%s}id" % NS["r"])
            t = target[rid]
            part = t.lstrip("/") if t.startswith("/") else "xl/" + t
            order.append(name)
            cells, forms = {}, {}
            root = ET.fromstring(z.read(part))
            for c in root.iter("{%s}c" % NS["m"]):
                ref = c.get("r")
                m = re.match(r"([A-Z]+)(\d+)$", ref)
                col = 0
                for ch in m.group(1):
                    col = col * 26 + ord(ch) - 64
                pos = (int(m.group(2)), col)
                v = c.find("m:v", NS)
                f = c.find("m:f", NS)
                typ = c.get("t")
                if typ == "s" and v is not None:
                    val = shared[int(v.text)]
                elif typ == "inlineStr":
                    val = "".join(t.text or "" for t in c.iter(
                        "{%s}t" % NS["m"]))
                elif typ == "str":
                    val = v.text if v is not None else ""
                elif v is not None:
                    num = float(v.text)
                    val = int(num) if num.is_integer() else num
                else:
                    val = None
                if val is not None:
                    cells[pos] = val
                if f is not None:
                    forms[pos] = f.text
            sheets[name] = cells
            formulas[name] = forms
    return order, sheets, formulas


def row_values(cells, row, ncols):
    return [cells.get((row, c)) for c in range(1, ncols + 1)]


def tempdir():
    return tempfile.TemporaryDirectory(prefix="clasconv-e2e-")


def inputs_of(folder):
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder))
            if f != "expected.json"]
