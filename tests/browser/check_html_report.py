#!/usr/bin/env python3
"""check_html_report.py: the `check --html` report, opened in a real headless
browser (Debian's chromium): verdict text, number of highlighted cells, a
school name holding <script> shown as text, no external resource; keeps a
desktop and a phone screenshot and a printed PDF as test artifacts.

Usage:
  check_html_report.py --exe build/clasconv --fixtures fixtures
                       [--artifacts build/artifacts/html-report]
                       [--chromium /usr/bin/chromium]
Needs: apt-get install -y chromium   (Debian 12 package)
Exit status 0 when every check passes, 1 otherwise; last line
"N passed, M failed".
"""
import argparse
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile

FIXTURE = "coord/rapport-3-erreurs.csv"
EXPECTED_VERDICT = "3 erreurs à corriger avant l'envoi"
EXPECTED_CELLS = {"erreur": 3, "avertissement": 0, "info": 0}
SCRIPT_NAME = "École élémentaire Victor Hugo <script>alert(1)</script>"

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--hide-scrollbars",
    "--mute-audio", "--disable-dev-shm-usage",
]


class Dom(html.parser.HTMLParser):
    """Collects what the checks need from the DOM chromium dumped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.verdict = None
        self.in_verdict = 0
        self.cells = []      # (classes, text) of every <td>
        self.cell = None
        self.scripts = 0
        self.external = []   # src/href pointing outside the page
        self.tags = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags += 1
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            v = a.get(name)
            if v and not v.startswith("#"):
                self.external.append(v)
        if tag == "link":
            self.external.append(a.get("href", "<link>"))
        if a.get("id") == "verdict":
            self.verdict = ""
            self.in_verdict = 1
        elif self.in_verdict:
            self.in_verdict += 1
        if tag == "td":
            self.cell = [a.get("class", "").split(), "", a.get("title")]
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.in_verdict:
            self.in_verdict -= 1
        if tag == "td" and self.cell is not None:
            self.cells.append(tuple(self.cell))
            self.cell = None
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_verdict:
            self.verdict += data
        if self.cell is not None:
            self.cell[1] += data


def find_chromium(given):
    for name in ([given] if given else []) + ["chromium", "chromium-browser"]:
        path = shutil.which(name) if name else None
        if path:
            return path
    return None


def run_chromium(chromium, profile, args, timeout=120):
    cmd = [chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile] + args
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exe", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--artifacts", default=None)
    p.add_argument("--chromium", default=None)
    p.add_argument("--samples", default=None)  # accepted, unused
    a = p.parse_args()

    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok   " + what)
        else:
            failed += 1
            print("FAIL " + what)

    artifacts = a.artifacts or os.path.join(
        os.path.dirname(os.path.abspath(a.exe)), "artifacts", "html-report")
    os.makedirs(artifacts, exist_ok=True)
    chromium = find_chromium(a.chromium)
    if not chromium:
        print("FAIL chromium not found: apt-get install -y chromium")
        print("0 passed, 1 failed")
        return 1

    with tempfile.TemporaryDirectory(prefix="clasconv-html-") as tmp:
        report = os.path.join(tmp, "rapport.html")
        fixture = os.path.join(a.fixtures, FIXTURE)
        r = subprocess.run([a.exe, "check", fixture, "--html", report],
                           capture_output=True, timeout=120)
        check(r.returncode == 1,
              "check exits 1 on a file with errors (got %d)" % r.returncode)
        check(os.path.isfile(report), "check --html wrote the report")
        if not os.path.isfile(report):
            print(r.stderr.decode("utf-8", "replace"))
            print("%d passed, %d failed" % (passed, failed + 1))
            return 1
        shutil.copy(report, os.path.join(artifacts, "rapport.html"))
        raw = open(report, encoding="utf-8").read()
        low = raw.lower()
        check("<script" not in low, "no <script> in the HTML source")
        check("http:" not in low and "https:" not in low and
              "url(" not in low and "@import" not in low,
              "no external resource in the HTML source")
        check("<meta name=\"viewport\"" in raw, "viewport meta for phones")
        check("@media print" in raw, "print stylesheet")

        url = "file://" + report
        profile = os.path.join(tmp, "profile")
        dom = run_chromium(chromium, profile,
                           ["--dump-dom", "--virtual-time-budget=2000", url])
        check(dom.returncode == 0, "chromium loaded the page (status %d)"
              % dom.returncode)
        parser = Dom()
        parser.feed(dom.stdout.decode("utf-8", "replace"))
        check(parser.tags > 50, "the DOM has content (%d elements)"
              % parser.tags)
        verdict = (parser.verdict or "").strip()
        check(verdict == EXPECTED_VERDICT,
              "verdict is %r (got %r)" % (EXPECTED_VERDICT, verdict))
        marked = [c for c in parser.cells if "pb" in c[0]]
        check(len(marked) == sum(EXPECTED_CELLS.values()),
              "%d highlighted cells (got %d)"
              % (sum(EXPECTED_CELLS.values()), len(marked)))
        for sev, n in EXPECTED_CELLS.items():
            got = sum(1 for c in marked if "pb-" + sev in c[0])
            check(got == n, "%d cells of severity %s (got %d)" % (n, sev, got))
        check(all(c[2] for c in marked),
              "every highlighted cell has its message on hover (title)")
        names = [c[1] for c in parser.cells if "name" in c[0]]
        check(any(SCRIPT_NAME in n for n in names),
              "the school name with <script> shows as text")
        check(parser.scripts == 0, "no script element in the DOM (got %d)"
              % parser.scripts)
        check(not parser.external, "no external link or resource: %r"
              % parser.external[:3])

        shots = [("rapport.png", "1200,900"), ("rapport-mobile.png", "390,844")]
        for name, size in shots:
            out = os.path.join(artifacts, name)
            if os.path.exists(out):
                os.unlink(out)
            run_chromium(chromium, profile, ["--screenshot=" + out,
                                             "--window-size=" + size, url])
            dims = png_size(out) if os.path.isfile(out) else None
            want = tuple(int(x) for x in size.split(","))
            check(dims == want, "screenshot %s is %dx%d (got %r)"
                  % (name, want[0], want[1], dims))
        pdf = os.path.join(artifacts, "rapport.pdf")
        if os.path.exists(pdf):
            os.unlink(pdf)
        run_chromium(chromium, profile, ["--print-to-pdf=" + pdf,
                                         "--no-pdf-header-footer", url])
        ok = os.path.isfile(pdf) and open(pdf, "rb").read(5) == b"%PDF-"
        check(ok, "printed to PDF")

    print("artifacts: " + artifacts)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
