/* sniff.c: tells an input's format from its bytes (never from its name),
 * names formats, and says what to do with a file no reader takes. */
#include <stdint.h>
#include <string.h>

#include "clasconv/read.h"
#include "read/ole2.h"
#include "read/sniff.h"
#include "read/zipxml.h"

/* Bytes looked at for text markers and NUL bytes. */
#define SNIFF_TEXT_WINDOW ((size_t)64 << 10)
/* Central directory entries and local headers walked at most. */
#define SNIFF_ZIP_MAX_ENTRIES 65536u
/* Bytes of a zip comment (the EOCD is at most this far from the end). */
#define SNIFF_ZIP_MAX_COMMENT 65535u
/* Characters of a UTF-16 start converted for the markup tests. */
#define SNIFF_UTF16_CHARS 1024u

static const unsigned char ole2_magic[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                            0xA1, 0xB1, 0x1A, 0xE1};

static const char ods_mimetype[] =
    "application/vnd.oasis.opendocument.spreadsheet";
static const char odt_mimetype[] = "application/vnd.oasis.opendocument.text";

/* What the part names of a zip say about it. */
typedef struct zip_parts {
    int workbook;       /* xl/workbook.xml */
    int document;       /* word/document.xml */
    int content;        /* content.xml */
    int mimetype_ods;   /* a stored mimetype naming an ODF spreadsheet */
    int mimetype_odt;   /* a stored mimetype naming an ODF text document */
    int mimetype_other; /* a stored mimetype naming something else */
    int content_types;  /* [Content_Types].xml: an OPC package */
} zip_parts;

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* Compares a part name with `want`, reading '\' as '/' (some writers). */
static int name_is(const unsigned char *name, size_t len, const char *want)
{
    size_t i;
    if (len != strlen(want))
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = name[i] == '\\' ? '/' : name[i];
        if (c != (unsigned char)want[i])
            return 0;
    }
    return 1;
}

/* Reads a stored (uncompressed) mimetype's bytes at local header `off`. */
static void check_mimetype(const unsigned char *data, size_t size, size_t off,
                           zip_parts *parts)
{
    size_t name_len, extra_len, start, csize, want = strlen(ods_mimetype);
    size_t want_odt = strlen(odt_mimetype);
    if (off > size || size - off < 30 || rd32(data + off) != 0x04034b50u)
        return;
    if (rd16(data + off + 8) != 0) /* compressed: cannot tell cheaply */
        return;
    csize = rd32(data + off + 18);
    name_len = rd16(data + off + 26);
    extra_len = rd16(data + off + 28);
    start = off + 30 + name_len + extra_len;
    if (start > size)
        return;
    if (csize > size - start)
        csize = size - start;
    if (csize >= want && memcmp(data + start, ods_mimetype, want) == 0)
        parts->mimetype_ods = 1;
    else if (csize == want_odt &&
             memcmp(data + start, odt_mimetype, want_odt) == 0)
        parts->mimetype_odt = 1;
    else
        parts->mimetype_other = 1;
}

static void note_part(const unsigned char *data, size_t size,
                      const unsigned char *name, size_t len, size_t local_off,
                      zip_parts *parts)
{
    if (name_is(name, len, "xl/workbook.xml"))
        parts->workbook = 1;
    else if (name_is(name, len, "word/document.xml"))
        parts->document = 1;
    else if (name_is(name, len, "content.xml"))
        parts->content = 1;
    else if (name_is(name, len, "mimetype"))
        check_mimetype(data, size, local_off, parts);
    else if (name_is(name, len, "[Content_Types].xml"))
        parts->content_types = 1;
}

/* Finds the end-of-central-directory record; returns its offset or -1. */
static long find_eocd(const unsigned char *data, size_t size)
{
    size_t pos, lowest;
    if (size < 22)
        return -1;
    lowest = size - 22 > SNIFF_ZIP_MAX_COMMENT
                 ? size - 22 - SNIFF_ZIP_MAX_COMMENT
                 : 0;
    for (pos = size - 22;; pos--) {
        if (data[pos] == 'P' && rd32(data + pos) == 0x06054b50u &&
            pos + 22 + rd16(data + pos + 20) <= size)
            return (long)pos;
        if (pos == lowest)
            break;
    }
    return -1;
}

