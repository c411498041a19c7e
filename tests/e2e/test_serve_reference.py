"""End-to-end HTTP test of issue "reference" in `clasconv serve`:
`serve --annuaire` (loaded once at start, shown on the pages, every check
and lot matched: UAI and official name in the downloads, byte-identical to
`check --json --annuaire` and `convert --annuaire`; an unreadable annuaire
stops the start with a French message) and the « Comparer avec l'an
dernier » page (report and workbook byte-identical to `compare`, with and
without the annuaire; its limits: two files exactly, --max-taille, an
unreadable side, hostile names, the worker's time limit)."""
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from test_serve_http import (Server, check_headers, french_page,  # noqa: E402
                             links)

OLD = "ref/clas-2025-villeurbanne.csv"
NEW = "ref/clas-2026-villeurbanne.csv"
BRON = "ref/uai-column-bron.csv"
ANNUAIRE = "annuaire/annuaire-rhone.csv"
BAD = "csv/bad-quote.csv"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def multipart(parts, boundary="----clasconvref7MA4YWxk"):
    """parts: (field, filename, bytes), each its own field."""
    out = io.BytesIO()
    for field, name, data in parts:
        out.write(b"--" + boundary.encode() + b"\r\n")
        out.write(('Content-Disposition: form-data; name="%s"; '
                   'filename="%s"\r\n' % (field, name)).encode("utf-8"))
        out.write(b"Content-Type: application/octet-stream\r\n\r\n")
        out.write(data)
        out.write(b"\r\n")
    out.write(b"--" + boundary.encode() + b"--\r\n")
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


def post(s, path, parts):
    body, ctype = multipart(parts)
    return s.request("POST", path, body, {"Content-Type": ctype})


def pre_text(page):
    m = re.search(r'<pre class="rapport">(.*?)</pre>', page, re.S)
    if not m:
        return None
    import html
    return html.unescape(m.group(1))


def compare_checks(c, s, exe, fx, tmp, annuaire, what):
    """POST /comparer: the page, its report and downloads as `compare`'s."""
    old, new = os.path.join(fx, OLD), os.path.join(fx, NEW)
    extra = ["--annuaire", annuaire] if annuaire else []
    cli_xlsx = os.path.join(tmp, "cli-%s.xlsx" % what)
    cli = common.run(exe, "compare", old, new, "-o", cli_xlsx, *extra)
    c.equal(cli.returncode, 0, f"{what}: CLI compare")
    cli_json = common.run(exe, "compare", old, new, "--json", *extra).stdout
    r, data = post(s, "/comparer", [
        ("ancien", os.path.basename(OLD), open(old, "rb").read()),
        ("nouveau", os.path.basename(NEW), open(new, "rb").read())])
    page = data.decode("utf-8")
    c.equal(r.status, 200, f"{what}: status")
    check_headers(c, r, what)
    c.check("<script" not in page, f"{what}: no script")
    c.check('<p id="verdict" class="verdict v-warn">3 établissements '
            "retrouvés, 1 apparu, 1 disparu, 3 changements de dispositif</p>"
            in page, f"{what}: verdict")
    c.check("<h1>Comparaison avec l&#39;an dernier</h1>" in page or
            "<h1>Comparaison avec l'an dernier</h1>" in page, f"{what}: h1")
    c.equal(pre_text(page), cli.stdout.decode("utf-8"),
            f"{what}: the report is compare's, line for line")
    ln = links(page)
    c.equal(sorted(ln), ["comparaison", "json"], f"{what}: links")
    r, body = s.get(ln.get("comparaison", "/x"))
    c.equal(r.status, 200, f"{what}: workbook download")
    c.equal(r.getheader("Content-Type"), XLSX_CT, f"{what}: workbook type")
    cd = r.getheader("Content-Disposition") or ""
    c.check(cd.startswith('attachment; filename="clas-2026-villeurbanne - '
                          'comparaison.xlsx"'), f"{what}: disposition {cd!r}")
    c.check(body == open(cli_xlsx, "rb").read(),
            f"{what}: workbook has compare -o's bytes")
    mine = os.path.join(tmp, "srv-%s.xlsx" % what)
    open(mine, "wb").write(body)
    order, sheets, _ = common.read_xlsx(mine)
    c.equal(order, ["Évolution", "Changements"], f"{what}: sheets")
    r, body = s.get(ln.get("json", "/x"))
    c.equal(r.getheader("Content-Type"), "application/json; charset=utf-8",
            f"{what}: JSON type")
    c.check(body == cli_json, f"{what}: JSON has compare --json's bytes")
    return page, json.loads(body) if body else None


