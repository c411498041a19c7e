#!/usr/bin/env python3
"""test_serve_browser.py: `clasconv serve` in a real browser (Debian's
chromium, headless, driven by Selenium): a coordinator uploads her file
through the page, reads the verdict and the highlighted cells, downloads the
standardized workbook and finds the expected rows in it; an agent converts
a lot of three files; last year's and this year's tables are compared
(« Comparer avec l'an dernier », reached from the home page: report on the
page, workbook downloaded with compare's sheets); a bad file gets its
French page; the empty template downloads; a server started with
--annuaire says so on its home page; the style sheet is allowed by the Content-Security-Policy (no
violation in the console, colours applied); the skip link comes first on
Tab. All of it once with JavaScript on and once with it off. Screenshots
of every page, desktop and 390 px wide, go to --artifacts.

Usage:
  test_serve_browser.py --exe build/clasconv --fixtures fixtures
                        --artifacts build/artifacts/serve
Needs (scripts/setup): chromium, chromium-driver, python3-selenium.
Exit status 0 when every check passes, 77 when the browser stack is
missing (skipped), 1 otherwise; last line "N passed, M failed".
"""
import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import common  # noqa: E402

FIXTURE = "coord/rapport-3-erreurs.csv"
DEMO = "demo/Tableau dispositifs CLAS 2026 - Exemple-sur-Saône.csv"
LAYOUT = "layouts/Tableau CLAS 2026 - Sainte-Foy-lès-Lyon.csv"
BAD = "csv/bad-quote.csv"
OLD = "ref/clas-2025-villeurbanne.csv"
NEW = "ref/clas-2026-villeurbanne.csv"
ANNUAIRE = "annuaire/annuaire-rhone.csv"
COMPARE_VERDICT = ("3 établissements retrouvés, 1 apparu, 1 disparu, "
                   "3 changements de dispositif")
VERDICT = "3 erreurs à corriger avant l'envoi"
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
SKIP = 77

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import WebDriverException
except ImportError:
    webdriver = None


def start_server(exe, tmpdir, *args):
    env = dict(os.environ, TMPDIR=tmpdir)
    env.pop("CLASCONV_SERVE_TEST_HOOK", None)
    p = subprocess.Popen([exe, "serve", "--ecoute", "127.0.0.1:0", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=env)
    line = p.stdout.readline().decode("utf-8")
    m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not m:
        p.kill()
        raise RuntimeError("serve printed no address: %r" % line)
    return p, m.group(1)


def make_driver(downloads, javascript):
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-extensions",
                 "--window-size=1280,900", "--lang=fr-FR"):
        o.add_argument(flag)
    prefs = {"download.default_directory": downloads,
             "download.prompt_for_download": False,
             "safebrowsing.enabled": False}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    o.add_experimental_option("prefs", prefs)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    d.implicitly_wait(15)
    d.execute_cdp_cmd("Browser.setDownloadBehavior",
                      {"behavior": "allow", "downloadPath": downloads})
    return d


def navigate(d, element):
    """Clicks `element` and waits until the next page replaced this one
    (a form post can return before the new document is there)."""
    old = d.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        # Chromium answers "Node with given id does not belong to the
        # document" (a plain WebDriverException, not a StaleElement one)
        # when the old page goes away between two of Selenium's calls.
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(d, 120).until(replaced)


