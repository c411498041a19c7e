"""The tool as installed: `cmake --install` puts the binary, clasconv(1),
the bash completion, the docs and the examples (pointing to the installed
binary) in place; the Debian package built by CPack unpacks (dpkg -x) into
a root whose clasconv runs; the completion completes."""
import glob
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, run, skip, tempdir


def sh(*argv, **kw):
    return subprocess.run(list(argv), capture_output=True, timeout=600, **kw)


def complete(script, words):
    """COMPREPLY of the completion `script` for the command line `words`
    (the last word is the one being completed)."""
    quoted = " ".join("'%s'" % w for w in words)
    code = (f"source '{script}'; COMP_WORDS=({quoted}); "
            f"COMP_CWORD={len(words) - 1}; _clasconv; "
            "printf '%s\\n' \"${COMPREPLY[@]}\"")
    r = sh("bash", "--norc", "-c", code)
    return [w for w in r.stdout.decode().splitlines() if w]


def check_examples(t, folder, bindir, what):
    names = sorted(os.listdir(folder))
    t.check("clasconv-nightly.service" in names and
            "clasconv-nightly.cron" in names, f"{what}: examples {names}")
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        t.check("/usr/local/bin/clasconv" not in text or
                bindir == "/usr/local/bin",
                f"{what}: {name} names no other binary")
        for line in re.findall(r"^ExecStart=.*$", text, re.M):
            t.check(line.startswith(f"ExecStart={bindir}/clasconv "),
                    f"{what}: {name} runs the installed binary: {line!r}")
    with open(os.path.join(folder, "clasconv-nightly.service"),
              encoding="utf-8") as f:
        t.check(f"ExecStart={bindir}/clasconv batch " in f.read(),
                f"{what}: the service runs {bindir}/clasconv")
    with open(os.path.join(folder, "clasconv-nightly.cron"),
              encoding="utf-8") as f:
        t.check(re.search(r"^30 2 .* clas %s/clasconv batch " %
                          re.escape(bindir), f.read(), re.M) is not None,
                f"{what}: the cron line runs {bindir}/clasconv")


