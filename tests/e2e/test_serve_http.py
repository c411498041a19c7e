"""End-to-end HTTP test of `clasconv serve` (Python's http.client and raw
sockets, 127.0.0.1 only, a free port): pages and security headers, a check
whose downloads are byte-identical to the CLI's outputs, a lot of three
files and the same lot as a .zip, the template, every limit with its status
(413, too many files, 405, 404, 415, 400, 503 with Retry-After, slow
clients, header and part limits), hostile uploads (zip bomb, 2 GB
Content-Length that never comes, malformed multipart, path traversal and
<script> in names), workers killed, crashing and hanging mid-conversion,
results expiring, the temporary folder empty after every request, and a
clean stop on SIGTERM."""
import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

FIXTURE = "coord/rapport-3-erreurs.csv"
DEMO = "demo/Tableau dispositifs CLAS 2026 - Exemple-sur-Saône.csv"
BAD = "csv/bad-quote.csv"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Server:
    """One `clasconv serve` on 127.0.0.1, a free port, its own TMPDIR."""

    def __init__(self, exe, tmp, *args, env=None):
        self.tmpdir = tempfile.mkdtemp(prefix="tmp-", dir=tmp)
        e = dict(os.environ, TMPDIR=self.tmpdir)
        e.pop("CLASCONV_SERVE_TEST_HOOK", None)
        e.update(env or {})
        # stderr (one journal line per conversion) goes to a file: a pipe
        # nobody reads would fill and block the server.
        self.errpath = self.tmpdir + ".stderr"
        self.errfile = open(self.errpath, "wb")
        self.p = subprocess.Popen(
            [exe, "serve", "--ecoute", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE, stderr=self.errfile, env=e)
        line = self.p.stdout.readline().decode("utf-8")
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError("no address printed: %r %r" %
                               (line, open(self.errpath, "rb").read()))
        self.port = int(m.group(1))
        self.first_line = line

    def conn(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = self.conn(timeout)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def get(self, path):
        return self.request("GET", path)

    def post_files(self, path, files, field=None, extra=None):
        body, ctype = multipart(files, field or (
            "fichier" if path == "/verifier" else "fichiers"), extra)
        return self.request("POST", path, body, {"Content-Type": ctype})

    def leftovers(self):
        return sorted(os.listdir(self.tmpdir))

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        out, _ = self.p.communicate(timeout=60)
        self.errfile.close()
        err = open(self.errpath, "rb").read()
        return self.p.returncode, out.decode("utf-8"), err.decode("utf-8")


def multipart(files, field, extra=None, boundary="----clasconvtest7MA4YWxk"):
    out = io.BytesIO()
    for name, data in files:
        out.write(b"--" + boundary.encode() + b"\r\n")
        out.write(('Content-Disposition: form-data; name="%s"; '
                   'filename="%s"\r\n' % (field, name)).encode("utf-8"))
        out.write(b"Content-Type: application/octet-stream\r\n\r\n")
        out.write(data)
        out.write(b"\r\n")
    for k, v in (extra or []):
        out.write(b"--" + boundary.encode() + b"\r\n")
        out.write(('Content-Disposition: form-data; name="%s"\r\n\r\n' % k)
                  .encode())
        out.write(v.encode() + b"\r\n")
    out.write(b"--" + boundary.encode() + b"--\r\n")
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


def links(page):
    return dict((m.group(2), m.group(1)) for m in re.finditer(
        r'href="(/resultat/[0-9a-f]{32}/([a-z0-9-]+))"', page))


def section(page, ident):
    m = re.search(r'<section[^>]* id="%s">.*?</section>' % ident, page,
                  re.S)
    return m.group(0) if m else None


def raw(port, data, timeout=10, wait_close=False):
    """Sends bytes on a fresh socket (the server may answer and close before
    all is sent); returns what came back before it closed or the timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    got = b""
    try:
        for i in range(0, len(data), 65536):
            s.sendall(data[i:i + 65536])
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
            if not wait_close and b"\r\n\r\n" in got:
                head = got.split(b"\r\n\r\n")[0]
                m = re.search(rb"Content-Length: (\d+)", head, re.I)
                if m and len(got) >= len(head) + 4 + int(m.group(1)):
                    break
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return got


def status_of(resp):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
    return int(m.group(1)) if m else None


def check_headers(c, r, what):
    csp = r.getheader("Content-Security-Policy") or ""
    c.check("default-src 'none'" in csp and "frame-ancestors 'none'" in csp,
            f"{what}: CSP {csp!r}")
    c.equal(r.getheader("X-Content-Type-Options"), "nosniff",
            f"{what}: nosniff")
    c.equal(r.getheader("Referrer-Policy"), "no-referrer",
            f"{what}: Referrer-Policy")
    c.equal(r.getheader("Server"), None, f"{what}: no Server banner")


def french_page(c, data, what, status_word):
    text = data.decode("utf-8")
    c.check(text.startswith("<!DOCTYPE html>") and 'lang="fr"' in text and
            "Que faire" in text and status_word in text,
            f"{what}: French page with what to do ({text[-600:]!r})")
    c.check("<script" not in text and "http://" not in text.split(
        "</style>")[-1], f"{what}: self-contained")


def children(pid):
    """The live child processes of `pid` (zombies left out)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d))
    return sorted(out)