/* Walks the central directory; returns 0 when it cannot be used. */
static int walk_central(const unsigned char *data, size_t size,
                        zip_parts *parts)
{
    long eocd_pos = find_eocd(data, size);
    size_t eocd, cd_size, cd_off, pos, end, shift = 0;
    unsigned entries, i;
    if (eocd_pos < 0)
        return 0;
    eocd = (size_t)eocd_pos;
    entries = rd16(data + eocd + 10);
    cd_size = rd32(data + eocd + 12);
    cd_off = rd32(data + eocd + 16);
    if (cd_size > eocd)
        return 0;
    /* Data prepended to the zip shifts every offset: trust the EOCD's place. */
    if (cd_off != eocd - cd_size) {
        if (cd_off > eocd - cd_size)
            return 0;
        shift = eocd - cd_size - cd_off;
    }
    pos = eocd - cd_size;
    end = eocd;
    if (entries == 0)
        return 1;
    for (i = 0; i < entries && i < SNIFF_ZIP_MAX_ENTRIES; i++) {
        size_t name_len, extra_len, comment_len, local;
        if (end - pos < 46 || rd32(data + pos) != 0x02014b50u)
            return i > 0;
        name_len = rd16(data + pos + 28);
        extra_len = rd16(data + pos + 30);
        comment_len = rd16(data + pos + 32);
        local = (size_t)rd32(data + pos + 42) + shift;
        if (end - pos - 46 < name_len)
            return i > 0;
        note_part(data, size, data + pos + 46, name_len, local, parts);
        if (end - pos - 46 - name_len < extra_len + comment_len)
            break;
        pos += 46 + name_len + extra_len + comment_len;
    }
    return 1;
}

/* Finds the next local header signature at or after `from`. */
static size_t next_local(const unsigned char *data, size_t size, size_t from)
{
    size_t pos;
    for (pos = from; pos + 4 <= size; pos++) {
        if (data[pos] == 'P' && rd32(data + pos) == 0x04034b50u)
            return pos;
    }
    return size;
}

/* Walks local headers from the start (a zip cut before its directory). */
static void walk_local(const unsigned char *data, size_t size, zip_parts *parts)
{
    size_t pos = next_local(data, size, 0);
    unsigned count = 0;
    while (pos < size && count++ < SNIFF_ZIP_MAX_ENTRIES) {
        size_t name_len, extra_len, csize, next;
        unsigned flags;
        if (size - pos < 30)
            break;
        flags = rd16(data + pos + 6);
        csize = rd32(data + pos + 18);
        name_len = rd16(data + pos + 26);
        extra_len = rd16(data + pos + 28);
        if (size - pos - 30 < name_len)
            break;
        note_part(data, size, data + pos + 30, name_len, pos, parts);
        next = pos + 30 + name_len;
        /* Sizes are only trustworthy without a trailing data descriptor. */
        if (!(flags & 0x8u) && csize != 0xFFFFFFFFu &&
            size - next >= extra_len && size - next - extra_len >= csize)
            next += extra_len + csize;
        pos = next_local(data, size, next);
    }
}

/* --- OPC packages by their relationships ---------------------------- */

static unsigned char lower_ascii(unsigned char c);

/* The content type [Content_Types].xml gives part `part` (an Override for
 * its name, else the Default for its extension). */
typedef struct opc_types {
    const char *part;      /* "/xl/workbook.xml" */
    const char *extension; /* "xml" */
    char override[256];
    char by_default[256];
} opc_types;

/* Equal ignoring ASCII case on both sides. */
static int equal_ci(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (lower_ascii((unsigned char)*a) != lower_ascii((unsigned char)*b))
            return 0;
    }
    return *a == *b;
}

static void copy_type(char *out, size_t size, const char *value)
{
    size_t n = strlen(value);
    if (n >= size)
        n = size - 1;
    memcpy(out, value, n);
    out[n] = '\0';
}

