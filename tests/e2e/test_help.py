"""End-to-end tests of the help: every subcommand answers --help, -h and
`clasconv help NAME` with exit 0 and a French text holding its synopsis,
options and examples, at most 80 columns wide."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, run, tempdir

WIDTH = 80


def columns(line):
    """Display columns of a line: one per code point (no wide characters
    in clasconv's texts)."""
    return len(line)


def commands(usage):
    """The subcommands listed under "Commandes :" in `clasconv --help`."""
    names = []
    part = usage.split("Commandes :\n", 1)[1].split("\n\n", 1)[0]
    for line in part.splitlines():
        m = re.match(r"  ([a-z]+) +\S", line)
        if m:
            names.append(m.group(1))
    return names


def fits(t, text, what):
    for line in text.splitlines():
        t.check(columns(line) <= WIDTH,
                f"{what}: line of {columns(line)} columns: {line!r}")


def main():
    args = parse_args()
    exe = args.exe
    t = Checker("help")
    r = run(exe, "--help")
    t.equal(r.returncode, 0, "--help: exit status")
    usage = r.stdout.decode("utf-8")
    fits(t, usage, "--help")
    t.check("Utilisation :" in usage and "Statut de sortie" in usage,
            "--help: French usage with exit statuses")
    names = commands(usage)
    # The list comes from the dispatch table: a new subcommand without its
    # entry in src/cli/help.c shows « aide manquante » and fails here.
    t.check("aide manquante" not in usage,
            f"--help: every subcommand has its help entry: {usage!r}")
    for want in ("convert", "check", "batch", "template", "dump"):
        t.check(want in names, f"--help lists {want}: {names}")
    r = run(exe)
    t.equal(r.returncode, 64, "no command: usage error")
    t.check(b"Utilisation :" in r.stderr, "no command: usage on stderr")

    for name in names:
        texts = []
        for argv in ([name, "--help"], [name, "-h"], ["help", name],
                     [name, "fichier-inexistant.xls", "--help"]):
            r = run(exe, *argv)
            what = "clasconv " + " ".join(argv)
            t.equal(r.returncode, 0, f"{what}: exit status")
            t.equal(r.stderr, b"", f"{what}: nothing on stderr")
            texts.append(r.stdout)
        t.check(all(x == texts[0] for x in texts),
                f"{name}: the same help whichever way it is asked")
        text = texts[0].decode("utf-8")
        fits(t, text, f"{name} --help")
        t.check(text.startswith(f"Utilisation : clasconv {name}"),
                f"{name} --help: synopsis first: {text[:60]!r}")
        for part in ("\nOptions :\n", "\nExemples :\n", "-h, --help"):
            t.check(part in text, f"{name} --help: has {part.strip()!r}")
        examples = text.split("\nExemples :\n", 1)[-1]
        t.check(f"  clasconv {name} " in examples or
                examples.startswith(f"  clasconv {name}\n"),
                f"{name} --help: an example of {name}")
        # French: accented words, no English headings.
        t.check(re.search(r"[éèàêç]", text) is not None,
                f"{name} --help: French text")
        t.check(not re.search(r"\b(Usage|Options:|Examples)\b", text),
                f"{name} --help: no English heading")
    r = run(exe, "help", "frobnicate")
    t.equal(r.returncode, 64, "help on an unknown command: usage error")
    t.check("frobnicate" in r.stderr.decode("utf-8"),
            "help on an unknown command: names it")
    r = run(exe, "help")
    t.equal(r.returncode, 0, "help alone: exit status")
    t.equal(r.stdout.decode("utf-8"), usage, "help alone: the usage")
    # Every option a help documents is one its command accepts (with a
    # placeholder value when it takes one).
    tmp = tempdir()
    for name in names:
        text = run(exe, name, "--help").stdout.decode("utf-8")
        opts = text.split("\nOptions :\n", 1)[1].split("\n\n", 1)[0]
        for m in re.finditer(r"^  (-[^ ].*?)(?:  |$)", opts, re.M):
            words = m.group(1).split()
            meta = words[-1]
            samples = {"MO": "256", "ADRESSE:PORT": "127.0.0.1:8080",
                       "NOM": "Bron"}
            value = ([] if meta.startswith("-") else
                     [os.path.join(tmp.name, "sortie.xlsx")]
                     if "FICHIER" in meta or "." in meta
                     else [samples.get(meta, "2")])
            for flag in (w.rstrip(",") for w in words if w.startswith("-")):
                if flag in ("-h", "--help"):
                    continue
                # A bogus option after it stops every command (serve would
                # start serving): the parser got past the documented one.
                r = run(exe, name, flag, *value, "--bidon-xyz", timeout=20)
                err = r.stderr.decode("utf-8")
                t.equal(r.returncode, 64, f"{name} {flag} --bidon-xyz: usage")
                t.check("bidon-xyz" in err and f"« {flag} »" not in err,
                        f"{name} {flag}: accepted: {err!r}")
    tmp.cleanup()
    t.finish()


if __name__ == "__main__":
    main()
