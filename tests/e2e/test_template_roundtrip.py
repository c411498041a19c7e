"""Round trip through the template: `template --depuis X` then `check` on
the pre-filled template raises no anomaly code that `check X` did not (the
section totals it caches are the sums of the rows it shows), and keeps the
text of X's unknown columns (« Observations », « Coup de pouce CLÉ »...) in
its Observations column, read back as the same observations."""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, have_samples, inputs_of, parse_args, run,
                    samples_absent, tempdir)

# Fixtures of our own with a school of unknown level, beside the samples.
FIXTURES = ["layouts/level-unknown.csv",
            "layouts/level-unknown-niveau-blank.csv",
            "layouts/level-before-section.csv"]
# Fixtures with an « Observations » column (and another unknown one), and
# the observations each school must keep, before and after the template.
OBSERVED = {
    "layouts/column-unknown.xlsx": {
        "École élémentaire Pergaud":
            "Coup de pouce CLÉ : 9 ; Démarrage en janvier",
        "École élémentaire Prévert": "Coup de pouce CLÉ : 8"},
    "layouts/column-unknown-form.csv": {
        "École élémentaire Rostand": "Ouverture en janvier"},
}


def check_json(exe, path):
    r = run(exe, "check", path, "--json")
    if r.returncode not in (0, 1):
        return None
    return json.loads(r.stdout)


def codes(doc):
    return collections.Counter(a["code"] for a in doc["anomalies"])


def observations(doc):
    """School -> observations, for the schools that have some."""
    return {r["school"]: r["observations"] for r in doc["rows"]
            if r.get("observations")}


def check_one(t, exe, name, path, tmp, want_observations=None):
    source = check_json(exe, path)
    if source is None:
        return 0  # does not convert: nothing to pre-fill
    out = os.path.join(tmp, f"{len(os.listdir(tmp))}.xlsx")
    r = run(exe, "template", "-o", out, "--depuis", path)
    if not t.equal(r.returncode, 0, f"{name}: template --depuis written"):
        return 1
    template = check_json(exe, out)
    if not t.check(template is not None, f"{name}: template checked"):
        return 1
    before, after = codes(source), codes(template)
    new = after - before
    t.equal(dict(new), {}, f"{name}: codes raised by the template only")
    t.equal(after["TOTAL_MISMATCH"], 0, f"{name}: no TOTAL_MISMATCH")
    if want_observations is not None:
        t.equal(observations(source), want_observations,
                f"{name}: unknown columns kept as observations")
    # The template's Observations column reads back as what it was given.
    t.equal(observations(template), observations(source),
            f"{name}: observations kept through the template")
    return 1


def main():
    args = parse_args()
    t = Checker("template_roundtrip")
    done = 0
    with tempdir() as tmp:
        for rel in FIXTURES:
            path = os.path.join(args.fixtures, rel)
            if t.check(os.path.exists(path), f"{rel}: fixture present"):
                done += check_one(t, args.exe, rel, path, tmp)
        for rel, want in OBSERVED.items():
            path = os.path.join(args.fixtures, rel)
            if t.check(os.path.exists(path), f"{rel}: fixture present"):
                done += check_one(t, args.exe, rel, path, tmp, want)
        if have_samples(args.samples):
            for case in sorted(os.listdir(args.samples)):
                folder = os.path.join(args.samples, case)
                if not os.path.isdir(folder):
                    continue
                for path in inputs_of(folder):
                    done += check_one(t, args.exe, case, path, tmp)
        else:
            print("SKIP: " + samples_absent("template round trip of the "
                                            "samples"), flush=True)
    t.check(done >= len(FIXTURES) + len(OBSERVED),
            f"{done} files round-tripped")
    t.finish()


if __name__ == "__main__":
    main()