static clasconv_error types_start(void *user, const char *name,
                                  const char **attrs)
{
    opc_types *t = user;
    const char *type = clasconv_xml_attr(attrs, "ContentType");
    if (type == NULL)
        return CLASCONV_OK;
    if (strcmp(clasconv_xml_local(name), "Override") == 0) {
        const char *part = clasconv_xml_attr(attrs, "PartName");
        if (part != NULL && equal_ci(part, t->part))
            copy_type(t->override, sizeof t->override, type);
    } else if (strcmp(clasconv_xml_local(name), "Default") == 0) {
        const char *ext = clasconv_xml_attr(attrs, "Extension");
        if (ext != NULL && equal_ci(ext, t->extension))
            copy_type(t->by_default, sizeof t->by_default, type);
    }
    return CLASCONV_OK;
}

/* The format a main part's content type names. */
static clasconv_format format_of_type(const char *type)
{
    static const struct {
        const char *type;
        clasconv_format format;
    } known[] = {
        /* .xlsx, .xltx, .xlsm, .xltm, .xlam: SpreadsheetML workbooks. */
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."
         "main+xml",
         CLASCONV_FORMAT_XLSX},
        {"application/vnd.openxmlformats-officedocument.spreadsheetml."
         "template.main+xml",
         CLASCONV_FORMAT_XLSX},
        {"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
         CLASCONV_FORMAT_XLSX},
        {"application/vnd.ms-excel.template.macroEnabled.main+xml",
         CLASCONV_FORMAT_XLSX},
        {"application/vnd.ms-excel.sheet.binary.macroEnabled.main",
         CLASCONV_FORMAT_XLSB},
        /* .docx, .dotx, .docm, .dotm. */
        {"application/vnd.openxmlformats-officedocument.wordprocessingml."
         "document.main+xml",
         CLASCONV_FORMAT_DOCX},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml."
         "template.main+xml",
         CLASCONV_FORMAT_DOCX},
        {"application/vnd.ms-word.document.macroEnabled.main+xml",
         CLASCONV_FORMAT_DOCX},
        {"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
         CLASCONV_FORMAT_DOCX},
        /* .pptx and friends: Office, but no table reader. */
        {"application/vnd.openxmlformats-officedocument.presentationml."
         "presentation.main+xml",
         CLASCONV_FORMAT_ZIP_OTHER},
    };
    size_t i;
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (equal_ci(type, known[i].type))
            return known[i].format;
    }
    return CLASCONV_FORMAT_UNKNOWN;
}

/*
 * An OPC package (Office Open XML): the officeDocument relationship of
 * _rels/.rels (transitional or Strict type) names the main part wherever
 * it is, and [Content_Types].xml says what that part is. Returns
 * CLASCONV_FORMAT_UNKNOWN when the package says nothing usable.
 */
static clasconv_format sniff_opc(const unsigned char *data, size_t size)
{
    clasconv_zip *zip = NULL;
    clasconv_diag diag;
    char target[CLASCONV_ZIP_MAX_NAME + 2];
    char part[CLASCONV_ZIP_MAX_NAME + 4];
    opc_types types;
    clasconv_xml_handler handler = {types_start, NULL, NULL, &types};
    clasconv_format format = CLASCONV_FORMAT_UNKNOWN;
    const char *dot;

    memset(&types, 0, sizeof types);
    if (clasconv_zip_open(data, size, &zip, &diag) != CLASCONV_OK)
        return CLASCONV_FORMAT_UNKNOWN;
    target[0] = '\0';
    if (clasconv_zip_rel_target(zip, "_rels/.rels", "", "/officeDocument",
                                target, sizeof target, &diag) != CLASCONV_OK ||
        target[0] == '\0' || !clasconv_zip_has(zip, target))
        goto done;
    part[0] = '/';
    memcpy(part + 1, target, strlen(target) + 1);
    types.part = part;
    dot = strrchr(target, '.');
    types.extension = dot != NULL && strchr(dot, '/') == NULL ? dot + 1 : "";
    if (clasconv_zip_parse_xml(zip, "[Content_Types].xml", &handler, &diag) !=
        CLASCONV_OK)
        goto done;
    format = format_of_type(types.override[0] != '\0' ? types.override
                                                      : types.by_default);
done:
    clasconv_zip_free(zip);
    return format;
}

