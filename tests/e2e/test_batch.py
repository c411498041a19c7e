"""End-to-end test of `clasconv batch`: a folder mixing good files of every
readable format, refused files, lock, hidden and non-spreadsheet files and a
subfolder. Checks rapport.csv and the Fichiers/Communes sheets exactly
(expectations computed from `clasconv check --json` on each file), -j 1 vs
-j 4 byte-identical, inputs untouched, a worker killed mid-file, a worker
over its memory limit, a read-only and a missing OUTDIR, SIGTERM during a
run, and the exit statuses."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SCHEME_COUNT = 9
# Worker fault tests need CLASCONV_BATCH_TEST_HOOK, read only by builds
# configured with -DCLASCONV_TEST_HOOKS=ON (ctest says which it is).
HOOKS = os.environ.get("CLASCONV_TEST_HOOKS") == "ON"
LOCK_MS = ("Fichier de verrouillage de Microsoft Office (le document est ou "
           "était ouvert dans Excel ou Word).")
LOCK_LO = ("Fichier de verrouillage de LibreOffice (le document est ou était "
           "ouvert dans LibreOffice).")
HIDDEN = "Fichier caché."
SUBDIR = ("Sous-dossier (ajoutez l'option -r pour convertir aussi les "
          "fichiers des sous-dossiers).")
NOT_SHEET_PDF = "Ce n'est pas un tableur (contenu : pdf)."
STATUS = {0: "OK", 1: "À vérifier", 2: "Illisible"}


def build_indir(root, samples):
    """Fills root/in; returns {relative path: kind} for every entry."""
    indir = os.path.join(root, "in")
    os.makedirs(os.path.join(indir, "2025"))
    kinds = {}
    for case in sorted(os.listdir(samples)):
        folder = os.path.join(samples, case)
        if not os.path.isdir(folder):
            continue
        for path in common.inputs_of(folder):
            shutil.copy(path, indir)
            kinds[os.path.basename(path)] = "convert"
    # Refused: empty, truncated zip.
    open(os.path.join(indir, "vide.csv"), "wb").close()
    kinds["vide.csv"] = "convert"
    xlsx = [p for p in kinds if p.endswith(".xlsx")][0]
    with open(os.path.join(indir, xlsx), "rb") as f:
        head = f.read(1500)
    with open(os.path.join(indir, "tronque.xlsx"), "wb") as f:
        f.write(head)
    kinds["tronque.xlsx"] = "convert"
    # Set aside by name, and by content.
    with open(os.path.join(indir, "~$" + xlsx), "wb") as f:
        f.write(b"\x0bclasconv\x00" * 16)
    kinds["~$" + xlsx] = LOCK_MS
    ods = [p for p in kinds if p.endswith(".ods")][0]
    with open(os.path.join(indir, ".~lock." + ods + "#"), "w") as f:
        f.write("Agent,poste,agent;28.11.2026 09:12;\n")
    kinds[".~lock." + ods + "#"] = LOCK_LO
    with open(os.path.join(indir, ".DS_Store"), "wb") as f:
        f.write(b"\x00\x00\x00\x01Bud1")
    kinds[".DS_Store"] = HIDDEN
    with open(os.path.join(indir, "notice.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    kinds["notice.pdf"] = NOT_SHEET_PDF
    csv = [p for p in kinds if p.endswith(".csv") and p != "vide.csv"][0]
    shutil.copy(os.path.join(indir, csv),
                os.path.join(indir, "2025", "ancien " + csv))
    kinds["2025/ancien " + csv] = "convert"
    return indir, kinds


def stem_xlsx(rel):
    d, name = os.path.split(rel)
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return os.path.join(d, stem + ".xlsx") if d else stem + ".xlsx"


def expectations(exe, indir, kinds, recursive):
    """The record the batch must give each entry, from `check --json`."""
    out = {}
    for rel, kind in kinds.items():
        path = os.path.join(indir, rel)
        if "/" in rel and not recursive:
            continue
        if kind != "convert":
            sha = "" if kind in (LOCK_MS, LOCK_LO, HIDDEN) else \
                common.sha256(path)
            out[rel] = dict(path=rel, commune="", status="Ignoré", errors=0,
                            warnings=0, infos=0, output="", message=kind,
                            sha256=sha, format=None, json=None)
            continue
        r = common.run(exe, "check", path, "--json")
        c_ok = r.returncode in STATUS
        if not c_ok:
            raise SystemExit(f"check {rel} gave {r.returncode}")
        j = json.loads(r.stdout.decode("utf-8"))
        sev = [a["severity"] for a in j["anomalies"]]
        errors = sev.count("erreur")
        status = STATUS[r.returncode]
        if status == "Illisible":
            message = j["anomalies"][0]["message"]
        elif errors:
            first = [a for a in j["anomalies"] if a["severity"] == "erreur"][0]
            message = "%d erreur%s à vérifier ; la première : %s%s" % (
                errors, "s" if errors > 1 else "", first["message"],
                " (%s)" % first["cell"] if first["cell"] else "")
        else:
            message = ""
        out[rel] = dict(path=rel, commune=j["commune"] or "", status=status,
                        errors=errors, warnings=sev.count("avertissement"),
                        infos=sev.count("info"),
                        output="" if status == "Illisible" else stem_xlsx(rel),
                        message=message, sha256=common.sha256(path),
                        format=j["format"], json=j)
    if not recursive:
        out["2025"] = dict(path="2025", commune="", status="Ignoré",
                           errors=0, warnings=0, infos=0, output="",
                           message=SUBDIR, sha256="", format=None, json=None)
    return sorted(out.values(), key=lambda e: (
        e["commune"] == "", common.key(e["commune"]),
        e["commune"].encode(), e["path"].encode()))


def csv_field(text):
    quote = any(ch in text for ch in ';"\r\n')
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    text = text.replace('"', '""')
    return '"%s"' % text if quote else text


def expected_csv(entries):
    lines = ["\ufefffichier;commune;statut;erreurs;avertissements;sortie;"
             "message"]
    for e in entries:
        lines.append(";".join([
            csv_field(e["path"]), csv_field(e["commune"]),
            csv_field(e["status"]), str(e["errors"]), str(e["warnings"]),
            csv_field(e["output"]), csv_field(e["message"])]))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def rows_of(cells, ncols):
    last = max([r for r, _ in cells] or [0])
    return [common.row_values(cells, r, ncols) for r in range(2, last + 1)]


def consolidate(entries, indir):
    """What the synthesis counts (batch/consolidate.c, written again): sets
    e["count"] ("yes", "copy", "older" or None) and e["other"], and returns
    the anomalies found across files as [commune, path, code, severity,
    names the message must hold], in the sheet's order."""
    first_of = {}
    for e in entries:
        e["count"] = "yes" if e["status"] in ("OK", "À vérifier") else None
        e["other"] = None
        if e["status"] == "Ignoré" or not e["sha256"]:
            continue
        if e["sha256"] in first_of:
            e["other"] = first_of[e["sha256"]]
            e["count"] = "copy" if e["count"] else None
            e["copy_of"] = e["other"]
        else:
            first_of[e["sha256"]] = e
    groups = {}
    for i, e in enumerate(entries):
        if e["count"] == "yes" and e["commune"]:
            groups.setdefault(common.key(e["commune"]), []).append((i, e))
    for group in groups.values():
        best = max(group, key=lambda ie: (
            int(os.stat(os.path.join(indir, ie[1]["path"])).st_mtime),
            ie[0]))[1]
        for _, e in group:
            if e is not best:
                e["count"], e["other"] = "older", best
    found = []
    for e in entries:
        if e.get("copy_of") is not None:
            found.append([e["commune"] or None, e["path"], "FILE_DUPLICATE",
                          "avertissement", [e["path"], e["copy_of"]["path"]]])
    for e in entries:
        if e["count"] == "older":
            found.append([e["commune"] or None, e["path"],
                          "COMMUNE_DUPLICATE", "avertissement",
                          [e["path"], e["other"]["path"]]])
    by_key = {}
    for i, e in enumerate(entries):
        if e["count"] == "yes" and e["commune"]:
            for row in e["json"]["rows"]:
                k = common.key(row["school"])
                if k and not row["school"].startswith("(sans nom"):
                    by_key.setdefault(k, []).append((i, e, row))
    per_file = []
    for k in sorted(by_key):
        items = by_key[k]
        first = items[0][1]
        flagged = set()
        for i, e, row in items[1:]:
            if common.key(e["commune"]) == common.key(first["commune"]) or \
                    i in flagged:
                continue
            flagged.add(i)
            per_file.append((i, [e["commune"], e["path"],
                                 "SCHOOL_IN_TWO_COMMUNES", "info",
                                 [row["school"], first["commune"],
                                  e["commune"]]]))
    found += [a for _, a in sorted(per_file, key=lambda x: x[0])]
    return found


