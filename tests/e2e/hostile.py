"""Generators of hostile inputs for the bounded-work tests (test_bounded.py)
and for the measurements in docs/ROBUSTNESS.md: small files that used to
cost minutes of CPU or gigabytes of memory. Nothing here is committed as
data; every file is built when needed.

Command line (for the measurements):
  python3 tests/e2e/hostile.py token xlsx attr 64 out.xlsx   (MiB; attr,
      comment, pi, name, or benign for the baseline; xlsx, ods or docx)
  python3 tests/e2e/hostile.py vmerge COLS ROWS out.docx
  python3 tests/e2e/hostile.py unknown COLUMNS out.csv
  python3 tests/e2e/hostile.py anomalies ROWS out.csv
"""
import random
import struct
import sys
import zipfile
import zlib

MIB = 1 << 20

# --- One huge XML token ------------------------------------------------------

_XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"'
    '/><Default Extension="xml" ContentType="application/xml"/></Types>')
_OOXML_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
    'schemas.openxmlformats.org/package/2006/relationships"><Relationship '
    'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="%s"/></Relationships>')
_XLSX_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
    'name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_XLSX_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
    'schemas.openxmlformats.org/package/2006/relationships"><Relationship '
    'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>')

# (part name, text before the token, text after it) for each format.
_PARTS = {
    "xlsx": ("xl/worksheets/sheet1.xml",
             '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
             'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>ok</t></is></c></row>',
             '</sheetData></worksheet>'),
    "ods": ("content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
            '<office:body><office:spreadsheet><table:table table:name="F">'
            '<table:table-row><table:table-cell><text:p>ok</text:p>'
            '</table:table-cell></table:table-row>',
            '</table:table></office:spreadsheet></office:body>'
            '</office:document-content>'),
    "docx": ("word/document.xml",
             '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http:'
             '//schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
             '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>ok</w:t></w:r></w:p></w:tc>'
             '</w:tr></w:tbl>',
             '</w:body></w:document>'),
}

# How the token opens and closes, by kind.
_KINDS = {
    "attr": ('<x v="', '"/>'),
    "comment": ('<!--', '-->'),
    "pi": ('<?p ', '?>'),
    "name": ('<x', '/>'),
    "benign": ('', ''),  # same size of ordinary markup: the baseline
}


def _filler_block(benign):
    """About 4 MiB that deflate about 170:1 (under the zip reader's 1000:1
    bomb limit): token characters, or many small elements that end whole."""
    rng = random.Random(11)
    out = bytearray()
    while len(out) < 4 * MIB:
        word = bytes(rng.choice(b"bcdefghijklmnopqrstuvwxyz")
                     for _ in range(8))
        if benign:
            out += b"<x/>" * 400 + b"<" + word + b"/>"
        else:
            out += b"a" * 1600 + word
    return bytes(out)