static clasconv_error manifest_start(void *user, const char *name,
                                     const char **attrs)
{
    int *encrypted = user;
    (void)attrs;
    if (strcmp(clasconv_xml_local(name), "encryption-data") == 0)
        *encrypted = 1;
    return CLASCONV_OK;
}

/* An ODF package whose manifest gives encryption data for a part: saved
 * with a password (its parts are ciphered, not the zip entries). */
static int odf_encrypted(const unsigned char *data, size_t size)
{
    clasconv_zip *zip = NULL;
    clasconv_diag diag;
    int encrypted = 0;
    clasconv_xml_handler handler = {manifest_start, NULL, NULL, &encrypted};
    if (clasconv_zip_open(data, size, &zip, &diag) != CLASCONV_OK)
        return 0;
    if (clasconv_zip_has(zip, "META-INF/manifest.xml"))
        (void)clasconv_zip_parse_xml(zip, "META-INF/manifest.xml", &handler,
                                     &diag);
    clasconv_zip_free(zip);
    return encrypted;
}

static clasconv_format sniff_zip(const unsigned char *data, size_t size)
{
    zip_parts parts;
    memset(&parts, 0, sizeof parts);
    if (!walk_central(data, size, &parts))
        walk_local(data, size, &parts);
    /* An OPC package says where its main part is and what it is: asked
     * when the usual part names do not settle it (a main part elsewhere,
     * .xlsb, both or neither of workbook.xml and document.xml). */
    if (parts.content_types && parts.workbook == parts.document) {
        clasconv_format format = sniff_opc(data, size);
        if (format != CLASCONV_FORMAT_UNKNOWN)
            return format;
    }
    if (parts.workbook)
        return CLASCONV_FORMAT_XLSX;
    if (parts.mimetype_odt && parts.content)
        return odf_encrypted(data, size) ? CLASCONV_FORMAT_ENCRYPTED
                                         : CLASCONV_FORMAT_ODT;
    if (parts.mimetype_ods || (parts.content && !parts.mimetype_other &&
                               !parts.mimetype_odt && !parts.document))
        return odf_encrypted(data, size) ? CLASCONV_FORMAT_ENCRYPTED
                                         : CLASCONV_FORMAT_ODS;
    if (parts.mimetype_other && parts.content && odf_encrypted(data, size))
        return CLASCONV_FORMAT_ENCRYPTED; /* a protected .odp... */
    if (parts.document)
        return CLASCONV_FORMAT_DOCX;
    return CLASCONV_FORMAT_ZIP_OTHER;
}

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static unsigned char lower_ascii(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Non-zero when `p` (of `len` bytes) starts with `prefix`, ignoring case. */
static int starts_with_ci(const unsigned char *p, size_t len,
                          const char *prefix)
{
    size_t i, n = strlen(prefix);
    if (len < n)
        return 0;
    for (i = 0; i < n; i++) {
        if (lower_ascii(p[i]) != (unsigned char)prefix[i])
            return 0;
    }
    return 1;
}

static size_t skip_blanks(const unsigned char *p, size_t len, size_t pos)
{
    while (pos < len && is_blank(p[pos]))
        pos++;
    return pos;
}

/* Skips blanks, then `<!-- ... -->` comments (bounded by the buffer). */
static size_t skip_blanks_and_comments(const unsigned char *p, size_t len,
                                       size_t pos)
{
    pos = skip_blanks(p, len, pos);
    while (starts_with_ci(p + pos, len - pos, "<!--")) {
        size_t i;
        for (i = pos + 4; i + 3 <= len; i++) {
            if (p[i] == '-' && p[i + 1] == '-' && p[i + 2] == '>')
                break;
        }
        if (i + 3 > len)
            return len;
        pos = skip_blanks(p, len, i + 3);
    }
    return pos;
}

static int is_html_start(const unsigned char *p, size_t len)
{
    static const char *const tags[] = {"<!doctype html", "<html", "<table",
                                       "<meta",          "<head", "<body"};
    size_t i;
    for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        size_t n = strlen(tags[i]);
        /* `<html>`, `<html ` but not `<htmlfoo`. */
        if (starts_with_ci(p, len, tags[i]) &&
            (len == n || p[n] == '>' || p[n] == '/' || is_blank(p[n])))
            return 1;
    }
    return 0;
}