def wait_download(folder, suffix, before, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        names = [n for n in os.listdir(folder) if n not in before]
        done = [n for n in names if n.endswith(suffix)]
        if done and not any(n.endswith(".crdownload") for n in names):
            return os.path.join(folder, done[0])
        time.sleep(0.1)
    return None


def shots(d, folder, name):
    d.set_window_size(1280, 900)
    d.save_screenshot(os.path.join(folder, name + "-bureau.png"))
    d.set_window_size(390, 844)
    d.save_screenshot(os.path.join(folder, name + "-390px.png"))
    d.set_window_size(1280, 900)


def page_width_390(d):
    """Width of the page at 390 px, measured with a script (JS on only)."""
    d.set_window_size(390, 844)
    w = d.execute_script("return document.documentElement.scrollWidth")
    d.set_window_size(1280, 900)
    return w


def csp_violations(d):
    try:
        logs = d.get_log("browser")
    except Exception:  # noqa: BLE001 - some drivers have no log
        return []
    return [e["message"] for e in logs
            if "Content Security Policy" in e.get("message", "") or
            "Refused to" in e.get("message", "")]


def compare(c, d, url, fx, ref_cmp, downloads, art, tag, javascript):
    """« Comparer avec l'an dernier », from the home page's link."""
    d.get(url)
    navigate(d, d.find_element(By.CSS_SELECTOR, 'main a[href="/comparer"]'))
    c.equal(d.title, "Comparer avec l'an dernier – clasconv",
            f"{tag}: comparison page from the home page")
    c.equal([d.find_element(By.CSS_SELECTOR, f'label[for="{f}"]').text
             for f in ("ancien", "nouveau")],
            ["Tableau de l'an dernier (ancien)",
             "Tableau de cette année (nouveau)"], f"{tag}: compare labels")
    shots(d, art, f"{tag}-comparer-formulaire")
    d.find_element(By.ID, "ancien").send_keys(os.path.join(fx, OLD))
    d.find_element(By.ID, "nouveau").send_keys(os.path.join(fx, NEW))
    navigate(d, d.find_element(By.CSS_SELECTOR, "form.depot button"))
    verdict = d.find_element(By.ID, "verdict")
    c.equal(verdict.text, COMPARE_VERDICT, f"{tag}: compare verdict")
    c.check(verdict.value_of_css_property("background-color") not in
            ("rgba(0, 0, 0, 0)", "transparent"), f"{tag}: verdict styled")
    report = d.find_element(By.CSS_SELECTOR, "pre.rapport").text
    for line in ("Établissements apparus : 1",
                 "- Collège Evariste Galois (Collège",
                 "- Lycée Louis Lumière"):
        c.check(line in report, f"{tag}: compare report has {line!r}")
    c.equal(d.find_element(By.CSS_SELECTOR, "pre.rapport")
            .value_of_css_property("white-space"), "pre",
            f"{tag}: report keeps its columns")
    if javascript:
        w = page_width_390(d)
        c.check(w <= 400, f"{tag}: comparison fits 390 px ({w})")
    shots(d, art, f"{tag}-comparer")
    before = set(os.listdir(downloads))
    d.find_element(By.PARTIAL_LINK_TEXT, "Classeur de comparaison").click()
    wb = wait_download(downloads, ".xlsx", before)
    c.check(wb is not None and os.path.basename(wb) ==
            "clas-2026-villeurbanne - comparaison.xlsx",
            f"{tag}: comparison workbook downloaded ({wb})")
    if wb:
        order, sheets, _ = common.read_xlsx(wb)
        c.equal(order, ["Évolution", "Changements"],
                f"{tag}: comparison sheets")
        if ref_cmp:
            c.check((order, sheets) == ref_cmp,
                    f"{tag}: comparison workbook as compare -o's")


def run(c, d, url, fx, ref_rows, downloads, art, tag, javascript):
    # « Vérifier un fichier »
    d.get(url)
    c.equal(d.title, "Vérifier un fichier – clasconv", f"{tag}: title")
    field = d.find_element(By.ID, "fichier")
    label = d.find_element(By.CSS_SELECTOR, 'label[for="fichier"]')
    c.equal(label.text, "Fichier à vérifier", f"{tag}: field label")
    body = d.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = d.switch_to.active_element
    c.equal(active.text, "Aller au contenu", f"{tag}: Tab reaches the skip "
            "link first")
    shots(d, art, f"{tag}-verifier")
    field.send_keys(os.path.join(fx, FIXTURE))
    navigate(d, d.find_element(By.CSS_SELECTOR, "form.depot button"))
    verdict = d.find_element(By.ID, "verdict")
    c.equal(verdict.text, VERDICT, f"{tag}: verdict")
    bg = verdict.value_of_css_property("background-color")
    c.equal(bg, "rgba(253, 226, 225, 1)", f"{tag}: style applied (CSP hash)")
    cells = d.find_elements(By.CSS_SELECTOR, "td.pb-erreur")
    c.equal(len(cells), 3, f"{tag}: highlighted cells")
    c.check(all(x.get_attribute("title") for x in cells),
            f"{tag}: each cell has its message")
    c.check("NC" in " ".join(x.text for x in cells) or
            any("NC" in (x.get_attribute("title") or "") for x in cells),
            f"{tag}: the NC cell is among them")
    if javascript:
        w = page_width_390(d)
        c.check(w <= 400, f"{tag}: no page-wide overflow at 390 px ({w})")
    shots(d, art, f"{tag}-rapport")
    pdf = base64.b64decode(d.print_page())
    open(os.path.join(art, f"{tag}-rapport.pdf"), "wb").write(pdf)
    c.check(pdf.startswith(b"%PDF") and len(pdf) > 5000,
            f"{tag}: the report prints ({len(pdf)} bytes of PDF)")
    before = set(os.listdir(downloads))
    d.find_element(By.PARTIAL_LINK_TEXT, "Classeur standardisé").click()
    wb = wait_download(downloads, ".xlsx", before)
    c.check(wb is not None, f"{tag}: workbook downloaded")
    if wb:
        c.check(os.path.basename(wb).startswith("rapport-3-erreurs"),
                f"{tag}: workbook name {os.path.basename(wb)}")
        with zipfile.ZipFile(wb) as z:
            c.check(z.testzip() is None, f"{tag}: workbook zip intact")
        order, sheets, _ = common.read_xlsx(wb)
        c.equal(order, ref_rows[0], f"{tag}: workbook sheets")
        c.check(sheets == ref_rows[1], f"{tag}: workbook rows as convert's")
    before = set(os.listdir(downloads))
    d.find_element(By.PARTIAL_LINK_TEXT, "Modèle pré-rempli").click()
    c.check(wait_download(downloads, ".xlsx", before) is not None,
            f"{tag}: pre-filled template downloaded")

    # A bad file.
    d.get(url)
    d.find_element(By.ID, "fichier").send_keys(os.path.join(fx, BAD))
    navigate(d, d.find_element(By.CSS_SELECTOR, "form.depot button"))
    text = d.find_element(By.TAG_NAME, "body").text
    c.check("n'a pas pu être lu" in text and "guillemet" in text and
            "Que faire" in text, f"{tag}: bad file explained in French")
    shots(d, art, f"{tag}-illisible")

    # « Convertir un lot »: three files.
    d.get(url + "lot")
    d.find_element(By.ID, "fichiers").send_keys("\n".join(
        os.path.join(fx, p) for p in (FIXTURE, DEMO, LAYOUT)))
    shots(d, art, f"{tag}-lot-formulaire")
    navigate(d, d.find_element(By.CSS_SELECTOR, "form.depot button"))
    rows = d.find_elements(By.CSS_SELECTOR, "table.lot tbody tr")
    c.equal(len(rows), 3, f"{tag}: one line per file")
    communes = [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows]
    c.check("Exemple-sur-Saône" in communes and
            "Sainte-Foy-lès-Lyon" in communes, f"{tag}: communes {communes}")
    if javascript:
        w = page_width_390(d)
        c.check(w <= 400, f"{tag}: lot page fits 390 px ({w})")
    shots(d, art, f"{tag}-lot")
    before = set(os.listdir(downloads))
    d.find_element(By.PARTIAL_LINK_TEXT, "synthese.xlsx").click()
    syn = wait_download(downloads, ".xlsx", before)
    c.check(syn is not None and os.path.basename(syn).startswith("synthese"),
            f"{tag}: synthesis downloaded")
    if syn:
        order, sheets, _ = common.read_xlsx(syn)
        c.check("Fichiers" in order and "Communes" in order,
                f"{tag}: synthesis sheets {order}")
        files_sheet = sheets.get("Fichiers", {})
        c.equal(max((r for r, _ in files_sheet), default=0), 4,
                f"{tag}: synthesis lists three files")
    navigate(d, d.find_element(By.LINK_TEXT, "Rapport"))
    c.check(d.find_element(By.ID, "verdict").text != "",
            f"{tag}: a file's report opens")
    navigate(d, d.find_element(By.PARTIAL_LINK_TEXT, "Retour au lot"))
    c.equal(len(d.find_elements(By.CSS_SELECTOR, "table.lot tbody tr")), 3,
            f"{tag}: back to the lot")

    # « Modèle vierge »
    d.get(url + "modele")
    shots(d, art, f"{tag}-modele")
    d.find_element(By.ID, "commune").send_keys("Vénissieux")
    before = set(os.listdir(downloads))
    # A download: the page stays.
    d.find_element(By.CSS_SELECTOR, "form.depot button").click()
    m = wait_download(downloads, ".xlsx", before)
    c.check(m is not None and "Vénissieux" in os.path.basename(m),
            f"{tag}: template downloaded with the commune's name ({m})")

    # Unknown page.
    d.get(url + "nulle-part")
    c.check("Page introuvable" in d.find_element(By.TAG_NAME, "body").text,
            f"{tag}: 404 page")
    shots(d, art, f"{tag}-404")
    v = csp_violations(d)
    c.equal(v, [], f"{tag}: no CSP violation")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exe", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--artifacts", required=True)
    a = p.parse_args()
    if webdriver is None or not os.access(CHROMIUM, os.X_OK) or \
            not os.access(DRIVER, os.X_OK):
        print("SKIP: needs python3-selenium, chromium and chromium-driver "
              "(scripts/setup)")
        sys.exit(SKIP)
    exe = os.path.abspath(a.exe)
    fx = os.path.abspath(a.fixtures)
    art = os.path.abspath(a.artifacts)
    shutil.rmtree(art, ignore_errors=True)
    os.makedirs(art)
    c = common.Checker("serve-browser")
    tmp = tempfile.mkdtemp(prefix="clasconv-serve-browser-")
    ref = os.path.join(tmp, "ref.xlsx")
    common.run(exe, "convert", os.path.join(fx, FIXTURE), "-o", ref)
    ref_order, ref_sheets, _ = common.read_xlsx(ref)
    ref_cmp_path = os.path.join(tmp, "comparaison.xlsx")
    common.run(exe, "compare", os.path.join(fx, OLD), os.path.join(fx, NEW),
               "-o", ref_cmp_path)
    ref_cmp = common.read_xlsx(ref_cmp_path)[:2]
    server_tmp = os.path.join(tmp, "server-tmp")
    os.mkdir(server_tmp)
    server, url = start_server(exe, server_tmp)
    try:
        for javascript in (True, False):
            tag = "js" if javascript else "sans-js"
            downloads = os.path.join(tmp, "dl-" + tag)
            os.mkdir(downloads)
            d = make_driver(downloads, javascript)
            try:
                run(c, d, url, fx, (ref_order, ref_sheets), downloads, art,
                    tag, javascript)
                compare(c, d, url, fx, ref_cmp, downloads, art, tag,
                        javascript)
            finally:
                d.quit()
        c.equal(os.listdir(server_tmp), [], "server TMPDIR empty")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    c.equal(server.returncode, 0, "server stopped cleanly")

    # A server with --annuaire: its home page says which one.
    server, url = start_server(exe, server_tmp, "--annuaire",
                               os.path.join(fx, ANNUAIRE))
    downloads = os.path.join(tmp, "dl-annuaire")
    os.mkdir(downloads)
    d = make_driver(downloads, True)
    try:
        d.get(url)
        note = d.find_element(By.ID, "annuaire").text
        c.check(note.startswith("Annuaire de l'éducation utilisé : "
                                "annuaire-rhone.csv (61 établissements)."),
                f"annuaire: shown on the home page ({note!r})")
        shots(d, art, "annuaire-accueil")
        # A check: each school's UAI under its name, the annuaire's name
        # when it says more (issue 16).
        d.find_element(By.ID, "fichier").send_keys(
            os.path.join(fx, "ref", "clas-2026-villeurbanne.csv"))
        navigate(d, d.find_element(By.CSS_SELECTOR, "form.depot button"))
        uais = [x.text for x in d.find_elements(By.CSS_SELECTOR, "span.uai")]
        c.check("UAI 0694106N · annuaire : Collège Jean Jaurès" in uais and
                "UAI 0694102J" in uais,
                f"annuaire: UAI under the school names ({uais!r})")
        w = page_width_390(d)
        c.check(w <= 400, f"annuaire: no page-wide overflow at 390 px ({w})")
        shots(d, art, "annuaire-rapport")
        compare(c, d, url, fx, None, downloads, art, "annuaire", True)
    finally:
        d.quit()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    c.equal(server.returncode, 0, "annuaire server stopped cleanly")
    c.check(len([n for n in os.listdir(art) if n.endswith(".png")]) >= 20,
            "screenshots kept")
    shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
