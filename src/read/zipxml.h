/* zipxml.h: the zip + XML layer shared by the XLSX, ODS and DOCX readers.
 *
 * An archive is read from memory with minizip and checked before anything
 * is inflated; parts are inflated in chunks and streamed into expat, with
 * the inflated bytes counted against hard caps. Every limit hit fails with
 * a French message saying the file looks damaged or hostile.
 *
 * Limits (checked on the central directory at open, for every entry):
 *   - at most CLASCONV_ZIP_MAX_ENTRIES entries;
 *   - no entry declares more than CLASCONV_ZIP_MAX_PART inflated bytes, and
 *     all entries together no more than CLASCONV_ZIP_MAX_DECLARED;
 *   - an entry over CLASCONV_ZIP_RATIO_FLOOR bytes inflated may not
 *     compress more than CLASCONV_ZIP_MAX_RATIO : 1;
 *   - no entry is encrypted (UNSUPPORTED).
 * Limits checked while inflating a part:
 *   - the bytes actually inflated never exceed the entry's declared size
 *     nor CLASCONV_ZIP_MAX_PART, and all parts read from one archive
 *     together never exceed CLASCONV_ZIP_MAX_INFLATED;
 *   - CRC and stream errors are reported (FORMAT);
 *   - only stored and deflated entries are read (UNSUPPORTED otherwise).
 * XML limits: no DOCTYPE at all (so no entity of any kind), no external
 * entities, elements nested at most CLASCONV_XML_MAX_DEPTH deep, no token
 * longer than CLASCONV_XML_MAX_TOKEN bytes.
 */
#ifndef CLASCONV_READ_ZIPXML_H
#define CLASCONV_READ_ZIPXML_H

#include <stddef.h>
#include <stdint.h>

#include "clasconv/error.h"
#include "clasconv/grid.h"

#define CLASCONV_ZIP_MAX_ENTRIES 10000u
#define CLASCONV_ZIP_MAX_PART ((uint64_t)256 << 20)
#define CLASCONV_ZIP_MAX_DECLARED ((uint64_t)512 << 20)
#define CLASCONV_ZIP_MAX_INFLATED ((uint64_t)256 << 20)
#define CLASCONV_ZIP_RATIO_FLOOR ((uint64_t)1 << 20)
#define CLASCONV_ZIP_MAX_RATIO 1000u
#define CLASCONV_ZIP_MAX_NAME 1024u
#define CLASCONV_XML_MAX_DEPTH 256u
/* Longest single XML token (a tag with its attributes, a comment, a
 * processing instruction, a reference): expat 2.5.0 rescans an unfinished
 * token on every chunk fed, so without this bound the parse time grows with
 * the square of the longest token. Spreadsheets write tokens of a few
 * hundred bytes; with 64 KiB chunks the bound keeps the rescanning under
 * CLASCONV_XML_MAX_TOKEN / 128 KiB = 8 times the part's size. */
#define CLASCONV_XML_MAX_TOKEN ((uint64_t)1 << 20)

/** The French prefix and suffix of every "damaged or hostile" message. */
#define CLASCONV_ZIP_DAMAGED "Le fichier semble endommagé ou malveillant : "
#define CLASCONV_ZIP_RESAVE " Demandez à la commune de l'enregistrer à nouveau."

typedef struct clasconv_zip clasconv_zip;

/**
 * Opens the zip archive held in `data` (borrowed: it must outlive the
 * archive) and checks its central directory against the limits above.
 * Fails with FORMAT (not a zip, truncated, limits), UNSUPPORTED
 * (encrypted entry) or MEMORY, with a French message in `diag`.
 */
clasconv_error clasconv_zip_open(const unsigned char *data, size_t size,
                                 clasconv_zip **zip, clasconv_diag *diag);

/** Closes an archive. NULL does nothing. */
void clasconv_zip_free(clasconv_zip *zip);

/** Number of entries (with a usable name) in the archive. */
size_t clasconv_zip_entry_count(const clasconv_zip *zip);
/** Name of entry `index` (borrowed). */
const char *clasconv_zip_entry_name(const clasconv_zip *zip, size_t index);

/**
 * Non-zero when the archive holds part `name`. Part names are compared
 * without case, and a leading '/' is ignored (OPC part names).
 */
int clasconv_zip_has(const clasconv_zip *zip, const char *name);

/**
 * Inflates part `name` whole into a new NUL-terminated buffer (caller
 * frees `*data`). Fails with TOO_LARGE beyond `max` bytes, FORMAT when the
 * part is missing or damaged.
 */
clasconv_error clasconv_zip_read(clasconv_zip *zip, const char *name,
                                 size_t max, char **data, size_t *len,
                                 clasconv_diag *diag);

/*
 * XML handlers. Element and attribute names come as expat gives them with
 * namespace processing on: "uri|local" (or "local" without a namespace).
 * A handler returns CLASCONV_OK to go on; any other code stops the parse
 * and is returned by clasconv_zip_parse_xml (the handler sets `diag`).
 */
typedef struct clasconv_xml_handler {
    clasconv_error (*start)(void *user, const char *name, const char **attrs);
    clasconv_error (*end)(void *user, const char *name);
    clasconv_error (*text)(void *user, const char *text, size_t len);
    void *user;
} clasconv_xml_handler;

/**
 * Streams part `name` through expat into `handler`. A missing part fails
 * with FORMAT; so do malformed XML, a DOCTYPE, or nesting deeper than
 * CLASCONV_XML_MAX_DEPTH; a token over CLASCONV_XML_MAX_TOKEN bytes fails
 * with TOO_LARGE; the zip limits apply as for clasconv_zip_read.
 */