/* Excel 2003 XML: its namespace on the root (or the mso-application
 * processing instruction) within the window. */
static int is_spreadsheetml(const unsigned char *p, size_t len)
{
    static const char ns[] = "urn:schemas-microsoft-com:office:spreadsheet";
    size_t n = sizeof ns - 1, i;
    for (i = 0; i + n <= len; i++) {
        if (p[i] == 'u' && memcmp(p + i, ns, n) == 0)
            return 1;
    }
    return 0;
}

/* The start of the line after the one at `pos`, or `len`. */
static size_t next_line(const unsigned char *p, size_t len, size_t pos)
{
    while (pos < len && p[pos] != '\n')
        pos++;
    return pos < len ? pos + 1 : len;
}

/* SYLK: an "ID;P..." record, then one of the record types a writer puts
 * next (a CSV whose first column is "ID;P..." has no such second line). */
static int is_sylk(const unsigned char *p, size_t len)
{
    static const char *const records[] = {"C;",  "F;",  "B;",  "P;",  "O;",
                                          "NN;", "NU;", "E\r", "E\n", "W;"};
    size_t next, i;
    if (!(len >= 4 && memcmp(p, "ID;P", 4) == 0))
        return 0;
    next = next_line(p, len, 0);
    for (i = 0; i < sizeof records / sizeof records[0]; i++)
        if (len - next >= strlen(records[i]) &&
            memcmp(p + next, records[i], strlen(records[i])) == 0)
            return 1;
    return 0;
}

/* DIF: "TABLE", then "0,1" (the header's version), then a quoted title. */
static int is_dif(const unsigned char *p, size_t len)
{
    size_t next;
    if (!starts_with_ci(p, len, "table") || len < 6 ||
        (p[5] != '\r' && p[5] != '\n'))
        return 0;
    next = next_line(p, len, 0);
    if (!(len - next >= 3 && memcmp(p + next, "0,1", 3) == 0))
        return 0;
    next = next_line(p, len, next);
    return next < len && p[next] == '"';
}

/* Tells markup from the (ASCII) start of a text. */
static clasconv_format sniff_markup(const unsigned char *p, size_t len)
{
    size_t pos = skip_blanks_and_comments(p, len, 0);
    if (pos >= len)
        return CLASCONV_FORMAT_EMPTY;
    if (starts_with_ci(p + pos, len - pos, "<?xml")) {
        /* XHTML pages start with an XML declaration too. */
        size_t i;
        for (i = pos + 5; i + 2 <= len; i++) {
            if (p[i] == '?' && p[i + 1] == '>')
                break;
        }
        if (i + 2 <= len) {
            size_t next = skip_blanks_and_comments(p, len, i + 2);
            if (is_html_start(p + next, len - next))
                return CLASCONV_FORMAT_HTML;
        }
        return is_spreadsheetml(p, len) ? CLASCONV_FORMAT_XML2003
                                        : CLASCONV_FORMAT_XML;
    }
    if (is_html_start(p + pos, len - pos))
        return CLASCONV_FORMAT_HTML;
    if (starts_with_ci(p + pos, len - pos, "{\\rtf"))
        return CLASCONV_FORMAT_RTF;
    if (is_sylk(p + pos, len - pos))
        return CLASCONV_FORMAT_SYLK;
    if (is_dif(p + pos, len - pos))
        return CLASCONV_FORMAT_DIF;
    if (len - pos >= 4 && memcmp(p + pos, "%PDF", 4) == 0)
        return CLASCONV_FORMAT_PDF;
    return CLASCONV_FORMAT_CSV;
}

/*
 * An OLE2 compound file: a password-protected .xlsx/.docx/.pptx (Office
 * keeps the ciphered package in an EncryptedPackage stream, with its
 * EncryptionInfo), else an .xls (the .xls reader names the other Office
 * files: Word .doc, Outlook .msg...).
 */
