"""Golden test: each sample and demo fixture is converted, the workbook is
read back with clasconv's own XLSX reader (`clasconv dump`: every sheet,
cell and cached formula value) and compared with fixtures/golden/<case>.txt.

After an intended change of the output, regenerate the golden files with
`python3 tests/e2e/test_golden.py --exe build/test/clasconv --samples
../shared/samples --fixtures fixtures --update` and review the diff."""
import difflib
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, have_samples, run, samples_absent, tempdir
import argparse


def cases(samples, fixtures):
    for exp_path in sorted(glob.glob(os.path.join(samples, "*",
                                                  "expected.json"))):
        with open(exp_path, encoding="utf-8") as f:
            exp = json.load(f)
        if "expect_failure" not in exp:
            yield exp["case"], os.path.join(os.path.dirname(exp_path),
                                            exp["file"])
    for path in sorted(glob.glob(os.path.join(fixtures, "demo", "*"))):
        yield "demo", path


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exe", required=True)
    p.add_argument("--samples", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--update", action="store_true")
    args = p.parse_args()
    t = Checker("golden")
    golden_dir = os.path.join(args.fixtures, "golden")
    if not have_samples(args.samples):
        print("SKIP: " + samples_absent("golden dumps of the samples"),
              flush=True)
    with tempdir() as tmp:
        for case, inp in cases(args.samples, args.fixtures):
            out = os.path.join(tmp, case + ".xlsx")
            r = run(args.exe, "convert", inp, "-o", out)
            if not t.equal(r.returncode, 0, f"{case}: converted"):
                continue
            r = run(args.exe, "dump", out)
            if not t.equal(r.returncode, 0, f"{case}: workbook read back"):
                continue
            got = r.stdout.decode("utf-8")
            golden = os.path.join(golden_dir, case + ".txt")
            if args.update:
                os.makedirs(golden_dir, exist_ok=True)
                with open(golden, "w", encoding="utf-8") as f:
                    f.write(got)
            if not t.check(os.path.exists(golden), f"{case}: {golden} exists"):
                continue
            with open(golden, encoding="utf-8") as f:
                want = f.read()
            if not t.check(got == want, f"{case}: dump equals {golden}"):
                sys.stdout.writelines(list(difflib.unified_diff(
                    want.splitlines(True), got.splitlines(True),
                    "golden", "got"))[:40])
            for sheet in ("Dispositifs", "Totaux", "Anomalies", "Source"):
                t.check(f"== {sheet} (feuille)" in got,
                        f"{case}: sheet {sheet} read back")
            t.check("nombre+formule" in got,
                    f"{case}: Totaux formulas read back with their values")
    t.finish()


if __name__ == "__main__":
    main()