def main():
    args = parse_args()
    exe = os.path.abspath(args.exe)
    build = os.path.dirname(exe)
    t = Checker("install")
    for tool in ("cmake", "cpack", "dpkg", "dpkg-deb", "bash"):
        if shutil.which(tool) is None:
            skip(f"{tool} absent")
    version = run(exe, "--version").stdout.decode().split()[-1]
    with tempdir() as tmp:
        # cmake --install into a prefix.
        prefix = os.path.join(tmp, "prefix")
        r = sh("cmake", "--install", build, "--prefix", prefix)
        t.equal(r.returncode, 0, f"cmake --install: {r.stderr[-500:]!r}")
        binary = os.path.join(prefix, "bin", "clasconv")
        t.check(os.access(binary, os.X_OK), "installed bin/clasconv")
        man = os.path.join(prefix, "share", "man", "man1", "clasconv.1")
        completion = os.path.join(prefix, "share", "bash-completion",
                                  "completions", "clasconv")
        doc = os.path.join(prefix, "share", "doc", "clasconv")
        for path in (man, completion, os.path.join(doc, "README.md"),
                     os.path.join(doc, "BATCH.md")):
            t.check(os.path.isfile(path), f"installed {path[len(prefix):]}")
        check_examples(t, os.path.join(doc, "examples"),
                       os.path.join(prefix, "bin"), "cmake --install")
        t.check(not glob.glob(os.path.join(prefix, "lib*", "*.a")),
                "the static library is not installed")

        # The man page: French, every subcommand, renders without warning.
        with open(man, encoding="utf-8") as f:
            roff = f.read()
        usage = run(exe, "--help").stdout.decode()
        names = re.findall(r"^  ([a-z]+) +\S", usage.split(
            "Commandes :\n", 1)[1].split("\n\n", 1)[0], re.M)
        for name in names:
            t.check(f".SS {name}\n" in roff, f"man page: section {name}")
        t.equal(sorted(re.findall(r"^\.SS (\S+)$", roff, re.M)),
                sorted(names), "man page: the commands, no other")
        t.check("Exemples" in roff and "STATUT DE SORTIE" in roff,
                "man page: examples and exit statuses")
        if shutil.which("groff"):
            r = sh("groff", "-k", "-man", "-Tutf8", "-ww", "-z", man)
            t.equal(r.stderr.decode(), "", "man page: groff warnings")
            r = sh("groff", "-k", "-man", "-Tutf8", man)
            page = re.sub(r".\x08", "", r.stdout.decode("utf-8"))
            t.check("Accompagnement" in page or "éducatif" in page or
                    "écrit" in page, "man page renders accents")
            t.check("clasconv batch DOSSIER_ENTREE" in page,
                    "man page: batch synopsis")

        # The bash completion.
        t.equal(complete(completion, ["clasconv", "ba"]), ["batch"],
                "completion: subcommand")
        t.equal(complete(completion, ["clasconv", "batch", "--m"]),
                ["--memoire"], "completion: batch option")
        t.equal(sorted(complete(completion, ["clasconv", "convert", "-"])),
                sorted(["-o", "--output", "--json", "--delai", "--annuaire",
                        "-h", "--help"]),
                "completion: every convert option")
        t.equal(complete(completion, ["clasconv", "help", "tem"]),
                ["template"], "completion: help COMMANDE")
        t.equal(complete(completion, ["clasconv", "batch", "-j", ""]), [],
                "completion: nothing after -j")
        os.mkdir(os.path.join(tmp, "recus"))
        r = sh("bash", "--norc", "-c",
               f"cd '{tmp}'; source '{completion}'; "
               "COMP_WORDS=(clasconv batch rec); COMP_CWORD=2; _clasconv; "
               "printf '%s\\n' \"${COMPREPLY[@]}\"")
        t.equal(r.stdout.decode().split(), ["recus"],
                "completion: batch completes folders")

        # The Debian package.
        debdir = os.path.join(tmp, "deb")
        r = sh("cpack", "-G", "DEB", "--config",
               os.path.join(build, "CPackConfig.cmake"), "-B", debdir,
               cwd=build)
        t.equal(r.returncode, 0, f"cpack: {r.stdout[-800:]!r}")
        debs = glob.glob(os.path.join(debdir, "*.deb"))
        t.equal([os.path.basename(d) for d in debs],
                [f"clasconv_{version}_amd64.deb"], "package file name")
        if debs:
            deb = debs[0]
            fields = sh("dpkg-deb", "-f", deb, "Package", "Depends")
            info = fields.stdout.decode()
            t.check("Package: clasconv" in info, f"package name: {info!r}")
            depends = info.split("Depends:", 1)[-1]
            for lib in ("libc6", "libxlsxwriter", "libexpat1", "libminizip",
                        "libutf8proc", "libcsv", "libxml2"):
                t.check(lib in depends, f"Depends names {lib}: {depends!r}")
            # Opened with dlopen() by `serve`, so invisible to shlibdeps.
            names = [d.strip().split()[0] for d in depends.split(",")
                     if d.strip()]
            t.check("libmicrohttpd12" in names,
                    f"Depends names libmicrohttpd12 (serve): {depends!r}")
            t.check("-dev" not in depends, "Depends: no -dev package")
            root = os.path.join(tmp, "root")
            r = sh("dpkg", "-x", deb, root)
            t.equal(r.returncode, 0, "dpkg -x")
            installed = os.path.join(root, "usr", "bin", "clasconv")
            r = run(installed, "--version")
            t.equal((r.returncode, r.stdout.decode().strip()),
                    (0, f"clasconv {version}"), "packaged clasconv --version")
            r = run(installed, "--help")
            t.check(r.returncode == 0 and b"Utilisation :" in r.stdout,
                    "packaged clasconv --help")
            r = run(installed, "batch", "--help")
            t.check(r.returncode == 0 and b"Exemples :" in r.stdout,
                    "packaged clasconv batch --help")
            for path in ("usr/share/man/man1/clasconv.1",
                         "usr/share/bash-completion/completions/clasconv",
                         "usr/share/doc/clasconv/BATCH.md"):
                t.check(os.path.isfile(os.path.join(root, path)),
                        f"package holds /{path}")
            check_examples(t, os.path.join(root, "usr", "share", "doc",
                                           "clasconv", "examples"),
                           "/usr/bin", "package")
    t.finish()


if __name__ == "__main__":
    main()