def _write_filler(f, size, benign):
    block = _filler_block(benign)
    left = size
    while left >= len(block):
        f.write(block)
        left -= len(block)
    if benign:
        f.write(b"<x/>" * (left // 4))
    else:
        f.write(block[:left])


def token_file(path, fmt, kind, size):
    """Writes a .xlsx, .ods or .docx whose main part holds one token of
    `size` bytes (kind: attr, comment, pi, name) or, for kind 'benign', the
    same number of bytes of ordinary small elements."""
    part, head, tail = _PARTS[fmt]
    opening, closing = _KINDS[kind]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if fmt == "ods":
            z.writestr("mimetype", "application/vnd.oasis.opendocument."
                       "spreadsheet", compress_type=zipfile.ZIP_STORED)
        elif fmt == "xlsx":
            z.writestr("[Content_Types].xml", _XLSX_TYPES)
            z.writestr("_rels/.rels", _OOXML_RELS % "xl/workbook.xml")
            z.writestr("xl/workbook.xml", _XLSX_WORKBOOK)
            z.writestr("xl/_rels/workbook.xml.rels", _XLSX_WB_RELS)
        else:
            z.writestr("[Content_Types].xml", _XLSX_TYPES)
            z.writestr("_rels/.rels", _OOXML_RELS % "word/document.xml")
        with z.open(part, "w") as f:
            f.write(head.encode())
            f.write(opening.encode())
            _write_filler(f, size, kind == "benign")
            f.write(closing.encode())
            f.write(tail.encode())


# --- DOCX vertical merges ---------------------------------------------------

_DOCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://'
    'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>')
_DOCX_TAIL = '</w:tbl></w:body></w:document>'


def vmerge_docx(path, cols, rows, merged=True):
    """A .docx with one table of `cols` x `rows` empty cells: a first row of
    w:vMerge restart cells, then rows of continue cells (merged) or, for the
    baseline, the same number of plain cells."""
    restart = '<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr></w:tc>'
    cont = '<w:tc><w:tcPr><w:vMerge/></w:tcPr></w:tc>'
    plain = '<w:tc><w:tcPr><w:shd/></w:tcPr></w:tc>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _XLSX_TYPES)
        z.writestr("_rels/.rels", _OOXML_RELS % "word/document.xml")
        with z.open("word/document.xml", "w") as f:
            f.write(_DOCX_HEAD.encode())
            first = ("<w:tr>" + (restart if merged else plain) * cols +
                     "</w:tr>").encode()
            other = ("<w:tr>" + (cont if merged else plain) * cols +
                     "</w:tr>").encode()
            f.write(first)
            for _ in range(rows - 1):
                f.write(other)
            f.write(_DOCX_TAIL.encode())


# --- Amplification through anomalies ----------------------------------------

def _long_name(i, size):
    head = f"École {i} "
    return head + "x" * (size - len(head.encode()))


def unknown_columns_csv(path, rows=20, unknown=300, name_bytes=32000):
    """A CSV whose header has `unknown` columns that name no scheme, and
    `rows` schools with names of `name_bytes` bytes: each unknown column
    lists up to 20 values, each prefixed by the school's name."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("Établissement;Niveau;CLAS;PRE;" +
                ";".join(f"Col{u}" for u in range(unknown)) + "\n")
        for i in range(rows):
            f.write(_long_name(i, name_bytes) + ";Élémentaire;3;2;" +
                    ";".join("1" for _ in range(unknown)) + "\n")


def anomalies_csv(path, rows=3000, name_bytes=32000, cells=9, word="NC"):
    """A CSV of `rows` schools with names of `name_bytes` bytes, each with
    `cells` counts written « NC » (read as zero, one anomaly each); the
    baseline writes word="1"."""
    heads = ["Étude", "École ouverte", "Accompagnement éducatif",
             "Stage de réussite", "PRE", "PRE dont QPV", "CLAS",
             "CLAS dont QPV", "Autre"][:cells]
    with open(path, "w", encoding="utf-8") as f:
        f.write("Établissement;Niveau;" + ";".join(heads) + "\n")
        for i in range(rows):
            f.write(_long_name(i, name_bytes) + ";Élémentaire;" +
                    ";".join(word for _ in heads) + "\n")


# --- Too many sheets --------------------------------------------------------

def many_sheets(path, fmt, count):
    """A .xlsx with `count` sheets, an .ods with `count` tables or a .docx
    with `count` Word tables, all empty."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if fmt == "xlsx":
            z.writestr("[Content_Types].xml", _XLSX_TYPES)
            z.writestr("_rels/.rels", _OOXML_RELS % "xl/workbook.xml")
            z.writestr("xl/workbook.xml", _XLSX_WORKBOOK.replace(
                '<sheet name="Feuil1" sheetId="1" r:id="rId1"/>',
                "".join(f'<sheet name="F{i}" sheetId="{i}" r:id="rId{i}"/>'
                        for i in range(1, count + 1))))
            z.writestr("xl/_rels/workbook.xml.rels", _XLSX_WB_RELS.replace(
                _XLSX_WB_RELS[_XLSX_WB_RELS.index("<Relationship "):
                              _XLSX_WB_RELS.index("</Relationships>")],
                "".join(f'<Relationship Id="rId{i}" Type="http://schemas.'
                        'openxmlformats.org/officeDocument/2006/relationships'
                        f'/worksheet" Target="worksheets/sheet{i}.xml"/>'
                        for i in range(1, count + 1))))
            for i in range(1, count + 1):
                z.writestr(f"xl/worksheets/sheet{i}.xml",
                           _PARTS["xlsx"][1] + _PARTS["xlsx"][2])
        elif fmt == "ods":
            z.writestr("mimetype", "application/vnd.oasis.opendocument."
                       "spreadsheet", compress_type=zipfile.ZIP_STORED)
            head, tail = _PARTS["ods"][1], _PARTS["ods"][2]
            table = head[head.index("<table:table "):]
            z.writestr("content.xml", head + "</table:table>" +
                       (table + "</table:table>") * (count - 1) +
                       tail.replace("</table:table>", "", 1))
        else:
            z.writestr("[Content_Types].xml", _XLSX_TYPES)
            z.writestr("_rels/.rels", _OOXML_RELS % "word/document.xml")
            z.writestr("word/document.xml", _DOCX_HEAD.replace("<w:tbl>", "") +
                       "<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>" *
                       count + _DOCX_TAIL.replace("</w:tbl>", ""))


# --- A standard zip64 .xlsx ---------------------------------------------------

def zip64_copy(src, path, stored=False, bad_crc=False):
    """Rewrites zip `src` as zip64 the way large-file writers do: every
    entry's sizes are 0xFFFFFFFF in both headers, with the real ones in a
    zip64 extra field, and a zip64 end of central directory. `stored`
    writes the data uncompressed; `bad_crc` spoils every CRC."""
    entries = []
    with zipfile.ZipFile(src) as z:
        for info in z.infolist():
            entries.append((info.filename.encode(), z.read(info.filename)))
    out = bytearray()
    central = bytearray()
    for name, data in entries:
        if stored:
            packed, method = data, 0
        else:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed, method = comp.compress(data) + comp.flush(), 8
        crc = zlib.crc32(data) ^ (1 if bad_crc else 0)
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(packed))
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0x21,
                           crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra))
        out += name + extra + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0,
                               method, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(name), len(extra), 0, 0, 0, 0, offset)
        central += name + extra
    cd_offset = len(out)
    out += central
    z64_offset = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0,
                       len(entries), len(entries), len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, z64_offset, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries),
                       len(entries), len(central), cd_offset, 0)
    with open(path, "wb") as f:
        f.write(out)


def main(argv):
    what = argv[1]
    if what == "token":
        token_file(argv[5], argv[2], argv[3], int(argv[4]) * MIB)
    elif what == "vmerge":
        vmerge_docx(argv[4], int(argv[2]), int(argv[3]))
    elif what == "unknown":
        unknown_columns_csv(argv[3], unknown=int(argv[2]))
    elif what == "anomalies":
        anomalies_csv(argv[3], rows=int(argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