static clasconv_format sniff_ole2(const unsigned char *data, size_t size)
{
    clasconv_ole2 *ole = NULL;
    size_t index;
    clasconv_format format = CLASCONV_FORMAT_XLS;
    if (clasconv_ole2_open(data, size, &ole) != CLASCONV_OLE2_OK)
        return CLASCONV_FORMAT_XLS; /* the reader says what is wrong */
    if (clasconv_ole2_find(ole, "EncryptedPackage", &index) ==
            CLASCONV_OLE2_OK &&
        clasconv_ole2_find(ole, "EncryptionInfo", &index) == CLASCONV_OLE2_OK)
        format = CLASCONV_FORMAT_ENCRYPTED;
    else if (clasconv_ole2_find(ole, "WordDocument", &index) ==
                 CLASCONV_OLE2_OK &&
             clasconv_ole2_find(ole, "Workbook", &index) != CLASCONV_OLE2_OK &&
             clasconv_ole2_find(ole, "Book", &index) != CLASCONV_OLE2_OK)
        format = CLASCONV_FORMAT_DOC;
    clasconv_ole2_free(ole);
    return format;
}

/* Converts the start of a UTF-16 text to ASCII (others become '?'). */
static size_t utf16_to_ascii(const unsigned char *data, size_t size,
                             int little_endian, unsigned char *out,
                             size_t out_size)
{
    size_t i, n = 0;
    for (i = 0; i + 2 <= size && n < out_size; i += 2) {
        unsigned unit = little_endian ? (unsigned)(data[i] | data[i + 1] << 8)
                                      : (unsigned)(data[i] << 8 | data[i + 1]);
        out[n++] = unit < 0x80 ? (unsigned char)unit : (unsigned char)'?';
    }
    return n;
}

clasconv_format clasconv_sniff(const unsigned char *data, size_t size)
{
    size_t window, start;
    clasconv_format format;
    if (data == NULL || size == 0)
        return CLASCONV_FORMAT_EMPTY;
    if (size >= 8 && memcmp(data, ole2_magic, 8) == 0)
        return sniff_ole2(data, size);
    if (size >= 4 && data[0] == 'P' && data[1] == 'K' &&
        ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6)))
        return sniff_zip(data, size);
    if (size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) ||
                      (data[0] == 0xFE && data[1] == 0xFF))) {
        unsigned char ascii[SNIFF_UTF16_CHARS];
        size_t n = utf16_to_ascii(data + 2, size - 2, data[0] == 0xFF, ascii,
                                  sizeof ascii);
        return sniff_markup(ascii, n);
    }
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        data += 3;
        size -= 3;
    }
    /* Leading blanks say nothing (and may be long): start after them. */
    start = skip_blanks(data, size, 0);
    if (start == size)
        return CLASCONV_FORMAT_EMPTY;
    data += start;
    size -= start;
    window = size < SNIFF_TEXT_WINDOW ? size : SNIFF_TEXT_WINDOW;
    {
        /* A PDF may have a few bytes before its header. */
        size_t i, pdf_window = window < 1024 ? window : 1024;
        for (i = 0; i + 5 <= pdf_window; i++) {
            if (data[i] == '%' && memcmp(data + i, "%PDF-", 5) == 0)
                return CLASCONV_FORMAT_PDF;
        }
    }
    if (memchr(data, 0, window) != NULL)
        return CLASCONV_FORMAT_UNKNOWN;
    format = sniff_markup(data, window);
    /* A window of comments only: the text goes on after it. */
    return format == CLASCONV_FORMAT_EMPTY ? CLASCONV_FORMAT_CSV : format;
}

/*
 * Copies the extension of `path` (after the last '.' of its last component)
 * into `buf` when it is short and plain ASCII letters or digits; else "".
 */
static void path_extension(const char *path, char *buf, size_t size)
{
    const char *base, *dot;
    size_t len, i;
    buf[0] = '\0';
    if (path == NULL)
        return;
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return;
    len = strlen(dot + 1);
    if (len == 0 || len >= size || len > 8)
        return;
    for (i = 0; i < len; i++) {
        char c = dot[1 + i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return;
    }
    memcpy(buf, dot + 1, len + 1);
}

static int same_ci(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (ca != *b)
            return 0;
    }
    return *a == *b;
}

