"""Formats read through LibreOffice headless (src/read/soffice.c): the
Word form saved by Writer as .doc and .rtf (fixtures/soffice, made by
scripts/gen-soffice-fixtures) gives the rows of the .odt it came from,
the spreadsheet form saved as .xlsb by SheetJS, and as SYLK and DIF by
Calc (in either encoding), those of its .xlsx, each with the info
FILE_CONVERTED; the input is left unchanged and no private
folder is left behind. Without LibreOffice (CLASCONV_SOFFICE=0), a program
that writes nothing, or one that hangs (CLASCONV_SOFFICE_TIMEOUT): exit 2
and a French message. The conversion checks skip when soffice is absent;
the refusals run everywhere."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, sha256, tempdir


def check_json(exe, path, env, timeout=120):
    return subprocess.run([exe, "check", "--json", path], capture_output=True,
                          timeout=timeout, env=env)


def rows_of(r):
    d = json.loads(r.stdout)
    return d, [(row["school"], row["counts"]) for row in d["rows"]]


def message_of(r):
    """The FILE_UNREADABLE message of a refused `check --json`."""
    try:
        d = json.loads(r.stdout)
    except ValueError:
        return r.stderr.decode("utf-8", "replace")
    return " ".join(a["message"] for a in d["anomalies"]
                    if a["code"] == "FILE_UNREADABLE")


def alive(pid):
    """Running (a zombie waiting for init to reap it is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def leftovers(tmp):
    return [n for n in os.listdir(tmp) if n.startswith("clasconv-lo-")]


def main():
    args = parse_args()
    t = Checker("soffice")
    fx = os.path.join(args.fixtures, "soffice")
    odt = os.path.join(args.fixtures, "odt", "form-saint-fons.odt")
    with tempdir() as tmp:
        env = dict(os.environ, TMPDIR=tmp)
        env.pop("CLASCONV_SOFFICE", None)
        env.pop("CLASCONV_SOFFICE_TIMEOUT", None)
        want = check_json(args.exe, odt, env)
        t.equal(want.returncode, 0, "odt original read")
        _, want_rows = rows_of(want)
        t.check(len(want_rows) == 9, "odt: nine schools")

        if shutil.which("soffice"):
            for ext in ("doc", "rtf"):
                path = os.path.join(fx, "form-saint-fons." + ext)
                before = sha256(path)
                start = time.monotonic()
                r = check_json(args.exe, path, env)
                took = time.monotonic() - start
                t.equal(r.returncode, 0, f"{ext}: read "
                        f"({r.stderr.decode('utf-8', 'replace').strip()})")
                d, rows = rows_of(r)
                t.equal(d["format"], ext, f"{ext}: format name")
                t.equal(d["commune"], "Saint-Fons", f"{ext}: commune")
                t.equal(rows, want_rows, f"{ext}: schools and counts as .odt")
                conv = [a for a in d["anomalies"]
                        if a["code"] == "FILE_CONVERTED"]
                t.check(len(conv) == 1 and conv[0]["severity"] == "info" and
                        "LibreOffice" in conv[0]["message"],
                        f"{ext}: FILE_CONVERTED info ({conv!r})")
                t.equal(sha256(path), before, f"{ext}: input unchanged")
                t.equal(leftovers(tmp), [], f"{ext}: private folder removed")
                print(f"{ext}: converted and read in {took:.1f} s")
            # The spreadsheet form saved as .xlsb by SheetJS, converted by
            # Calc: the rows, counts and cell references of the .xlsx it
            # came from.
            xlsx = os.path.join(args.fixtures, "layouts",
                                "form-layout-xlsx.xlsx")
            orig = check_json(args.exe, xlsx, env)
            t.equal(orig.returncode, 0, "xlsx original read")
            od, orows = rows_of(orig)
            path = os.path.join(fx, "form-layout-sheetjs.xlsb")
            before = sha256(path)
            r = check_json(args.exe, path, env)
            t.equal(r.returncode, 0, f"xlsb: read "
                    f"({r.stderr.decode('utf-8', 'replace').strip()})")
            d, rows = rows_of(r)
            t.equal(d["format"], "xlsb", "xlsb: format name")
            t.check(len(rows) == 6, f"xlsb: six schools ({len(rows)})")
            t.equal(rows, orows, "xlsb: schools and counts as .xlsx")
            t.equal(d["commune"], od["commune"], "xlsb: commune")
            t.equal(d["totals"], od["totals"], "xlsb: totals")
            keep = [(a["code"], a.get("cell")) for a in od["anomalies"]]
            got = [(a["code"], a.get("cell")) for a in d["anomalies"]
                   if a["code"] != "FILE_CONVERTED"]
            t.equal(got, keep, "xlsb: the .xlsx's anomalies, same cells")
            t.equal(sha256(path), before, "xlsb: input unchanged")
            t.equal(leftovers(tmp), [], "xlsb: private folder removed")
            # The same form saved as SYLK and DIF by Calc, and in the other
            # encoding: read as the .xlsx; Windows-1252 said by an info.
            for name, cp1252 in (("form-layout.slk", False),
                                 ("form-layout-cp1252.slk", True),
                                 ("form-layout.dif", True),
                                 ("form-layout-utf8.dif", False)):
                p = os.path.join(fx, name)
                before = sha256(p)
                r = check_json(args.exe, p, env)
                t.equal(r.returncode, 0, f"{name}: read "
                        f"({r.stderr.decode('utf-8', 'replace').strip()})")
                d, rows = rows_of(r)
                t.equal(d["format"], name.rsplit(".", 1)[1],
                        f"{name}: format name")
                t.equal(rows, orows, f"{name}: schools and counts as .xlsx "
                        "(accents included)")
                t.equal(d["commune"], od["commune"], f"{name}: commune")
                codes = [a["code"] for a in d["anomalies"]]
                t.equal(codes.count("FILE_CONVERTED"), 1,
                        f"{name}: FILE_CONVERTED")
                t.equal("ENCODING_ASSUMED" in codes, cp1252,
                        f"{name}: ENCODING_ASSUMED only for Windows-1252")
                t.equal(sha256(p), before, f"{name}: input unchanged")
            t.equal(leftovers(tmp), [], "slk/dif: private folders removed")
            # The server's unit sets MemoryDenyWriteExecute=yes: the same
            # rule set by the kernel's prctl(PR_SET_MDWE) (Linux 6.3+),
            # inherited by LibreOffice.
            mdwe = os.path.join(tmp, "soffice-mdwe")
            with open(mdwe, "w") as f:
                f.write(f"#!{sys.executable}\n"
                        "import ctypes, os, sys\n"
                        "libc = ctypes.CDLL(None, use_errno=True)\n"
                        "if libc.prctl(65, 1, 0, 0, 0) != 0:\n"
                        "    sys.exit(3)\n"
                        f"os.execv({shutil.which('soffice')!r}, "
                        "['soffice'] + sys.argv[1:])\n")
            os.chmod(mdwe, 0o700)
            probe = subprocess.run(
                [sys.executable, "-c", "import ctypes; "
                 "raise SystemExit(ctypes.CDLL(None).prctl(65, 1, 0, 0, 0))"])
            if probe.returncode == 0:
                for p in (os.path.join(fx, "form-saint-fons.doc"), path):
                    r = check_json(args.exe, p, dict(env,
                                                     CLASCONV_SOFFICE=mdwe))
                    t.equal(r.returncode, 0, f"{os.path.basename(p)}: "
                            "converted under MemoryDenyWriteExecute")
            else:
                print("SKIP (part): this kernel has no PR_SET_MDWE: "
                      "LibreOffice under MemoryDenyWriteExecute not tried")
            # A batch folder: the .doc is taken as a commune's file.
            folder = os.path.join(tmp, "in")
            os.mkdir(folder)
            shutil.copy(os.path.join(fx, "form-saint-fons.doc"), folder)
            r = subprocess.run([args.exe, "batch", folder,
                                os.path.join(tmp, "out")],
                               capture_output=True, timeout=300, env=env)
            t.check(r.returncode in (0, 1), f"batch with a .doc: exit "
                    f"{r.returncode} ({r.stderr[-300:]!r})")
            t.equal(leftovers(tmp), [], "batch: private folder removed")
        else:
            print("SKIP (part): soffice absent: .doc/.rtf conversion checks "
                  "skipped (scripts/setup installs it)")

        doc = os.path.join(fx, "form-saint-fons.doc")
        xlsb = os.path.join(args.fixtures, "opc", "binary.xlsb")
        off = dict(env, CLASCONV_SOFFICE="0")
        for path, what, pkg in ((doc, "Word 97-2003 (.doc)",
                                 "libreoffice-writer-nogui"),
                                (xlsb, "Excel binaire (.xlsb)",
                                 "libreoffice-calc-nogui"),
                                (os.path.join(fx, "form-layout.slk"),
                                 "SYLK (.slk)", "libreoffice-calc-nogui"),
                                (os.path.join(fx, "form-layout.dif"),
                                 "DIF (.dif)", "libreoffice-calc-nogui")):
            r = check_json(args.exe, path, off)
            msg = message_of(r)
            t.equal(r.returncode, 2, f"{what}: refused without LibreOffice")
            t.check(what in msg and pkg in msg and "enregistrez-le" in msg,
                    f"{what}: says what to install or how to re-save "
                    f"({msg!r})")

        r = check_json(args.exe, doc, dict(env, CLASCONV_SOFFICE="/bin/false"))
        msg = message_of(r)
        t.equal(r.returncode, 2, "/bin/false: refused")
        t.check("LibreOffice a échoué" in msg, f"/bin/false: says so ({msg!r})")

        quiet = os.path.join(tmp, "quiet-soffice")
        with open(quiet, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(quiet, 0o700)
        r = check_json(args.exe, doc, dict(env, CLASCONV_SOFFICE=quiet))
        msg = message_of(r)
        t.equal(r.returncode, 2, "silent program: refused")
        t.check("LibreOffice n'a rien produit" in msg,
                f"silent program: says so ({msg!r})")

        pids = os.path.join(tmp, "pids")
        slow = os.path.join(tmp, "slow-soffice")
        with open(slow, "w") as f:
            f.write(f"#!/bin/sh\nsleep 30 &\necho $! >>{pids}\n"
                    f"echo $$ >>{pids}\nsleep 30\n")
        os.chmod(slow, 0o700)
        before = sha256(doc)
        start = time.monotonic()
        r = check_json(args.exe, doc, dict(env, CLASCONV_SOFFICE=slow,
                                           CLASCONV_SOFFICE_TIMEOUT="2"))
        took = time.monotonic() - start
        msg = message_of(r)
        t.equal(r.returncode, 2, "hanging program: refused")
        t.check(took < 8, f"hanging program: refused in {took:.1f} s")
        t.check("pas converti en 2 secondes" in msg,
                f"hanging program: says so ({msg!r})")
        for _ in range(30):  # SIGKILL reaches the group asynchronously
            time.sleep(0.1)
            with open(pids) as f:
                started = [int(line) for line in f if line.strip()]
            if not any(alive(p) for p in started):
                break
        t.equal(len(started), 2, "hanging program: it started")
        t.equal([p for p in started if alive(p)], [],
                "hanging program: no process left (whole group killed)")
        t.equal(leftovers(tmp), [], "hanging program: private folder removed")
        t.equal(sha256(doc), before, "hanging program: input unchanged")
        print(f"timeout: refused in {took:.1f} s")
    t.finish()


if __name__ == "__main__":
    main()