def count_text(e):
    if e.get("count") == "yes":
        return "Compté"
    if e.get("count") == "copy":
        return "Non compté : doublon exact de « %s »" % e["other"]["path"]
    if e.get("count") == "older":
        return ("Non compté : même commune que « %s », modifié plus "
                "récemment" % e["other"]["path"])
    return None


def expected_fichiers(entries):
    rows = []
    for e in entries:
        skipped = e["status"] == "Ignoré"
        rows.append([e["path"], e["commune"] or None, e["format"],
                     e["status"],
                     None if skipped else e["errors"],
                     None if skipped else e["warnings"],
                     None if skipped else e["infos"],
                     e["message"] or None, e["output"] or None,
                     e["sha256"] or None, count_text(e)])
    return rows


def territory(entries):
    """{level: [schools] + nine scheme sums} of the counted files."""
    out = {lv: [0] * (1 + SCHEME_COUNT) for lv in common.LEVELS + ["ALL"]}
    for e in entries:
        if e.get("count") != "yes":
            continue
        for lv in common.LEVELS:
            t = e["json"]["totals"][lv]
            vals = [t["schools"]] + [t[s] for s in common.SCHEMES]
            for target in (lv, "ALL"):
                out[target] = [a + b for a, b in zip(out[target], vals)]
    return out