void clasconv_format_explain(clasconv_format format, const char *path,
                             clasconv_diag *diag)
{
    static const char save_again[] =
        "Ouvrez-le dans Excel ou LibreOffice, puis enregistrez-le au format "
        "Excel (.xlsx) ou CSV et recommencez.";
    char ext[16];
    path_extension(path, ext, sizeof ext);
    if ((int)format < (int)CLASCONV_FORMAT_UNKNOWN ||
        (int)format > (int)CLASCONV_FORMAT_DIF)
        format = CLASCONV_FORMAT_UNKNOWN;
    switch (format) {
    case CLASCONV_FORMAT_HTML:
        if (ext[0] != '\0' && !same_ci(ext, "html") && !same_ci(ext, "htm"))
            clasconv_diag_set(diag,
                              "Ce fichier n'est pas un classeur : c'est une "
                              "page web (HTML) enregistrée avec l'extension "
                              ".%s, comme en produisent certains portails. %s",
                              ext, save_again);
        else
            clasconv_diag_set(diag,
                              "Ce fichier n'est pas un classeur : c'est une "
                              "page web (HTML), comme en produisent certains "
                              "portails. %s",
                              save_again);
        break;
    case CLASCONV_FORMAT_EMPTY:
        clasconv_diag_set(diag,
                          "Ce fichier est vide : il ne contient aucune "
                          "donnée. Vérifiez que vous avez transmis le bon "
                          "fichier, ou demandez à la commune de le renvoyer.");
        break;
    case CLASCONV_FORMAT_PDF:
        clasconv_diag_set(diag,
                          "Ce fichier est un document PDF : ses tableaux ne "
                          "peuvent pas être lus. Demandez à la commune le "
                          "tableau d'origine (Excel, LibreOffice, CSV ou "
                          "Word .docx).");
        break;
    case CLASCONV_FORMAT_ZIP_OTHER:
        clasconv_diag_set(diag,
                          "Ce fichier est une archive compressée (zip) qui "
                          "n'est ni un classeur Excel (.xlsx) ou LibreOffice "
                          "(.ods), ni un document Word (.docx). S'il contient "
                          "le tableau, extrayez-le de l'archive ; sinon, "
                          "ouvrez le fichier dans son logiciel et "
                          "enregistrez-le au format Excel (.xlsx).");
        break;
    case CLASCONV_FORMAT_OLE_OTHER:
        clasconv_diag_set(diag,
                          "Ce fichier est un ancien document Microsoft Office "
                          "qui n'est ni un classeur ni un document Word (par "
                          "exemple un message Outlook .msg ou une "
                          "présentation PowerPoint .ppt). Ouvrez-le dans son "
                          "logiciel, copiez le "
                          "tableau dans Excel ou LibreOffice et enregistrez-le "
                          "au format Excel (.xlsx), ou enregistrez le document "
                          "au format Word (.docx).");
        break;
    case CLASCONV_FORMAT_XML:
        clasconv_diag_set(diag,
                          "Ce fichier est un fichier XML qui n'est pas un "
                          "classeur (ni « XML Excel 2003 », ni Office). "
                          "Ouvrez-le dans Excel ou "
                          "LibreOffice, puis enregistrez-le au format Excel "
                          "(.xlsx) et recommencez.");
        break;
    case CLASCONV_FORMAT_RTF:
        clasconv_diag_set(diag,
                          "Ce fichier est un document texte au format RTF, "
                          "qui n'est pas lu. Ouvrez-le dans Word ou "
                          "LibreOffice, puis enregistrez-le au format Word "
                          "(.docx), ou copiez le tableau dans un classeur "
                          "Excel (.xlsx), et recommencez.");
        break;
    case CLASCONV_FORMAT_DOC:
        clasconv_diag_set(diag,
                          "Ce fichier est un document Word 97-2003 (.doc), "
                          "qui n'est pas lu. Ouvrez-le dans Word ou "
                          "LibreOffice, puis enregistrez-le au format Word "
                          "(.docx), et recommencez.");
        break;
    case CLASCONV_FORMAT_XLSB:
        clasconv_diag_set(diag,
                          "Ce fichier est un classeur Excel binaire (.xlsb), "
                          "un format qui n'est pas lu. Ouvrez-le dans Excel "
                          "ou LibreOffice, puis enregistrez-le au format "
                          "Excel (.xlsx) et recommencez.");
        break;
    case CLASCONV_FORMAT_ENCRYPTED:
        clasconv_diag_set(diag, "%s", CLASCONV_MSG_PASSWORD);
        break;
    case CLASCONV_FORMAT_UNKNOWN:
    case CLASCONV_FORMAT_CSV:
    case CLASCONV_FORMAT_XLS:
    case CLASCONV_FORMAT_XLSX:
    case CLASCONV_FORMAT_ODS:
    case CLASCONV_FORMAT_DOCX:
    case CLASCONV_FORMAT_XML2003:
    case CLASCONV_FORMAT_ODT:
    case CLASCONV_FORMAT_SYLK:
    case CLASCONV_FORMAT_DIF:
        clasconv_diag_set(diag,
                          "Le format de ce fichier n'est pas reconnu : ce "
                          "n'est ni un classeur (Excel .xls/.xlsx, "
                          "LibreOffice .ods), ni un fichier CSV, ni un "
                          "document Word (.docx). Il est peut-être abîmé. "
                          "Ouvrez-le dans son logiciel, enregistrez-le au "
                          "format Excel (.xlsx) et recommencez, ou demandez "
                          "à la commune de le renvoyer.");
        break;
    }
}

