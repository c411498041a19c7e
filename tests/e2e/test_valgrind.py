"""Memory check: the clasconv executable under valgrind (memcheck), which
must report no error and no leak, and every input's SHA-256 the same
before and after. Skipped for a sanitizer build (valgrind cannot run it)
or when valgrind is missing.

valgrind costs about a second per run, mostly start-up: by default
`convert` runs on every sample and `check` on every fixture but the
layout variants (every 50th of those, they only differ in the table
layout); CLASCONV_VALGRIND_ALL=1 runs `convert` on every file (~3 min)."""
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from common import (Checker, have_samples, parse_args, samples_absent,  # noqa: E402
                    sha256, skip, tempdir)

VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99",
            "--leak-check=full", "--show-leak-kinds=definite,indirect,possible",
            "--errors-for-leak-kinds=definite,indirect,possible",
            "--track-fds=no"]


def sanitized(exe):
    with open(exe, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__ubsan_handle" in data


def inputs(fixtures, samples, everything):
    """(path, command) pairs."""
    found = []
    for root in (samples, fixtures):
        for folder, _, files in sorted(os.walk(root)):
            layouts = os.path.basename(folder) == "layouts"
            if os.path.basename(folder) == "golden":
                continue  # expected text dumps, not inputs
            for i, name in enumerate(sorted(files)):
                if name in ("expected.json", "README.md"):
                    continue
                if layouts and i % 50 and not everything:
                    continue
                command = "convert" if everything or root == samples \
                    else "check"
                found.append((os.path.join(folder, name), command))
    return found


def main():
    args = parse_args()
    t = Checker("valgrind")
    exe = os.path.abspath(args.exe)
    if shutil.which("valgrind") is None or sanitized(exe):
        skip("valgrind missing or a sanitizer build: memory check skipped")
    if not have_samples(args.samples):
        print("SKIP: " + samples_absent("valgrind on the samples"),
              flush=True)
    everything = os.environ.get("CLASCONV_VALGRIND_ALL") == "1"
    runs = inputs(args.fixtures, args.samples, everything)
    files = [path for path, _ in runs]
    before = {f: sha256(f) for f in files}
    with tempdir() as work:
        def one(item):
            i, (path, command) = item
            out = os.path.join(work, f"out-{i}.xlsx")
            argv = [exe, command, path]
            if command == "convert":
                argv += ["-o", out]
            r = subprocess.run(VALGRIND + argv, capture_output=True,
                               timeout=300)
            return path, r

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(one, enumerate(runs)))
    for path, r in results:
        name = os.path.relpath(path, os.path.dirname(args.fixtures))
        t.check(r.returncode in (0, 1, 2),
                f"{name}: status {r.returncode} (99 = valgrind error); "
                f"{r.stderr.decode('utf-8', 'replace')[-2000:]}")
        t.check(b"==" not in r.stderr,
                f"{name}: valgrind said something: "
                f"{r.stderr.decode('utf-8', 'replace')[-2000:]}")
    for f in files:
        t.equal(sha256(f), before[f], f"{f}: SHA-256 unchanged")
    print(f"{len(files)} files under valgrind")
    t.finish()


if __name__ == "__main__":
    main()
