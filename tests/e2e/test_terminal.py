"""What a person sees on an 80-column terminal: the batch progress line
never wraps (so no leftovers), uses the summary's words, and every line
the commands print fits 80 columns."""
import fcntl
import glob
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, tempdir


def on_terminal(argv, columns=80):
    """Runs argv with stderr on a pseudo-terminal `columns` wide; returns
    (exit status, stdout bytes, what the terminal received)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack("HHHH", 24, columns, 0, 0))
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave,
                         stdin=subprocess.DEVNULL)
    os.close(slave)
    received = b""
    while True:
        r, _, _ = select.select([master], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    out = p.stdout.read()
    p.wait(timeout=120)
    os.close(master)
    return p.returncode, out, received.decode("utf-8")


def screen_lines(text):
    """Each stretch written between two \\r or \\n, escape codes removed."""
    text = re.sub(r"\x1b\[K", "", text)
    return [x for x in re.split(r"[\r\n]", text) if x]


def main():
    args = parse_args()
    exe = args.exe
    t = Checker("terminal")
    demo = glob.glob(os.path.join(args.fixtures, "demo", "*.csv"))[0]
    with tempdir() as tmp:
        indir = os.path.join(tmp, "recus")
        os.mkdir(indir)
        for i in range(12):
            shutil.copy(demo, os.path.join(
                indir, f"Tableau des dispositifs CLAS de la commune numéro "
                f"{i} pour l'année scolaire 2026.csv"))
        open(os.path.join(indir, "vide.xls"), "wb").close()
        for columns in (80, 40):
            outdir = os.path.join(tmp, f"sortie-{columns}")
            rc, out, term = on_terminal([exe, "batch", indir, outdir, "-j",
                                         "2"], columns)
            t.equal(rc, 2, f"batch on a terminal ({columns}): exit status")
            progress = [x for x in screen_lines(term)
                        if x.startswith("[")]
            t.check(len(progress) >= 2,
                    f"{columns} columns: progress shown: {term!r}")
            for line in progress:
                t.check(len(line) < columns,
                        f"{columns} columns: progress line of {len(line)} "
                        f"columns would wrap: {line!r}")
            t.check(progress and "1 illisible" in progress[-1],
                    f"{columns} columns: the summary's word « illisible »: "
                    f"{progress[-1:]!r}")
            t.check("échec" not in term,
                    f"{columns} columns: no « échec » in progress")
            summary = out.decode("utf-8")
            t.check("1 illisible" in summary and "12 à vérifier" in summary,
                    f"summary: same words and counts: {summary!r}")
            if columns == 80:
                t.check("[13/13] 12 à vérifier, 1 illisible" in term,
                        f"final progress counts: {term!r}")
                # The failure line above the progress line, cleared first.
                t.check(re.search(r"\r\x1b\[KIllisible : vide\.xls : ",
                                  term) is not None,
                        "the unreadable file gets its own line")
        # Every line the help prints fits too (the rest: test_help.py).
        rc, out, term = on_terminal([exe, "batch", "--help"])
        t.check(all(len(x) <= 80 for x in out.decode().splitlines()),
                "batch --help fits 80 columns")
    t.finish()


if __name__ == "__main__":
    main()