const char *clasconv_format_name(clasconv_format format)
{
    switch (format) {
    case CLASCONV_FORMAT_UNKNOWN:
        return "inconnu";
    case CLASCONV_FORMAT_CSV:
        return "csv";
    case CLASCONV_FORMAT_XLS:
        return "xls";
    case CLASCONV_FORMAT_XLSX:
        return "xlsx";
    case CLASCONV_FORMAT_ODS:
        return "ods";
    case CLASCONV_FORMAT_DOCX:
        return "docx";
    case CLASCONV_FORMAT_EMPTY:
        return "vide";
    case CLASCONV_FORMAT_HTML:
        return "html";
    case CLASCONV_FORMAT_XML:
        return "xml";
    case CLASCONV_FORMAT_PDF:
        return "pdf";
    case CLASCONV_FORMAT_ZIP_OTHER:
        return "zip";
    case CLASCONV_FORMAT_OLE_OTHER:
        return "ole";
    case CLASCONV_FORMAT_RTF:
        return "rtf";
    case CLASCONV_FORMAT_XLSB:
        return "xlsb";
    case CLASCONV_FORMAT_ENCRYPTED:
        return "protege";
    case CLASCONV_FORMAT_XML2003:
        return "xml2003";
    case CLASCONV_FORMAT_ODT:
        return "odt";
    case CLASCONV_FORMAT_DOC:
        return "doc";
    case CLASCONV_FORMAT_SYLK:
        return "slk";
    case CLASCONV_FORMAT_DIF:
        return "dif";
    }
    return "inconnu";
}

int clasconv_format_readable(clasconv_format format)
{
    switch (format) {
    case CLASCONV_FORMAT_CSV:
    case CLASCONV_FORMAT_XLS:
    case CLASCONV_FORMAT_XLSX:
    case CLASCONV_FORMAT_ODS:
    case CLASCONV_FORMAT_DOCX:
    case CLASCONV_FORMAT_XML2003:
    case CLASCONV_FORMAT_ODT:
    case CLASCONV_FORMAT_HTML:
    case CLASCONV_FORMAT_DOC: /* through LibreOffice (soffice.c) */
    case CLASCONV_FORMAT_RTF:
    case CLASCONV_FORMAT_XLSB:
    case CLASCONV_FORMAT_SYLK:
    case CLASCONV_FORMAT_DIF:
        return 1;
    case CLASCONV_FORMAT_UNKNOWN:
    case CLASCONV_FORMAT_EMPTY:
    case CLASCONV_FORMAT_XML:
    case CLASCONV_FORMAT_PDF:
    case CLASCONV_FORMAT_ZIP_OTHER:
    case CLASCONV_FORMAT_OLE_OTHER:
    case CLASCONV_FORMAT_ENCRYPTED:
        return 0;
    }
    return 0;
}
