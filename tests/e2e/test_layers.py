"""Tests of scripts/check-layers itself: the tree passes; a planted upward
include or a capacity field in a public header (a struct member named
`cap`, `*_cap` or `capacity`) fails, naming the file and line; the same
words in a comment, a parameter or a longer name do not."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Checker, parse_args, tempdir

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check-layers")

PLANTED = """
/* a comment naming cap, items_cap and capacity */
typedef struct planted {
    char *data;
    size_t n, items_cap;
    size_t cap : 8;
    int slots[4], capacity[2];
    void *(*cap)(void *, size_t);
    struct {
        size_t cap;
    } inner;
    size_t capped;
    size_t cap_used;
} planted;
size_t planted_room(size_t cap);
"""


def check_layers(root):
    return subprocess.run([sys.executable, SCRIPT, root],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60)


def copy_tree(dst):
    for top in ("src", "include"):
        shutil.copytree(os.path.join(ROOT, top), os.path.join(dst, top))


def main():
    parse_args()
    t = Checker("layers")
    r = check_layers(ROOT)
    t.equal(r.returncode, 0, f"the tree passes: {r.stderr!r}")
    t.check(b" 0 errors" in r.stdout, f"the tree: summary {r.stdout!r}")

    with tempdir() as d:
        copy_tree(d)
        header = os.path.join(d, "include", "clasconv", "buf.h")
        with open(header, encoding="utf-8") as f:
            before = f.read()
        first = before.count("\n") + 1
        with open(header, "a", encoding="utf-8") as f:
            f.write(PLANTED)
        r = check_layers(d)
        err = r.stderr.decode("utf-8")
        t.equal(r.returncode, 1, "planted capacity fields: status")
        want = [(first + 4, "items_cap"), (first + 5, "cap"),
                (first + 6, "capacity"), (first + 7, "cap"),
                (first + 9, "cap")]
        for line, name in want:
            t.check(f"include/clasconv/buf.h:{line}: public struct member "
                    f"'{name}' is a capacity field" in err,
                    f"planted '{name}' line {line} reported: {err!r}")
        t.equal(err.count("is a capacity field"), len(want),
                f"only the capacity members (not the comment, 'capped', "
                f"'cap_used' or a parameter): {err!r}")
        t.check(b" 5 errors" in r.stdout, f"summary: {r.stdout!r}")

        # A private header may keep a capacity (clasconv_grow does).
        with open(header, "w", encoding="utf-8") as f:
            f.write(before)
        private = os.path.join(d, "src", "core", "planted.h")
        with open(private, "w", encoding="utf-8") as f:
            f.write(PLANTED)
        r = check_layers(d)
        t.equal(r.returncode, 0, f"a private header may: {r.stderr!r}")

        # The layer rule still holds beside it.
        with open(os.path.join(d, "src", "core", "up.c"), "w",
                  encoding="utf-8") as f:
            f.write('#include "clasconv/table.h"\n')
        r = check_layers(d)
        t.equal(r.returncode, 1, "upward include: status")
        t.check(b"src/core/up.c (core) includes \"clasconv/table.h\"" in
                r.stderr, f"upward include reported: {r.stderr!r}")
    t.finish()


if __name__ == "__main__":
    main()
