"""Opens every standardized workbook in LibreOffice (headless) when it is
installed: each must load without error, and the Totaux that LibreOffice
recalculates from the formulas must equal the cached values clasconv
wrote. Skipped, and said so, when soffice is absent (`scripts/setup`
installs it)."""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, parse_args, read_xlsx, require_samples, run, skip,
                    tempdir)

FILTER = ("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,"
          "false,false,-1")


def main():
    args = parse_args()
    t = Checker("libreoffice")
    soffice = shutil.which("soffice")
    if not soffice:
        skip("soffice absent: LibreOffice check skipped "
             "(scripts/setup installs it)")
    require_samples(args.samples, "LibreOffice check of the samples")
    with tempdir() as tmp:
        outs = []
        for exp_path in sorted(glob.glob(os.path.join(args.samples, "*",
                                                      "expected.json"))):
            with open(exp_path, encoding="utf-8") as f:
                exp = json.load(f)
            if "expect_failure" in exp:
                continue
            inp = os.path.join(os.path.dirname(exp_path), exp["file"])
            out = os.path.join(tmp, f"w{len(outs)}.xlsx")
            r = run(args.exe, "convert", inp, "-o", out)
            if t.equal(r.returncode, 0, f"{exp['case']}: converted"):
                outs.append((exp["case"], out))
        # The coordinators' template, empty and pre-filled, opens too.
        for name, extra in (("modele", []), ("modele-depuis", [
                "--depuis", os.path.join(args.samples,
                                         "p01-form-xls-villeurbanne",
                                         "Tableau dispositifs CLAS 2026 - "
                                         "Villeurbanne.xls")])):
            out = os.path.join(tmp, name + ".xlsx")
            r = run(args.exe, "template", "-o", out, *extra)
            if t.equal(r.returncode, 0, f"template {name}: written"):
                outs.append(("template " + name, out))
        profile = "file://" + os.path.join(tmp, "profile")
        r = subprocess.run([soffice, "--headless",
                            f"-env:UserInstallation={profile}",
                            "--convert-to", FILTER, "--outdir",
                            os.path.join(tmp, "csv")] +
                           [o for _, o in outs], capture_output=True,
                           timeout=300)
        t.equal(r.returncode, 0, f"soffice exit status ({r.stderr[-300:]!r})")
        for case, out in outs:
            stem = os.path.splitext(os.path.basename(out))[0]
            if case.startswith("template"):
                sheets = [f for f in os.listdir(os.path.join(tmp, "csv"))
                          if f == stem + "-Tableau CLAS.csv"]
                t.check(len(sheets) == 1, f"{case}: LibreOffice read it "
                                          f"({sheets})")
                if sheets:
                    with open(os.path.join(tmp, "csv", sheets[0]),
                              encoding="utf-8") as f:
                        text = f.read()
                    t.check("TOTAL ELEMENTAIRE" in text.upper(),
                            f"{case}: TOTAL rows present")
                    if "depuis" in case:
                        t.check("Paul Bert" in text,
                                f"{case}: pre-filled schools present")
                continue
            path = os.path.join(tmp, "csv", f"{stem}-Totaux.csv")
            if not t.check(os.path.exists(path), f"{case}: LibreOffice read "
                                                 "the workbook"):
                continue
            with open(path, encoding="utf-8") as f:
                recalculated = list(csv.reader(f))
            _, sheets, _ = read_xlsx(out)
            tot = sheets["Totaux"]
            for r_i, row in enumerate(recalculated[1:], start=2):
                cached = [str(tot.get((r_i, c), "")) for c in range(2, 12)]
                t.equal(row[1:], cached,
                        f"{case}: Totaux row {r_i} recalculated = cached")
    t.finish()


if __name__ == "__main__":
    main()