def wait_gone(pids, timeout=10):
    """Waits until none of `pids` runs (gone, or a zombie)."""
    end = time.time() + timeout
    while time.time() < end:
        live = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        live.append(pid)
            except OSError:
                pass
        if not live:
            return
        time.sleep(0.02)


def pool_workers(c, s, what):
    """The pool's workers: the children of the server's one child, the
    single-threaded process that forks them."""
    zygote = children(s.p.pid)
    c.equal(len(zygote), 1, f"{what}: one child of the server, the process "
            f"that forks the workers ({zygote})")
    return zygote + (children(zygote[0]) if zygote else [])


def pool_checks(c, exe, tmp, fixture, demo):
    """The checks run in reused workers: as many as --travailleurs, forked
    before the first request, the same ones after many requests; a worker
    or the process that forks them killed from outside costs no file."""
    s = Server(exe, tmp, "--travailleurs", "2")
    try:
        before = pool_workers(c, s, "pool at start")
        c.equal(len(before), 3, f"pool: two workers at start ({before})")
        for i in range(6):
            r, _ = s.post_files("/verifier", [(f"f{i}.csv", fixture)])
            c.equal(r.status, 200, f"pool: check {i}")
        r, data = s.post_files("/lot", [("a.csv", fixture), ("b.csv", demo),
                                        ("c.csv", fixture)])
        c.equal(r.status, 200, "pool: lot")
        c.equal(data.decode("utf-8").count("Illisible"), 0,
                "pool: lot read whole")
        after = pool_workers(c, s, "pool after a lot")
        c.equal(after, before, "pool: the same workers after 6 checks and a "
                "lot of 3 (no fork per file)")
        # An idle worker killed from outside (the OOM killer, an
        # administrator): the next checks go to live workers.
        os.kill(before[1], signal.SIGKILL)
        wait_gone(before[1:2])
        for i in range(3):
            r, _ = s.post_files("/verifier", [(f"k{i}.csv", fixture)])
            c.equal(r.status, 200, f"pool: check {i} after a worker killed "
                    "from outside")
        after = pool_workers(c, s, "pool after a worker killed")
        c.check(len(after) == 3 and before[1] not in after,
                f"pool: the killed worker replaced ({before} -> {after})")
        # The process that forks them killed: its workers die with it, the
        # server forks them itself and goes on.
        os.kill(after[0], signal.SIGKILL)
        wait_gone(after)
        for i in range(3):
            r, _ = s.post_files("/verifier", [(f"z{i}.csv", fixture)])
            c.equal(r.status, 200, f"pool: check {i} after the forking "
                    "process was killed")
        c.equal(len(children(s.p.pid)), 2,
                "pool: two workers forked by the server itself")
        c.equal(s.leftovers(), [], "pool: TMPDIR empty")
        rc, _, err = s.stop()
        c.equal(rc, 0, f"pool: clean stop ({err[-2000:]!r})")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()