def main():
    args = common.parse_args()
    exe, fx = args.exe, args.fixtures
    c = common.Checker("serve-reference")
    annuaire = os.path.join(fx, ANNUAIRE)
    tmp = tempfile.mkdtemp(prefix="clasconv-serve-ref-")
    new_bytes = open(os.path.join(fx, NEW), "rb").read()
    old_bytes = open(os.path.join(fx, OLD), "rb").read()
    bron_bytes = open(os.path.join(fx, BRON), "rb").read()

    # --- An annuaire that cannot be read: the server does not start.
    r = common.run(exe, "serve", "--ecoute", "127.0.0.1:0", "--annuaire",
                   os.path.join(tmp, "absent.csv"))
    err = r.stderr.decode("utf-8")
    c.equal(r.returncode, 2, "missing annuaire: status 2")
    c.check("Impossible d'ouvrir l'annuaire « absent.csv » : fichier "
            "introuvable." in err and "Le serveur ne démarre pas" in err,
            f"missing annuaire: French message {err!r}")
    c.equal(r.stdout, b"", "missing annuaire: never listened")
    r = common.run(exe, "serve", "--ecoute", "127.0.0.1:0", "--annuaire",
                   os.path.join(fx, NEW))
    c.equal(r.returncode, 2, "not an annuaire: status 2")
    c.check("n'est pas un export de l'Annuaire de l'éducation" in
            r.stderr.decode("utf-8"), f"not an annuaire: {r.stderr!r}")
    r = common.run(exe, "serve", "--annuaire")
    c.equal(r.returncode, 64, "--annuaire without a file: usage")

    # --- The CLI's outputs with the annuaire.
    ref = os.path.join(tmp, "ref")
    os.mkdir(ref)
    for rel in (NEW, BRON):
        shutil.copy(os.path.join(fx, rel), ref)
    new_src = os.path.join(ref, os.path.basename(NEW))
    bron_src = os.path.join(ref, os.path.basename(BRON))
    cli_json = common.run(exe, "check", new_src, "--json", "--annuaire",
                          annuaire).stdout
    for src in (new_src, bron_src):
        r = common.run(exe, "convert", src, "-o", src + ".xlsx",
                       "--annuaire", annuaire)
        c.equal(r.returncode, 0, f"CLI convert --annuaire {src}")

    s = Server(exe, tmp, "--annuaire", annuaire, "--max-taille", "1",
               "--garde", "600")
    try:
        # The pages say which annuaire is used; the home links the page.
        for path in ("/", "/lot", "/comparer"):
            r, data = s.get(path)
            page = data.decode("utf-8")
            c.equal(r.status, 200, f"GET {path}")
            c.check('<p class="encadre" id="annuaire">Annuaire de '
                    "l&#39;éducation utilisé : <strong>annuaire-rhone.csv"
                    "</strong> (61 établissements)" in page or
                    '<p class="encadre" id="annuaire">Annuaire de '
                    "l'éducation utilisé : <strong>annuaire-rhone.csv"
                    "</strong> (61 établissements)" in page,
                    f"GET {path}: annuaire shown")
            c.check('<a href="/comparer"' in page,
                    f"GET {path}: link to the comparison page")
        r, data = s.get("/")
        c.check('<a href="/comparer">Comparer avec l\'an dernier</a> ('
                in data.decode("utf-8"), "home: comparison linked in the "
                "text, not only in the navigation")
        r, data = s.get("/comparer")
        page = data.decode("utf-8")
        check_headers(c, r, "GET /comparer")
        c.check("<h1>Comparer avec l'an dernier</h1>" in page,
                "GET /comparer: title")
        c.check('<form class="depot" method="post" action="/comparer" '
                'enctype="multipart/form-data">' in page,
                "GET /comparer: a plain form post")
        labels = re.findall(r'<label for="([^"]+)"', page)
        inputs = re.findall(r'<input [^>]*id="([^"]+)"', page)
        c.equal((sorted(labels), sorted(inputs)),
                (["ancien", "nouveau"], ["ancien", "nouveau"]),
                "GET /comparer: a label for each of the two fields")
        c.check("<script" not in page, "GET /comparer: no script")

        # « Vérifier un fichier » with the annuaire: UAI and official
        # names, the same bytes as the CLI with --annuaire.
        r, data = post(s, "/verifier", [("fichier", os.path.basename(NEW),
                                         new_bytes)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "check with annuaire: status")
        ln = links(page)
        r, body = s.get(ln.get("json", "/x"))
        c.check(body == cli_json, "check: JSON as check --json --annuaire")
        doc = json.loads(body)
        c.equal([(x["school"], x["uai"], x.get("official_name"),
                  x.get("confidence")) for x in doc["rows"]], [
            ("École élémentaire Alphonse-Daudet", "0694102J",
             "Ecole élémentaire Alphonse Daudet", 100),
            ("École élémentaire Jules Ferry", "0694112V",
             "Ecole élémentaire Jules Ferry", 100),
            ("Collège J. Jaurès", "0694106N", "Collège Jean Jaurès", 100),
            ("Collège Evariste Galois", "0694107P", "Collège Evariste Galois",
             100)], "check: UAI and official names from the annuaire")
        r, body = s.get(ln.get("classeur", "/x"))
        c.check(body == open(new_src + ".xlsx", "rb").read(),
                "check: workbook as convert --annuaire")
        wb = os.path.join(tmp, "check.xlsx")
        open(wb, "wb").write(body)
        disp = common.read_xlsx(wb)[1]["Dispositifs"]
        c.equal([disp.get((1, col)) for col in (15, 16)],
                ["UAI", "Nom dans l'annuaire"], "check: annuaire columns")
        c.equal([disp.get((row, 15)) for row in range(2, 6)],
                ["0694102J", "0694112V", "0694106N", "0694107P"],
                "check: Dispositifs UAI column")

        # « Convertir un lot »: every file matched to the same index.
        r, data = post(s, "/lot", [
            ("fichiers", os.path.basename(NEW), new_bytes),
            ("fichiers", os.path.basename(BRON), bron_bytes)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "lot with annuaire: status")
        ln = links(page)
        got = {}
        base = ln.get("synthese", "/x/x").rsplit("/", 1)[0]
        for k in ("classeur-0", "classeur-1"):  # linked from each report
            r, body = s.get(base + "/" + k)
            got[k] = body
        c.check(got["classeur-0"] == open(new_src + ".xlsx", "rb").read(),
                "lot: first workbook as convert --annuaire")
        c.check(got["classeur-1"] == open(bron_src + ".xlsx", "rb").read(),
                "lot: second workbook as convert --annuaire")
        r, body = s.get(ln.get("synthese", "/x"))
        syn = os.path.join(tmp, "syn.xlsx")
        open(syn, "wb").write(body)
        sheets = common.read_xlsx(syn)[1]
        flat = [v for v in sheets.get("Établissements", {}).values()]
        c.check("0694107P" in flat and "0694301A" in flat,
                "lot: synthesis keyed by the annuaire's UAIs")
        c.equal(s.leftovers(), [], "TMPDIR empty after check and lot")

        # « Comparer avec l'an dernier », with the annuaire.
        page, doc = compare_checks(c, s, exe, fx, tmp, annuaire, "compare")
        c.equal(doc and (doc["kept"], doc["kept_by_uai"]), (3, 3),
                "compare with annuaire: 3 kept, all 3 by their UAI")
        c.check("Ancien : <strong>clas-2025-villeurbanne.csv</strong> · "
                "Nouveau : <strong>clas-2026-villeurbanne.csv</strong>"
                in page, "compare: both files named")
        # The form's order does not matter: the fields say which is which.
        r, data = post(s, "/comparer", [
            ("nouveau", "b.csv", new_bytes), ("ancien", "a.csv", old_bytes)])
        text = pre_text(data.decode("utf-8")) or ""
        c.check(r.status == 200 and text.startswith("Ancien  : a.csv"),
                f"compare: fields in either order ({text[:60]!r})")
        # Two communes: each compared with an empty table, as `compare`.
        cli_xlsx = os.path.join(tmp, "cli-two.xlsx")
        cli = common.run(exe, "compare", bron_src, new_src, "-o", cli_xlsx,
                         "--annuaire", annuaire)
        r, data = post(s, "/comparer", [
            ("ancien", os.path.basename(BRON), bron_bytes),
            ("nouveau", os.path.basename(NEW), new_bytes)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "two communes: status")
        c.check("ne portent pas sur la même commune" in page,
                "two communes: said on the page")
        c.equal(pre_text(page), cli.stdout.decode("utf-8"),
                "two communes: report as compare's")
        r, body = s.get(links(page).get("comparaison", "/x"))
        c.check(body == open(cli_xlsx, "rb").read(),
                "two communes: workbook as compare -o's")
        c.equal(s.leftovers(), [], "TMPDIR empty after comparisons")

        # Its limits.
        r, data = post(s, "/comparer", [("ancien", "a.csv", old_bytes)])
        c.equal(r.status, 400, "compare one file: 400")
        french_page(c, data, "compare one file", "Deux fichiers attendus")
        r, data = post(s, "/comparer", [("ancien", "a.csv", old_bytes),
                                        ("ancien", "b.csv", new_bytes)])
        c.equal(r.status, 400, "compare two « ancien »: 400")
        r, data = post(s, "/comparer", [])
        c.equal(r.status, 400, "compare nothing: 400")
        french_page(c, data, "compare nothing", "Aucun fichier")
        r, data = post(s, "/comparer", [("ancien", "a.csv", old_bytes),
                                        ("nouveau", "b.csv", new_bytes),
                                        ("nouveau", "c.csv", new_bytes)])
        c.equal(r.status, 413, "compare three files: 413")
        french_page(c, data, "compare three files", "Trop de fichiers")
        big = b"x" * (600 << 10)
        r, data = post(s, "/comparer", [("ancien", "a.csv", big),
                                        ("nouveau", "b.csv", big)])
        c.equal(r.status, 413, "compare over --max-taille 1: 413")
        french_page(c, data, "compare too big", "1 Mo")
        r, data = s.request("POST", "/comparer", b"a=b",
                            {"Content-Type": "text/plain"})
        c.equal(r.status, 415, "compare not multipart: 415")
        r, data = s.request("PUT", "/comparer", b"")
        c.equal(r.status, 405, "PUT /comparer: 405")
        bad = open(os.path.join(fx, BAD), "rb").read()
        r, data = post(s, "/comparer", [("ancien", "bad-quote.csv", bad),
                                        ("nouveau", "b.csv", new_bytes)])
        page = data.decode("utf-8")
        c.equal(r.status, 422, "compare an unreadable file: 422")
        c.check("Comparaison impossible" in page and
                "Le fichier de l&#39;an dernier, « bad-quote.csv », n&#39;a "
                "pas pu être lu : Aucun tableau des dispositifs" in page,
                f"compare unreadable: says which side ({page[-900:]!r})")
        french_page(c, data, "compare unreadable", "Que faire")
        r, data = post(s, "/comparer", [
            ("ancien", "a.csv", old_bytes),
            ("nouveau", "<script>alert(1)</script>.csv", new_bytes)])
        page = data.decode("utf-8")
        c.check(r.status == 200 and "<script>alert" not in page and
                "Nouveau : <strong>script&gt;.csv</strong>" in page,
                "compare: a hostile name is a base name, as text")
        r, data = post(s, "/comparer", [("ancien", "a.csv", old_bytes),
                                        ("nouveau", "<b>x'&.csv",
                                         new_bytes)])
        c.check("Nouveau : <strong>&lt;b&gt;x&#39;&amp;.csv</strong>" in
                data.decode("utf-8"), "compare: a name is escaped")
        c.equal(s.leftovers(), [], "TMPDIR empty after the limits")

        rc, out, err = s.stop()
        c.equal(rc, 0, f"SIGTERM: clean stop ({err[-1500:]!r})")
        c.check("clasconv serve : comparaison : 200, 2 fichiers, " in err,
                f"journal line for a comparison ({err[:400]!r})")
        c.check("villeurbanne" not in err, "journal: no file names")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()

    # --- Without the annuaire: nothing said about one; compare as the CLI.
    s = Server(exe, tmp, "--travailleurs", "1", "--delai", "2",
               "--max-fichiers", "1")
    try:
        r, data = s.get("/")
        c.check('id="annuaire"' not in data.decode("utf-8"),
                "no annuaire: none shown")
        _, doc = compare_checks(c, s, exe, fx, tmp, None, "compare-plain")
        c.equal(doc and (doc["kept"], doc["kept_by_uai"]), (3, 1),
                "compare without annuaire: 3 kept, 1 by its UAI")
        # (--max-fichiers 1 bounds lots, not the comparison's two files.)
        if os.environ.get("CLASCONV_TEST_HOOKS") == "ON":
            s.stop()
            s = Server(exe, tmp, "--travailleurs", "1", "--delai", "2",
                       env={"CLASCONV_SERVE_TEST_HOOK": "hang:LENT"})
            t0 = time.process_time()
            r, data = post(s, "/comparer", [("ancien", "LENT.csv", old_bytes),
                                            ("nouveau", "b.csv", new_bytes)])
            page = data.decode("utf-8")
            c.equal(r.status, 422, "compare past --delai: 422")
            # The wall-clock limit, or the CPU limit (the same --delai)
            # when this loaded machine wakes the server late.
            c.check("Fichier illisible" in page and
                    ("dépassé la limite de 2 secondes" in page or
                     "limite de temps de calcul" in page),
                    f"compare past --delai: French page ({page[-700:]!r})")
            c.check(time.process_time() - t0 < 5,
                    "compare past --delai: the test did not spin")
            r, data = post(s, "/comparer", [("ancien", "a.csv", old_bytes),
                                            ("nouveau", "b.csv", new_bytes)])
            c.equal(r.status, 200, "next comparison after a hung worker")
            c.equal(s.leftovers(), [], "TMPDIR empty after a hung worker")
        else:
            print("SKIP: compare worker past --delai: build with "
                  "-DCLASCONV_TEST_HOOKS=ON")
        rc, _, err = s.stop()
        c.equal(rc, 0, f"no annuaire: clean stop ({err[-1500:]!r})")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
