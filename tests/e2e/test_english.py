"""No English system text reaches a user: every message path (missing,
unreadable, folder, read-only, not a regular file, missing folder, bad
TMPDIR...) of every subcommand, run under LC_ALL=C and under fr_FR.UTF-8,
prints French only: no strerror() text ("No such file or directory"), no
library's English."""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, tempdir

ENGLISH = ("No such file", "Permission denied", "Not a directory",
           "Is a directory", "No space left", "Read-only file system",
           "File exists", "Invalid argument", "Operation not permitted",
           "Too many", "Bad file descriptor", "Success", "Input/output",
           "Directory not empty", "[ERROR]", "error", "Error", "failed",
           "cannot", "Cannot", "Unknown", "unknown error", "errno")


def locales():
    have = subprocess.run(["locale", "-a"], capture_output=True,
                          text=True).stdout.lower().split()
    found = ["C"]
    if "fr_fr.utf8" in have:
        found.append("fr_FR.UTF-8")
    return found


def main():
    args = parse_args()
    exe = os.path.abspath(args.exe)
    t = Checker("english")
    fixtures = os.path.abspath(args.fixtures)
    demo = glob.glob(os.path.join(fixtures, "demo", "*.csv"))[0]
    xls = os.path.join(fixtures, "xls", "biff5.xls")
    langs = locales()
    if len(langs) < 2:
        print("NOTE: fr_FR.UTF-8 absent (scripts/setup generates it): "
              "checked under LC_ALL=C only", flush=True)
    # As root, permissions do not stop reads: the permission cases run as
    # nobody (setpriv), in a folder nobody may enter.
    as_user = []
    if os.geteuid() == 0 and shutil.which("setpriv"):
        as_user = ["setpriv", "--reuid=65534", "--regid=65534",
                   "--clear-groups"]
    with tempdir() as tmp:
        os.chmod(tmp, 0o755)
        d = lambda *p: os.path.join(tmp, *p)
        os.mkdir(d("entree"))
        shutil.copy(demo, d("entree", "Bron.csv"))
        shutil.copy(demo, d("tableau.csv"))
        os.chmod(d("tableau.csv"), 0o644)
        shutil.copy(demo, d("entree", "fermé.csv"))
        os.chmod(d("entree", "fermé.csv"), 0)
        shutil.copy(demo, d("secret.csv"))
        os.chmod(d("secret.csv"), 0)
        os.mkdir(d("lecture-seule"))
        os.chmod(d("lecture-seule"), 0o555)
        os.mkdir(d("entree-fermee"))
        shutil.copy(demo, d("entree-fermee", "a.csv"))
        os.chmod(d("entree-fermee"), 0)
        with open(d("fichier"), "w") as f:
            f.write("x")
        with open(d("vide.xlsx"), "wb"):
            pass
        with open(demo, "rb") as f:
            data = f.read()
        with open(d("coupe.csv"), "wb") as f:
            f.write(data[:len(data) // 2])
        zips = glob.glob(os.path.join(fixtures, "layouts", "*.xlsx"))
        if zips:
            with open(zips[0], "rb") as f:
                z = f.read()
            with open(d("coupe.xlsx"), "wb") as f:
                f.write(z[:len(z) * 9 // 10])
        out = d("sortie.xlsx")
        ro = d("lecture-seule", "x.xlsx")
        cases = [
            ("convert: missing input", ["convert", d("absent.csv")]),
            ("convert: input is a folder", ["convert", d("entree")]),
            ("convert: unreadable input", as_user + [exe, "convert",
                                                     d("secret.csv"), "-o",
                                                     d("lecture-seule",
                                                       "s.xlsx")]),
            ("convert: empty input", ["convert", d("vide.xlsx"), "-o", out]),
            ("convert: truncated zip", ["convert", d("coupe.xlsx"), "-o",
                                        out]),
            ("convert: output in a missing folder",
             ["convert", demo, "-o", d("nulle-part", "x.xlsx")]),
            ("convert: output is a folder", ["convert", demo, "-o",
                                             d("entree")]),
            ("convert: output in a read-only folder",
             as_user + [exe, "convert", d("tableau.csv"), "-o", ro]),
            ("convert: output under a file", ["convert", demo, "-o",
                                              d("fichier", "x.xlsx")]),
            ("convert: output is a device", ["convert", demo, "-o",
                                             "/dev/full"]),
            ("convert: bad TMPDIR (xls)", ["convert", xls, "-o", ro],
             {"TMPDIR": d("nulle-part")}),
            ("check: missing input", ["check", d("absent.xls")]),
            ("check: input is a folder", ["check", tmp]),
            ("check: unreadable input", as_user + [exe, "check",
                                                   d("secret.csv")]),
            ("check: html in a missing folder",
             ["check", demo, "--html", d("nulle-part", "r.html")]),
            ("check: html is a folder", ["check", demo, "--html",
                                         d("entree")]),
            ("check: html in a read-only folder",
             as_user + [exe, "check", d("tableau.csv"), "--html",
                        d("lecture-seule", "r.html")]),
            ("dump: missing input", ["dump", d("absent.ods")]),
            ("dump: input is a folder", ["dump", tmp]),
            ("dump: unreadable input", as_user + [exe, "dump",
                                                  d("secret.csv")]),
            ("template: missing folder", ["template", "-o",
                                          d("nulle-part", "m.xlsx")]),
            ("template: output is a folder", ["template", "-o", tmp]),
            ("template: read-only folder", as_user + [exe, "template", "-o",
                                                      ro]),
            ("template: --depuis missing", ["template", "-o", out,
                                            "--depuis", d("absent.xls")]),
            ("batch: missing input folder", ["batch", d("nulle-part"),
                                             d("sortie-b")]),
            ("batch: input is a file", ["batch", d("fichier"),
                                        d("sortie-c")]),
            ("batch: unreadable input folder",
             as_user + [exe, "batch", d("entree-fermee"),
                        d("sortie-nobody", "b")]),
            ("batch: output parent missing", ["batch", d("entree"),
                                              d("nulle-part", "sortie")]),
            ("batch: output is a file", ["batch", d("entree"),
                                         d("fichier")]),
            ("batch: read-only output", as_user + [exe, "batch",
                                                   d("entree"),
                                                   d("lecture-seule")]),
            ("batch: a file it cannot open", as_user + [exe, "batch",
                                                        d("entree"),
                                                        d("sortie-nobody")]),
            ("help: unknown command", ["help", "frobnicate"]),
            ("unknown command", ["frobnicate"]),
        ]
        os.mkdir(d("sortie-nobody"))
        os.chmod(d("sortie-nobody"), 0o777)
        for lang in langs:
            for case in cases:
                what, argv = case[0], case[1]
                extra = case[2] if len(case) > 2 else {}
                if argv[0] != "setpriv" and argv[0] != exe:
                    argv = [exe] + argv
                env = dict(os.environ, LC_ALL=lang, LANG=lang,
                           LANGUAGE="", **extra)
                r = subprocess.run(argv, capture_output=True, timeout=120,
                                   env=env, cwd=tmp)
                text = (r.stdout + r.stderr).decode("utf-8", "replace")
                label = f"[{lang}] {what}"
                if os.environ.get("SHOW"):
                    print(label, r.returncode, text)
                t.check(r.returncode != 0, f"{label}: fails ({r.returncode})")
                t.check(text.strip() != "", f"{label}: says something")
                for word in ENGLISH:
                    t.check(word not in text,
                            f"{label}: English « {word} » in {text!r}")
                # Each message says what to do (or what happened in French).
                t.check(any(w in text for w in (
                    "Vérifiez", "vérifiez", "Choisissez", "choisissez",
                    "Indiquez", "indiquez", "Créez", "créez", "demandez",
                    "Demandez", "redemandez", "Voir", "Libérez", "faites",
                    "enregistrez", "illisible")),
                    f"{label}: says what to do: {text!r}")
        for p in (d("lecture-seule"), d("entree-fermee")):
            os.chmod(p, 0o755)
    t.finish()


if __name__ == "__main__":
    main()