def expected_communes(entries):
    rows = []
    for e in entries:
        if e["status"] == "Ignoré" or e.get("count") in ("copy", "older"):
            continue
        if e["status"] == "Illisible":
            rows.append([e["commune"] or None, e["path"]] + [None] * 11 +
                        [e["errors"], e["warnings"], e["status"]])
            continue
        for level in common.LEVELS:
            t = e["json"]["totals"][level]
            rows.append([e["commune"] or None, e["path"],
                         common.LEVEL_LABELS[level], t["schools"]] +
                        [t[s] for s in common.SCHEMES] +
                        [e["errors"], e["warnings"], e["status"]])
    sums = territory(entries)
    for lv in common.LEVELS + ["ALL"]:
        rows.append(["Total", None, common.LEVEL_LABELS.get(lv, "Tous niveaux")]
                    + sums[lv] + [None, None, None])
    return rows


def tree(folder):
    """{relative path: bytes} of every file under folder (hidden too)."""
    out = {}
    for d, dirs, files in os.walk(folder):
        for name in files + [x for x in dirs if not os.listdir(
                os.path.join(d, x))]:
            p = os.path.join(d, name)
            rel = os.path.relpath(p, folder)
            out[rel] = open(p, "rb").read() if os.path.isfile(p) else b"<dir>"
    return out


def input_state(indir):
    state = {}
    for d, _, files in os.walk(indir):
        for name in files:
            p = os.path.join(d, name)
            st = os.stat(p)
            state[p] = (common.sha256(p), st.st_mtime_ns, st.st_mode)
    return state