clasconv_error clasconv_zip_parse_xml(clasconv_zip *zip, const char *name,
                                      const clasconv_xml_handler *handler,
                                      clasconv_diag *diag);

/**
 * Parses the XML document `data` (`len` bytes, not a zip part) into
 * `handler` with the same limits: no DOCTYPE, no entities, nesting at most
 * CLASCONV_XML_MAX_DEPTH. `what` names the document in messages.
 */
clasconv_error clasconv_xml_parse_memory(const char *data, size_t len,
                                         const char *what,
                                         const clasconv_xml_handler *handler,
                                         clasconv_diag *diag);

/** The local part of an expat name ("uri|local" -> "local"). */
const char *clasconv_xml_local(const char *name);

/**
 * Non-zero when expat name `name` has local part `local` and, when `ns` is
 * not NULL, a namespace URI that ends with `ns` (so "spreadsheetml/2006/main"
 * matches both the transitional and the strict OOXML namespaces).
 */
int clasconv_xml_is(const char *name, const char *ns, const char *local);

/** Non-zero when `s` ends with `suffix` (relationship types, part names). */
int clasconv_str_ends_with(const char *s, const char *suffix);

/** The value of the attribute whose local name is `local`, or NULL. */
const char *clasconv_xml_attr(const char **attrs, const char *local);

/** Like clasconv_xml_attr, also matching the namespace as clasconv_xml_is. */
const char *clasconv_xml_attr_ns(const char **attrs, const char *ns,
                                 const char *local);

/**
 * A text buffer that keeps at most `limit` bytes (then drops the rest and
 * sets `truncated`), always cut on a UTF-8 character boundary.
 */
typedef struct clasconv_text {
    char *data; /* grown only by clasconv_text_append/_repeat: the
                   capacity follows from len (core/grow.h) */
    size_t len;
    size_t limit;
    int truncated;
} clasconv_text;

/** Appends bytes; fails only with MEMORY. */
clasconv_error clasconv_text_append(clasconv_text *text, const char *data,
                                    size_t len);
/** Appends `count` copies of byte `c` (within the limit). */
clasconv_error clasconv_text_repeat(clasconv_text *text, char c,
                                    uint64_t count);
/** Empties the buffer, keeping its memory. */
void clasconv_text_reset(clasconv_text *text);
/** Frees the memory. */
void clasconv_text_free(clasconv_text *text);
/** The text without a cut character at its end (NUL-terminated). */
const char *clasconv_text_str(clasconv_text *text);

/**
 * Resolves a relationship target against the directory of part `base`
 * ("xl/workbook.xml" + "worksheets/sheet1.xml" -> "xl/worksheets/sheet1.xml";
 * "/xl/x.xml" is absolute; ".." climbs). Writes into `out`; returns 0 when
 * the result does not fit or climbs above the root.
 */
int clasconv_zip_resolve(const char *base, const char *target, char *out,
                         size_t size);

/**
 * Parses a decimal number written in XML ("12", "-1.5E3"), whatever the
 * process locale. Leading/trailing blanks allowed. Returns 0 when `text` is
 * not such a number or is not finite.
 */
int clasconv_xml_number(const char *text, double *value);

/**
 * Reads the OPC package relationships part `rels` and returns the target
 * (resolved against `base`) of the first relationship whose Type ends with
 * `type_suffix`, into `out`. Returns CLASCONV_OK with `out` empty when there
 * is none or the part is missing.
 */
clasconv_error clasconv_zip_rel_target(clasconv_zip *zip, const char *rels,
                                       const char *base,
                                       const char *type_suffix, char *out,
                                       size_t size, clasconv_diag *diag);

/**
 * Sets a French message for an error returned by the grid while filling
 * `sheet` (may be NULL) and returns `err` unchanged.
 */
clasconv_error clasconv_zip_grid_failure(clasconv_diag *diag,
                                         clasconv_error err, const char *sheet);

/**
 * Records the merged range rows `r1`..`r2`, columns `c1`..`c2` of `sheet`
 * (`name` in messages); a failure of the grid gets its French message
 * (clasconv_zip_grid_failure). The caller checks the range.
 */
clasconv_error clasconv_zip_add_merge(clasconv_sheet *sheet, const char *name,
                                      uint32_t r1, uint32_t c1, uint32_t r2,
                                      uint32_t c2, clasconv_diag *diag);

/**
 * Adds the sheet of the `number`-th table nested in the cells of the table
 * named `parent` (Word and Writer tables): "PARENT.NUMBER", written into
 * `name` (`size` bytes), Word references, table `table_no`. On failure
 * `*sheet` is NULL and the error has its French message
 * (clasconv_zip_sheet_failure).
 */
clasconv_error clasconv_zip_nested_sheet(clasconv_grid *grid,
                                         const char *parent, uint32_t number,
                                         uint32_t table_no, char *name,
                                         size_t size, clasconv_sheet **sheet,
                                         clasconv_diag *diag);

/** The French message of a file with more than CLASCONV_GRID_MAX_SHEETS
 * sheets (or Word tables); returns CLASCONV_ERR_TOO_LARGE. */
clasconv_error clasconv_zip_too_many_sheets(clasconv_diag *diag);

/** clasconv_zip_grid_failure for a failed clasconv_grid_add_sheet: a full
 * grid is told as too many sheets, not as a sheet over the limits. */
clasconv_error clasconv_zip_sheet_failure(clasconv_diag *diag,
                                          clasconv_error err,
                                          const clasconv_grid *grid,
                                          const char *sheet);

#endif