def hook_checks(c, exe, tmp, fixture, demo):
    """Workers that misbehave on purpose: test builds only
    (-DCLASCONV_TEST_HOOKS=ON, CLASCONV_SERVE_TEST_HOOK)."""
    # Workers that die: killed, crashing, hanging; the server goes on.
    s = Server(exe, tmp, "--delai", "3", "--garde", "1", "--travailleurs",
               "1", "--attente", "0",
               env={"CLASCONV_SERVE_TEST_HOOK": "kill:TUER"})
    try:
        r, data = s.post_files("/verifier", [("TUER.csv", fixture)])
        page = data.decode("utf-8")
        c.equal(r.status, 422, "killed worker: 422")
        c.check("Fichier illisible" in page and "arrêtée" in page and
                "Que faire" in page, "killed worker: French page")
        r, data = s.post_files("/verifier", [("ok.csv", fixture)])
        c.equal(r.status, 200, "next request after a killed worker")
        c.equal(len(pool_workers(c, s, "killed worker")), 2,
                "killed worker replaced")
        ln = links(data.decode("utf-8"))
        r, data = s.post_files("/lot", [("a.csv", fixture),
                                        ("TUER.csv", demo)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "lot with a killed worker: 200")
        c.check(page.count("Illisible") == 1 and "À vérifier" in page,
                "lot with a killed worker: one file illisible")
        time.sleep(2.2)
        r, data = s.get(ln["classeur"])
        c.equal(r.status, 404, "result expired after --garde")
        french_page(c, data, "expired", "expiré")
        c.equal(s.leftovers(), [], "TMPDIR empty after killed workers")
        rc, _, err = s.stop()
        c.equal(rc, 0, f"stop after killed workers ({err[-2000:]!r})")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()

    for hook, word in (("crash:PLANTE", "interrompue"),
                       ("hang:BOUCLE", "limite de 3 secondes")):
        name = hook.split(":")[1] + ".csv"
        s = Server(exe, tmp, "--delai", "3", "--travailleurs", "1",
                   "--attente", "0", env={"CLASCONV_SERVE_TEST_HOOK": hook})
        try:
            result = {}

            def slow():
                result["r"] = s.post_files("/verifier", [(name, fixture)])

            t = threading.Thread(target=slow)
            t0 = time.time()
            t.start()
            if hook.startswith("hang"):
                # One worker, no queue: a second request is refused.
                time.sleep(0.8)
                r, data = s.post_files("/verifier", [("ok.csv", fixture)])
                c.equal(r.status, 503, "busy: 503")
                c.equal(r.getheader("Retry-After"), "10", "busy: Retry-After")
                french_page(c, data, "busy", "occupé")
            t.join(60)
            r, data = result["r"]
            page = data.decode("utf-8")
            c.equal(r.status, 422, f"{hook}: 422")
            c.check(word in page and "Que faire" in page,
                    f"{hook}: French page ({page[-800:]!r})")
            if hook.startswith("hang"):
                c.check(time.time() - t0 < 10, "hang: cut at the wall time")
            r, _ = s.post_files("/verifier", [("ok.csv", fixture)])
            c.equal(r.status, 200, f"{hook}: next request works")
            c.equal(s.leftovers(), [], f"{hook}: TMPDIR empty")
            rc, _, err = s.stop()
            c.equal(rc, 0, f"{hook}: clean stop ({err[-2000:]!r})")
        finally:
            if s.p.poll() is None:
                s.p.kill()
                s.p.wait()

    # A lot is bounded as a whole: twice --delai, then files are not read.
    s = Server(exe, tmp, "--delai", "1",
               env={"CLASCONV_SERVE_TEST_HOOK": "hang:BOUCLE"})
    try:
        t0 = time.time()
        r, data = s.post_files("/lot", [("BOUCLE%d.csv" % i, fixture)
                                        for i in range(4)] +
                               [("ok.csv", fixture)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "lot over its time budget: answered")
        c.check("Non lu : le lot a pris plus de 2 secondes" in page,
                "lot over its time budget: the rest not read")
        c.check(time.time() - t0 < 15, "lot time budget: bounded")
        c.equal(s.leftovers(), [], "lot time budget: TMPDIR empty")
        rc, _, err = s.stop()
        c.equal(rc, 0, f"lot time budget: clean stop ({err[-2000:]!r})")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()

    # SIGTERM during a conversion: the worker is killed, the server stops
    # at once and leaves nothing.
    s = Server(exe, tmp, "--delai", "60",
               env={"CLASCONV_SERVE_TEST_HOOK": "sleep:DORT"})
    try:
        result = {}

        def sleeper():
            try:
                result["r"] = s.post_files("/verifier", [("DORT.csv",
                                                          fixture)])
            except (OSError, http.client.HTTPException) as e:
                result["e"] = e

        t = threading.Thread(target=sleeper)
        t.start()
        deadline = time.time() + 10
        while time.time() < deadline and not s.leftovers():
            time.sleep(0.05)
        c.check(s.leftovers() != [], "in flight: the request's folder exists")
        t0 = time.time()
        rc, out, err = s.stop()
        t.join(30)
        c.equal(rc, 0, f"SIGTERM in flight: clean stop ({err[-2000:]!r})")
        c.check(time.time() - t0 < 10, "SIGTERM in flight: stops at once")
        c.equal(s.leftovers(), [], "SIGTERM in flight: TMPDIR empty")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()


def main():
    args = common.parse_args()
    exe, fx = args.exe, args.fixtures
    c = common.Checker("serve-http")
    fixture = open(os.path.join(fx, FIXTURE), "rb").read()
    demo = open(os.path.join(fx, DEMO), "rb").read()
    bad = open(os.path.join(fx, BAD), "rb").read()
    tmp = tempfile.mkdtemp(prefix="clasconv-serve-http-")

    # --- The CLI's outputs for the same file: the server must match them.
    ref = os.path.join(tmp, "ref")
    os.mkdir(ref)
    src = os.path.join(ref, os.path.basename(FIXTURE))
    open(src, "wb").write(fixture)
    common.run(exe, "convert", src, "-o", os.path.join(ref, "wb.xlsx"))
    common.run(exe, "template", "-o", os.path.join(ref, "modele.xlsx"),
               "--depuis", src)
    common.run(exe, "check", src, "--html", os.path.join(ref, "r.html"))
    cli_json = common.run(exe, "check", src, "--json").stdout
    common.run(exe, "template", "-o", os.path.join(ref, "vierge.xlsx"),
               "--commune", "Saint-Étienne")

    s = Server(exe, tmp, "--max-taille", "2", "--max-fichiers", "5",
               "--garde", "600")
    try:
        c.check(s.first_line.startswith("clasconv serve : à l'écoute sur "
                                        "http://127.0.0.1:"),
                f"address printed: {s.first_line!r}")

        # Pages.
        for path, title in (("/", "Vérifier un fichier"),
                            ("/lot", "Convertir un lot"),
                            ("/modele", "Modèle vierge")):
            r, data = s.get(path)
            text = data.decode("utf-8")
            c.equal(r.status, 200, f"GET {path}")
            check_headers(c, r, f"GET {path}")
            c.check(f"<h1>{title}</h1>" in text, f"GET {path}: title")
            labels = re.findall(r'<label for="([^"]+)"', text)
            inputs = re.findall(r'<input [^>]*id="([^"]+)"', text)
            c.check(inputs and sorted(labels) == sorted(inputs),
                    f"GET {path}: a label for every field {labels} {inputs}")
            c.check("<script" not in text, f"GET {path}: no script")
        r, _ = s.request("HEAD", "/")
        c.equal(r.status, 200, "HEAD /")

        # Unknown paths, methods, bad tokens.
        for path in ("/nope", "/../../etc/passwd", "/%2e%2e/etc/passwd",
                     "/resultat/", "/resultat/zz/classeur",
                     "/resultat/" + "0" * 32 + "/classeur",
                     "/resultat/" + "0" * 32 + "/../../x"):
            r, data = s.get(path)
            c.equal(r.status, 404, f"GET {path}")
            french_page(c, data, f"GET {path}", "Que faire")
        for method, path in (("DELETE", "/"), ("PUT", "/verifier"),
                             ("POST", "/"), ("POST", "/modele"),
                             ("OPTIONS", "/lot"), ("POST", "/resultat/x")):
            r, data = s.request(method, path, b"" if method != "OPTIONS"
                                else None)
            c.equal(r.status, 405, f"{method} {path}")
            c.check("GET" in (r.getheader("Allow") or ""),
                    f"{method} {path}: Allow")
            french_page(c, data, f"{method} {path}", "Méthode")
        c.equal(s.leftovers(), [], "TMPDIR empty after pages")

        # « Vérifier un fichier »: the report of check --html, downloads
        # byte-identical to convert, template --depuis and check --json.
        r, data = s.post_files("/verifier", [(os.path.basename(FIXTURE),
                                              fixture)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "check: status")
        check_headers(c, r, "check")
        c.check('<p id="verdict" class="verdict v-err">3 erreurs à corriger '
                "avant l&#39;envoi</p>" in page, "check: verdict")
        c.equal(len(re.findall(r'class="[^"]*pb-erreur', page)), 3 + 1,
                "check: 3 error cells (+ legend)")
        cli_html = open(os.path.join(ref, "r.html"), encoding="utf-8").read()
        c.check(page.index('id="verdict"') < page.index("Télécharger"),
                "check: verdict before the downloads")
        for ident in ("anomalies", "niveau-ELEMENTAIRE", "totaux"):
            c.check(section(page, ident) is not None and
                    section(page, ident) == section(cli_html, ident),
                    f"check: section {ident} as check --html")
        ln = links(page)
        c.equal(sorted(ln), ["classeur", "json", "modele"], "check: links")
        for key, ref_path, ctype, fname in (
                ("classeur", "wb.xlsx", XLSX_CT,
                 "rapport-3-erreurs - classeur standardisé.xlsx"),
                ("modele", "modele.xlsx", XLSX_CT,
                 "rapport-3-erreurs - modèle pré-rempli.xlsx"),
                ("json", None, "application/json; charset=utf-8",
                 "rapport-3-erreurs.json")):
            r, body = s.get(ln.get(key, "/x"))
            c.equal(r.status, 200, f"download {key}")
            c.equal(r.getheader("Content-Type"), ctype, f"{key}: type")
            cd = r.getheader("Content-Disposition") or ""
            c.check(cd.startswith("attachment; filename=\"") and
                    "filename*=UTF-8''" in cd, f"{key}: disposition {cd!r}")
            star = cd.split("filename*=UTF-8''")[-1]
            from urllib.parse import unquote
            c.equal(unquote(star), fname, f"{key}: filename*")
            ascii_part = cd.split('filename="')[1].split('"')[0]
            c.check(all(32 <= ord(ch) < 127 for ch in ascii_part),
                    f"{key}: ASCII fallback {ascii_part!r}")
            want = (open(os.path.join(ref, ref_path), "rb").read()
                    if ref_path else cli_json)
            c.check(body == want, f"{key}: same bytes as the CLI")
        wb = os.path.join(tmp, "dl.xlsx")
        open(wb, "wb").write(s.get(ln["classeur"])[1])
        order, sheets, _ = common.read_xlsx(wb)
        c.check(len(order) >= 2, f"workbook sheets {order}")
        c.equal(s.leftovers(), [], "TMPDIR empty after a check")

        # An unreadable file: 422 with the report's French message.
        r, data = s.post_files("/verifier", [("bad-quote.csv", bad)])
        page = data.decode("utf-8")
        c.equal(r.status, 422, "unreadable: status")
        c.check("n'a pas pu être lu" in page and "guillemet" in page and
                "Que faire" in page, "unreadable: French message")
        c.equal(sorted(links(page)), ["json"], "unreadable: JSON only")

        # Names are labels: traversal does nothing, <script> is text.
        for name in ("../../../../tmp/evil.csv", "..\\..\\evil2.csv",
                     "/etc/passwd", "<script>alert(1)</script>.csv",
                     "\"quote'<b>.csv"):
            r, data = s.post_files("/verifier", [(name, fixture)])
            page = data.decode("utf-8")
            c.equal(r.status, 200, f"name {name!r}: status")
            c.check("<script>alert" not in page and "<b>" not in page,
                    f"name {name!r}: escaped")
            if "/" not in name:
                c.check("&lt;" in page or "&quot;" in page or
                        "evil2.csv" in page, f"name {name!r}: shown as text")
            c.check("/tmp/evil" not in page and "..\\" not in page,
                    f"name {name!r}: base name only")
        c.check(not os.path.exists("/tmp/evil.csv"), "no /tmp/evil.csv")
        r, data = s.post_files("/lot", [("<script>x<script>.csv", fixture)])
        c.check(b"<script>x" not in data and b"&lt;script&gt;x" in data,
                "lot: <script> name escaped")
        c.equal(s.leftovers(), [], "TMPDIR empty after hostile names")

        # « Convertir un lot »: three files, then the same as one .zip.
        three = [(os.path.basename(FIXTURE), fixture),
                 (os.path.basename(DEMO), demo), ("bad-quote.csv", bad)]
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in three:
                z.writestr("lot/" + n, d)
            z.writestr("__MACOSX/._x.csv", b"junk")
        # What `clasconv batch` writes for the same three files.
        lot_in = os.path.join(tmp, "lot-in")
        os.makedirs(lot_in, exist_ok=True)
        for n, d in three:
            open(os.path.join(lot_in, n), "wb").write(d)
        subprocess.run([exe, "batch", lot_in, os.path.join(tmp, "lot-out")],
                       capture_output=True)
        batch_syn = common.read_xlsx(os.path.join(tmp, "lot-out",
                                                  "synthese.xlsx"))
        for what, files in (("files", three),
                            ("zip", [("lot.zip", zbuf.getvalue())])):
            r, data = s.post_files("/lot", files)
            page = data.decode("utf-8")
            c.equal(r.status, 200, f"lot {what}: status")
            rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>"
                              r'<td[^>]*><span class="st st-[a-z]+">(.*?)'
                              r"</span>", page)
            c.equal([(x[1], x[2]) for x in rows],
                    [("rapport-3-erreurs.csv", "À vérifier"),
                     (os.path.basename(DEMO), "À vérifier"),
                     ("bad-quote.csv", "Illisible")], f"lot {what}: rows")
            c.check("1 illisible" in page, f"lot {what}: verdict")
            ln = links(page)
            for k in ("synthese", "rapport-csv", "classeurs-zip",
                      "rapport-0", "rapport-1", "rapport-2"):
                c.check(k in ln, f"lot {what}: link {k}")
            r, body = s.get(ln["rapport-csv"])
            c.equal(r.getheader("Content-Type"), "text/csv; charset=utf-8",
                    f"lot {what}: csv type")
            lines = body.decode("utf-8-sig").split("\r\n")
            c.equal(len([x for x in lines if x]), 4, f"lot {what}: csv rows")
            r, body = s.get(ln["classeurs-zip"])
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                c.equal(sorted(z.namelist()),
                        sorted(["rapport-3-erreurs.xlsx",
                                os.path.splitext(os.path.basename(DEMO))[0] +
                                ".xlsx"]), f"lot {what}: zip entries")
                c.check(z.read("rapport-3-erreurs.xlsx") ==
                        open(os.path.join(ref, "wb.xlsx"), "rb").read(),
                        f"lot {what}: workbook in the zip as convert's")
            r, body = s.get(ln["synthese"])
            syn = os.path.join(tmp, "syn.xlsx")
            open(syn, "wb").write(body)
            sh = common.read_xlsx(syn)[1]
            c.check("Fichiers" in sh, f"lot {what}: synthesis sheets")
            got = common.read_xlsx(syn)
            c.equal(got[0], batch_syn[0],
                    f"lot {what}: synthesis sheets as `batch`'s")
            c.check(len(batch_syn[1].get("Fichiers", {})) > 20 and
                    got[1] == batch_syn[1],
                    f"lot {what}: synthesis cell by cell as `batch`'s "
                    f"({sorted(set(got[1].get('Fichiers', {}).items()) ^ set(batch_syn[1].get('Fichiers', {}).items()))[:6]})")
            r, body = s.get(ln["rapport-0"])
            c.check(r.status == 200 and b'id="verdict"' in body and
                    b"Retour au lot" in body, f"lot {what}: a file's report")
            r, body = s.get(ln["rapport-0"].rsplit("/", 1)[0] + "/lot")
            c.equal(r.status, 200, f"lot {what}: back to the lot page")
        c.equal(s.leftovers(), [], "TMPDIR empty after lots")

        # The empty template.
        r, body = s.get("/modele.xlsx?commune=Saint-%C3%89tienne")
        c.equal(r.status, 200, "template: status")
        c.equal(r.getheader("Content-Type"), XLSX_CT, "template: type")
        cd = r.getheader("Content-Disposition") or ""
        c.check('filename="Tableau CLAS - Saint-Etienne.xlsx"' in cd and
                "Saint-%C3%89tienne" in cd, f"template: disposition {cd!r}")
        c.check(body == open(os.path.join(ref, "vierge.xlsx"), "rb").read(),
                "template: same bytes as the CLI")
        r, body = s.get("/modele.xlsx?commune=%3Cscript%3E%2F..%2F")
        c.equal(r.status, 200, "template with a hostile commune")

        # Limits: size (declared, real), files, parts, form, content type.
        body, ctype = multipart([("gros.csv", b"x" * (3 << 20))], "fichier")
        resp = raw(s.port, b"POST /verifier HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: " + ctype.encode() + b"\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body) + body)
        c.equal(status_of(resp), 413, "upload over --max-taille: 413")
        french_page(c, resp.split(b"\r\n\r\n", 1)[-1], "413", "2 Mo")
        # Declared small enough, but more file bytes than allowed.
        body, ctype = multipart([("a.csv", b"x" * (1 << 20)),
                                 ("b.csv", b"y" * (1 << 20) + b"z" * 9000)],
                                "fichiers")
        r, data = s.request("POST", "/lot", body, {"Content-Type": ctype})
        c.equal(r.status, 413, "file bytes over --max-taille: 413")
        resp = raw(s.port, b"POST /verifier HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: multipart/form-data; boundary=bbbb\r\n"
                   b"Content-Length: 2147483648\r\n\r\n--b\r\n", timeout=10)
        c.equal(status_of(resp), 413, "2 GB Content-Length: 413 at once")
        c.check(b"Envoi trop volumineux" in resp, "2 GB: French page")
        six = [("f%d.csv" % i, fixture) for i in range(6)]
        r, data = s.post_files("/lot", six)
        c.equal(r.status, 413, "6 files over --max-fichiers 5: 413")
        french_page(c, data, "too many files", "Trop de fichiers")
        r, data = s.post_files("/verifier", six[:2])
        c.equal(r.status, 413, "two files on the check page")
        zb = io.BytesIO()
        with zipfile.ZipFile(zb, "w") as z:
            for i in range(6):
                z.writestr("f%d.csv" % i, fixture)
        r, data = s.post_files("/lot", [("six.zip", zb.getvalue())])
        c.equal(r.status, 413, "zip of 6 files over --max-fichiers 5: 413")
        r, data = s.post_files("/verifier", [])
        c.equal(r.status, 400, "no file: 400")
        french_page(c, data, "no file", "Aucun fichier")
        r, data = s.post_files("/verifier", [("", b"")])
        c.equal(r.status, 400, "empty file field: 400")
        r, data = s.request("POST", "/verifier", b"a=b",
                            {"Content-Type": "text/plain"})
        c.equal(r.status, 415, "not multipart: 415")
        r, data = s.request("POST", "/verifier", b"garbage",
                            {"Content-Type": "multipart/form-data"})
        c.equal(r.status, 415, "multipart without boundary: 415")
        for what, body in (
                ("cut", b"--bbbb\r\nContent-Disposition: form-data; "
                        b"name=\"fichier\"; filename=\"a.csv\"\r\n\r\nabc"),
                ("no headers", b"--bbbb\r\n\r\n\r\n--bbbb--\r\n"),
                ("binary", bytes(range(256)) * 8)):
            r, data = s.request("POST", "/verifier", body, {
                "Content-Type": "multipart/form-data; boundary=bbbb"})
            c.equal(r.status, 400, f"malformed multipart ({what}): 400")
            french_page(c, data, f"malformed ({what})", "Que faire")
        fields = [("champ%d" % i, "v") for i in range(5000)]
        body, ctype = multipart([("a.csv", fixture)], "fichier", fields)
        r, data = s.request("POST", "/verifier", body,
                            {"Content-Type": ctype})
        c.equal(r.status, 400, "5000 form fields: 400")
        longhead = ("x" * 40000).encode()
        body = (b"--bbbb\r\nContent-Disposition: form-data; name=\"fichier\"; "
                b"filename=\"" + longhead + b".csv\"\r\n\r\n" + fixture +
                b"\r\n--bbbb--\r\n")
        r, data = s.request("POST", "/verifier", body, {
            "Content-Type": "multipart/form-data; boundary=bbbb"})
        c.equal(r.status, 400, "40 KB part header: 400")
        resp = raw(s.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
                   b"a" * 200000 + b"\r\n\r\n", wait_close=True)
        c.check(status_of(resp) in (None, 400, 413, 414, 431),
                f"200 KB header refused ({resp[:40]!r})")
        # Chunked body past the cap: the connection is cut.
        resp = raw(s.port, b"POST /verifier HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: multipart/form-data; boundary=bbbb\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n" +
                   (b"100000\r\n" + b"y" * 0x100000 + b"\r\n") * 3,
                   wait_close=True)
        c.check(status_of(resp) in (None, 413), "chunked over the cap cut")
        r, _ = s.get("/")
        c.equal(r.status, 200, "still serving after the limits")
        c.equal(s.leftovers(), [], "TMPDIR empty after the limits")

        # A zip bomb in a lot, and an .xlsx bomb to check.
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("bombe.csv", "w", force_zip64=True) as w:
                chunk = b"\0" * (1 << 20)
                for _ in range(300):
                    w.write(chunk)
        bomb = bomb.getvalue()
        c.check(len(bomb) < (2 << 20), f"bomb is small ({len(bomb)} B)")
        t0 = time.time()
        r, data = s.post_files("/lot", [("bombe.zip", bomb)])
        page = data.decode("utf-8")
        c.equal(r.status, 200, "zip bomb lot: answered")
        c.check("Illisible" in page and "malveillant" in page,
                "zip bomb: refused as hostile")
        c.check(time.time() - t0 < 20, "zip bomb: refused quickly")
        xb = io.BytesIO()
        with zipfile.ZipFile(xb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            with z.open("xl/worksheets/sheet1.xml", "w",
                        force_zip64=True) as w:
                for _ in range(300):
                    w.write(b" " * (1 << 20))
        r, data = s.post_files("/verifier", [("bombe.xlsx", xb.getvalue())])
        c.equal(r.status, 422, "xlsx bomb: 422")
        c.check("Que faire" in data.decode("utf-8"), "xlsx bomb: French")
        c.equal(s.leftovers(), [], "TMPDIR empty after bombs")

        # Every shared sample (when ../shared is there): same workbook bytes
        # as `convert`, whatever the format (.xls goes through a temporary
        # file in the request's private folder).
        samples = []
        if os.path.isdir(args.samples):
            for case in sorted(os.listdir(args.samples)):
                folder = os.path.join(args.samples, case)
                if os.path.isdir(folder):
                    samples += [os.path.join(folder, n) for n in
                                sorted(os.listdir(folder))
                                if not n.endswith(".json")]
        else:
            print("SKIP: " + common.samples_absent(
                "the shared samples through the server"))
        for path in samples:
            name = os.path.basename(path)
            data = open(path, "rb").read()
            out = os.path.join(tmp, "sample.xlsx")
            if os.path.exists(out):
                os.unlink(out)
            cli = common.run(exe, "convert", path, "-o", out)
            r, body = s.post_files("/verifier", [(name, data)])
            page = body.decode("utf-8")
            if cli.returncode == 2:
                c.equal(r.status, 422, f"sample {name}: unreadable, 422")
                continue
            c.equal(r.status, 200, f"sample {name}: 200")
            ln = links(page)
            r, wb = s.get(ln.get("classeur", "/x"))
            c.check(r.status == 200 and wb == open(out, "rb").read(),
                    f"sample {name}: workbook as convert's")
        if samples:
            r, body = s.post_files("/lot", [(os.path.basename(p),
                                             open(p, "rb").read())
                                            for p in samples[:5]])
            c.equal(len(re.findall(r'<span class="st st-', body.decode(
                "utf-8"))), min(5, len(samples)), "lot of samples: rows")
        c.equal(s.leftovers(), [], "TMPDIR empty after the samples")

        rc, out, err = s.stop()
        c.equal(rc, 0, f"SIGTERM: clean stop (stderr {err[-2000:]!r})")
        c.check("arrêté" in out, "SIGTERM: says it stopped")
        c.check("clasconv serve : vérification : 200, 1 fichier, " in err and
                "clasconv serve : lot : 200, 3 fichiers, " in err,
                f"journal lines ({err[:300]!r})")
        c.check("rapport-3-erreurs" not in err, "journal: no file names")
        c.equal(s.leftovers(), [], "TMPDIR empty after the stop")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()

    pool_checks(c, exe, tmp, fixture, demo)

    # Workers that die, and the stop during a conversion: the test hook
    # exists in test builds only (scripts/test configures them).
    if os.environ.get("CLASCONV_TEST_HOOKS") == "ON":
        hook_checks(c, exe, tmp, fixture, demo)
    else:
        print("SKIP: worker hooks (killed, crashing, hanging workers; lot "
              "time budget; SIGTERM mid-conversion): build with "
              "-DCLASCONV_TEST_HOOKS=ON")

    # Slow clients: a connection that goes quiet is closed.
    s = Server(exe, tmp, "--inactivite", "2")
    try:
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=15)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Lent: ")
        t0 = time.time()
        try:
            closed = sock.recv(100) == b""
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            closed = False
        sock.close()
        c.check(closed and time.time() - t0 < 10,
                f"slowloris: closed after {time.time() - t0:.1f} s")
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=15)
        sock.sendall(b"POST /verifier HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"multipart/form-data; boundary=bbbb\r\nContent-Length: "
                     b"100000\r\n\r\n--b\r\n")
        t0 = time.time()
        try:
            sock.recv(100)
        except (ConnectionResetError, socket.timeout):
            pass
        sock.close()
        c.check(time.time() - t0 < 10, "slow body: closed")
        time.sleep(0.3)
        c.equal(s.leftovers(), [], "slow body: TMPDIR empty")
        r, _ = s.get("/")
        c.equal(r.status, 200, "serving after slow clients")
        rc, _, err = s.stop()
        c.equal(rc, 0, f"slow clients: clean stop ({err[-2000:]!r})")
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()

    # A port already taken: a French message, status 2.
    s = Server(exe, tmp)
    try:
        r = common.run(exe, "serve", "--ecoute", "127.0.0.1:%d" % s.port)
        c.equal(r.returncode, 2, "port in use: 2")
        c.check("Impossible d'écouter" in r.stderr.decode("utf-8"),
                "port in use: says so")
        s.stop()
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()

    # Usage errors.
    r = common.run(exe, "serve", "--ecoute", "pas-une-adresse")
    c.equal(r.returncode, 64, "bad --ecoute: 64")
    c.check("ADRESSE:PORT" in r.stderr.decode("utf-8"), "bad --ecoute: says")
    r = common.run(exe, "serve", "--max-taille", "0")
    c.equal(r.returncode, 64, "bad --max-taille: 64")
    r = common.run(exe, "serve", "--ecoute", "999.1.1.1:80")
    c.equal(r.returncode, 64, "invalid address: 64")
    c.finish()


if __name__ == "__main__":
    main()