def batch(exe, indir, outdir, *opts, env=None, timeout=300):
    return subprocess.run([exe, "batch", indir, outdir, *opts],
                          capture_output=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


def check_plain_output(c, r, nfiles, what):
    out = r.stdout.decode("utf-8")
    bad = [ch for ch in out + r.stderr.decode("utf-8")
           if ord(ch) < 32 and ch != "\n"]
    c.equal(bad, [], f"{what}: no control characters when not a terminal")
    lines = out.splitlines()
    c.equal(len([x for x in lines if x.startswith("[")]), nfiles,
            f"{what}: one line per file")
    c.check(lines and lines[-2].startswith("Terminé : %d fichier" % nfiles),
            f"{what}: summary line ({lines[-2:] if lines else None})")


def main():
    args = common.parse_args()
    common.require_samples(args.samples, "batch tests on the samples")
    exe = os.path.abspath(args.exe)
    c = common.Checker("batch")
    with common.tempdir() as tmp:
        indir, kinds = build_indir(tmp, args.samples)
        before = input_state(indir)
        ref = os.path.join(tmp, "out1")
        out4 = os.path.join(tmp, "out4")
        os.mkdir(ref)
        os.mkdir(out4)

        # -r, one worker: the reference run.
        want = expectations(exe, indir, kinds, recursive=True)
        r1 = batch(exe, indir, ref, "-j", "1", "-r")
        c.equal(r1.returncode, 2, "exit status with refused files")
        check_plain_output(c, r1, len(want), "-j 1")
        got_csv = open(os.path.join(ref, "rapport.csv"), "rb").read()
        c.equal(got_csv.decode("utf-8").split("\r\n"),
                expected_csv(want).decode("utf-8").split("\r\n"),
                "rapport.csv lines")
        c.check(got_csv == expected_csv(want), "rapport.csv exact bytes")
        order, sheets, _ = common.read_xlsx(os.path.join(ref,
                                                         "synthese.xlsx"))
        c.equal(order, ["Communes", "Établissements", "Anomalies",
                        "Fichiers", "Territoire"], "synthesis sheets")
        across = consolidate(want, indir)
        c.check([e["path"] for e in want if e.get("count") == "copy"] ==
                ["dispositifs_clas_2026_bron.csv"],
                "the copy in 2025/ makes the other Bron file an exact copy")
        c.equal(common.row_values(sheets["Fichiers"], 1, 11),
                ["Fichier", "Commune", "Format", "Statut", "Erreurs",
                 "Avertissements", "Infos", "Message", "Sortie", "SHA-256",
                 "Décompte"], "Fichiers header")
        got = rows_of(sheets["Fichiers"], 11)
        exp = expected_fichiers(want)
        c.equal(len(got), len(exp), "Fichiers rows")
        for g, e in zip(got, exp):
            c.equal(g, e, "Fichiers row")
        c.equal(common.row_values(sheets["Communes"], 1, 16),
                ["Commune", "Fichier", "Niveau", "Établissements", "Étude",
                 "École ouverte", "Accompagnement éducatif",
                 "Stage de réussite", "PRE", "PRE dont QPV", "CLAS",
                 "CLAS dont QPV", "Autre", "Erreurs", "Avertissements",
                 "Statut"], "Communes header")
        got = rows_of(sheets["Communes"], 16)
        exp = expected_communes(want)
        c.equal(len(got), len(exp), "Communes rows")
        for g, e in zip(got, exp):
            c.equal(g, e, "Communes row")
        # Territoire: the counted files' totals per level.
        sums = territory(want)
        c.equal(common.row_values(sheets["Territoire"], 1, 2),
                ["Niveau", "Établissements"], "Territoire header")
        for r, lv in enumerate(common.LEVELS + ["ALL"], 2):
            c.equal(common.row_values(sheets["Territoire"], r, 11),
                    [common.LEVEL_LABELS.get(lv, "Total")] + sums[lv],
                    f"Territoire row {lv}")
        # Établissements: every school of every counted file, in order.
        exp = []
        for e in want:
            if e.get("count") == "yes":
                for row in e["json"]["rows"]:
                    exp.append([e["commune"], e["path"],
                                common.LEVEL_LABELS[row["level"]],
                                row["school"]] +
                               [row["counts"][s] for s in common.SCHEMES])
        # The file is the last column (outside the print area).
        got = [[g[0], g[17], g[1], g[2]] + g[4:4 + SCHEME_COUNT]
               for g in rows_of(sheets["Établissements"], 18)]
        c.equal(got, exp, "Établissements rows")
        keys = [g[3] for g in rows_of(sheets["Établissements"], 18)]
        # A row without a name keeps an empty key ("(sans nom, A25)").
        c.equal(keys, [None if x[3].startswith("(sans nom") else
                       common.key(x[3]) for x in exp], "school keys")
        # Anomalies: those found across files first, then every anomaly of
        # every file, with its file.
        rows = rows_of(sheets["Anomalies"], 11)
        c.check(len(across) > 1, f"anomalies across files: {len(across)}")
        for a, g in zip(across, rows):
            c.equal(g[:4], a[:4], "anomaly across files")
            c.check(all(name in (g[10] or "") for name in a[4]),
                    f"{a[2]} names {a[4]}: {g[10]!r}")
        exp = []
        for e in want:
            if e["json"] is not None:
                for a in e["json"]["anomalies"]:
                    exp.append([e["commune"] or None, e["path"], a["code"],
                                a["severity"], a["message"]])
        got = [g[:4] + g[10:11] for g in rows[len(across):]]
        c.equal(got, exp, "Anomalies rows")
        # Each workbook equals what `convert` writes for that file alone.
        for e in want:
            if not e["output"]:
                continue
            single = os.path.join(tmp, "single.xlsx")
            common.run(exe, "convert", os.path.join(indir, e["path"]), "-o",
                       single)
            c.check(open(single, "rb").read() ==
                    open(os.path.join(ref, e["output"]), "rb").read(),
                    f"{e['output']} equals convert's output")
            os.unlink(single)
        ref_tree = tree(ref)
        c.equal(sorted(ref_tree), sorted(
            [e["output"] for e in want if e["output"]] +
            ["rapport.csv", "synthese.xlsx"]), "OUTDIR holds exactly these")

        # -j 4 gives the same bytes; so does a second run.
        r4 = batch(exe, indir, out4, "-j", "4", "-r")
        c.equal(r4.returncode, 2, "-j 4 exit status")
        c.check(tree(out4) == ref_tree, "-j 1 and -j 4 byte-identical")
        r4 = batch(exe, indir, out4, "-j", "4", "-r")
        c.check(tree(out4) == ref_tree, "second run byte-identical")

        # Without -r the subfolder is reported and left alone.
        flat = os.path.join(tmp, "flat")
        os.mkdir(flat)
        rf = batch(exe, indir, flat, "-j", "2")
        want_flat = expectations(exe, indir, kinds, recursive=False)
        c.equal(rf.returncode, 2, "flat exit status")
        c.check(open(os.path.join(flat, "rapport.csv"), "rb").read() ==
                expected_csv(want_flat), "flat rapport.csv exact bytes")

        # A worker killed mid-file is that file's failure; the rest goes on.
        if not HOOKS:
            print("SKIP worker faults (kill, oom, SIGTERM): build without "
                  "-DCLASCONV_TEST_HOOKS=ON")
        victim = [e for e in want if e["status"] == "OK"][0]
        if HOOKS:
            killed = os.path.join(tmp, "killed")
            os.mkdir(killed)
            env = dict(os.environ, CLASCONV_BATCH_TEST_HOOK="kill:" +
                       victim["path"])
            rk = batch(exe, indir, killed, "-j", "2", "-r", env=env)
            c.equal(rk.returncode, 2, "killed worker: exit status")
            lines = open(os.path.join(killed, "rapport.csv"),
                         encoding="utf-8-sig", newline="").read().split("\r\n")
            row = [x for x in lines if x.startswith(csv_field(victim["path"]))]
            c.check(len(row) == 1 and ";Illisible;1;0;;" in row[0] and
                    "arrêtée" in row[0], f"killed worker reported: {row}")
            kt = tree(killed)
            c.check(victim["output"] not in kt, "no output for the killed file")
            for e in want:
                if e["output"] and e is not victim:
                    c.check(kt.get(e["output"]) == ref_tree[e["output"]],
                            f"{e['output']} still converted")

            # A worker over its memory limit is that file's failure too.
            oom = os.path.join(tmp, "oom")
            os.mkdir(oom)
            env = dict(os.environ, CLASCONV_BATCH_TEST_HOOK="oom:" +
                       victim["path"])
            ro = batch(exe, indir, oom, "-j", "2", "-r", "--memoire", "96",
                       env=env)
            c.equal(ro.returncode, 2, "memory limit: exit status")
            text = open(os.path.join(oom, "rapport.csv"),
                        encoding="utf-8-sig", newline="").read()
            row = [x for x in text.split("\r\n")
                   if x.startswith(csv_field(victim["path"]))]
            c.check(len(row) == 1 and ";Illisible;" in row[0],
                    f"memory limit reported: {row}")
            c.equal(len([x for x in tree(oom) if x.endswith(".xlsx")]),
                    len(ref_tree) - 2, "memory limit: the others converted")

        # Missing OUTDIR whose parent exists: created. Missing parent: at
        # once, with a message, nothing created.
        missing = os.path.join(tmp, "nouveau")
        rm = batch(exe, indir, missing)
        c.check(rm.returncode in (0, 1, 2) and
                os.path.isfile(os.path.join(missing, "synthese.xlsx")),
                f"missing OUTDIR: created and filled: {rm.stderr!r}")
        missing = os.path.join(tmp, "absent", "sortie")
        rm = batch(exe, indir, missing)
        c.equal(rm.returncode, 2, "missing OUTDIR parent: exit status")
        c.check("n'existe pas" in rm.stderr.decode("utf-8"),
                "missing OUTDIR parent: message")
        c.check(not os.path.exists(os.path.dirname(missing)),
                "missing OUTDIR parent not created")
        c.equal(rm.stdout, b"", "missing OUTDIR parent: no work reported")
        bad_in = batch(exe, os.path.join(tmp, "pas-de-dossier"),
                       os.path.join(tmp, "sortie-inutile"))
        c.equal(bad_in.returncode, 2, "missing INDIR: exit status")
        c.check(not os.path.exists(os.path.join(tmp, "sortie-inutile")),
                "missing INDIR: OUTDIR not created")

        # Read-only OUTDIR: exit 2, a message, nothing written.
        ro_dir = os.path.join(tmp, "lecture-seule")
        os.mkdir(ro_dir)
        os.chmod(ro_dir, 0o555)
        cmd = [exe, "batch", indir, ro_dir]
        runnable = True
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            os.chmod(tmp, 0o755)
            probe = subprocess.run(
                [setpriv, "--reuid=65534", "--regid=65534",
                 "--clear-groups", exe, "--version"],
                capture_output=True) if setpriv else None
            if probe is None or probe.returncode != 0:
                runnable = False
                print("SKIP read-only OUTDIR: cannot drop root here")
            cmd = [setpriv, "--reuid=65534", "--regid=65534",
                   "--clear-groups"] + cmd
        if runnable:
            rr = subprocess.run(cmd, capture_output=True, timeout=60)
            c.equal(rr.returncode, 2, "read-only OUTDIR: exit status")
            c.check("Impossible d'écrire dans le dossier de sortie" in
                    rr.stderr.decode("utf-8"),
                    f"read-only OUTDIR: message {rr.stderr!r}")
            c.equal(os.listdir(ro_dir), [], "read-only OUTDIR: nothing")
        os.chmod(ro_dir, 0o755)

        if HOOKS:
            # SIGTERM during a run: no partial file under a final name, no
            # synthesis, no temporary folder; a rerun completes the job.
            term = os.path.join(tmp, "term")
            os.mkdir(term)
            env = dict(os.environ, CLASCONV_BATCH_TEST_HOOK="sleep:" +
                       victim["path"])
            p = subprocess.Popen([exe, "batch", indir, term, "-j", "2", "-r"],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=env)
            others = [e["output"] for e in want if e["output"] and e is not victim]
            deadline = time.time() + 60
            while time.time() < deadline and not all(
                    os.path.exists(os.path.join(term, o)) for o in others):
                time.sleep(0.05)
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=30)
            c.equal(p.returncode, -signal.SIGTERM, "SIGTERM: killed by SIGTERM")
            c.check("interrompu" in err.decode("utf-8"), "SIGTERM: message")
            tt = tree(term)
            c.equal(sorted(tt), sorted(others), "SIGTERM: only finished outputs")
            for name, data in tt.items():
                c.check(data == ref_tree.get(name), f"SIGTERM: {name} complete")
            rt = batch(exe, indir, term, "-j", "2", "-r")
            c.equal(rt.returncode, 2, "rerun after SIGTERM: exit status")
            c.check(tree(term) == ref_tree, "rerun after SIGTERM completes")

        # Exit statuses 0 and 1.
        for name, pick, status in (
                ("clean", lambda e: e["status"] == "OK", 0),
                ("errors", lambda e: e["status"] in ("OK", "À vérifier"), 1)):
            sub_in = os.path.join(tmp, name + "-in")
            sub_out = os.path.join(tmp, name + "-out")
            os.mkdir(sub_in)
            os.mkdir(sub_out)
            for e in want:
                if pick(e) and "/" not in e["path"]:
                    shutil.copy(os.path.join(indir, e["path"]), sub_in)
            rs = batch(exe, sub_in, sub_out)
            c.equal(rs.returncode, status, f"exit status ({name})")

        # Inputs are never modified, moved or deleted.
        c.equal(input_state(indir), before, "inputs unchanged")
    c.finish()


if __name__ == "__main__":
    main()
