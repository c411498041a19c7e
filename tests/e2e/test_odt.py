"""The Word form saved by LibreOffice Writer (.odt, fixtures/odt, made by
scripts/gen-odt-fixtures from the p09 sample) converts to the same rows,
totals, anomalies and form fields as the original .docx: only the file's
name, format and hash differ in the Source sheet."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, read_xlsx, require_samples, run, tempdir

# Source sheet rows that name the input file itself.
FILE_ROWS = ("Fichier", "Format", "SHA-256")


def convert(t, exe, inp, out):
    r = run(exe, "convert", inp, "-o", out)
    t.equal(r.returncode, 0, f"{os.path.basename(inp)}: converted "
            f"({r.stderr.decode('utf-8', 'replace').strip()})")
    return read_xlsx(out)


def main():
    args = parse_args()
    t = Checker("odt")
    require_samples(args.samples, "ODT against the DOCX form")
    docx = glob.glob(os.path.join(args.samples, "p09-*", "*.docx"))[0]
    odt = os.path.join(args.fixtures, "odt", "form-saint-fons.odt")
    with tempdir() as tmp:
        want = convert(t, args.exe, docx, os.path.join(tmp, "docx.xlsx"))
        got = convert(t, args.exe, odt, os.path.join(tmp, "odt.xlsx"))
    want_sheets, got_sheets = want[1], got[1]
    for sheet in ("Dispositifs", "Totaux", "Anomalies"):
        t.check(len(want_sheets[sheet]) > 3, f"{sheet}: filled by the docx")
        t.equal(got_sheets[sheet], want_sheets[sheet], f"{sheet} as the docx")
    src_want, src_got = want_sheets["Source"], got_sheets["Source"]
    fmt = [src_got[(r, 2)] for (r, c), v in src_got.items()
           if c == 1 and v == "Format"]
    t.equal(fmt, ["odt"], "Source: format")

    def fields(cells):
        return {v: cells.get((r, 2)) for (r, c), v in cells.items()
                if c == 1 and v not in FILE_ROWS}
    t.equal(fields(src_got), fields(src_want),
            "Source: commune, territory and coordinator fields as the docx")
    t.check(("Territoire", "Saint-Fons") in fields(src_got).items(),
            "Source: Territoire read from the .odt")
    t.finish()


if __name__ == "__main__":
    main()
