/* test_zipxml.c: the zip + XML layer, and every hostile zip fixture refused
 * fast and in little memory. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clasconv/read.h"
#include "read/zipxml.h"

#include "test_util.h"

#define FIXTURE(name) CLASCONV_FIXTURES "/zip/" name

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* --- Hostile fixtures: refused in < 1 s and < 64 MB ------------------- */

typedef struct hostile_case {
    char file[48]; /* no pointers: the cases are copied between processes */
    int reader;    /* 0 xlsx, 1 ods, 2 docx */
    clasconv_error expected;
} hostile_case;

static clasconv_error run_reader(int reader, const char *path,
                                 clasconv_diag *diag)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    clasconv_input in = {path, data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_error err;

    err = reader == 0   ? clasconv_read_xlsx(&in, grid, diag)
          : reader == 1 ? clasconv_read_ods(&in, grid, diag)
                        : clasconv_read_docx(&in, grid, diag);
    clasconv_grid_free(grid);
    free(data);
    return err;
}

static const hostile_case hostile_cases[] = {
    {"hostile-bomb.xlsx", 0, CLASCONV_ERR_TOO_LARGE},
    {"hostile-bomb-lying.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-overlap.xlsx", 0, CLASCONV_ERR_TOO_LARGE},
    {"hostile-laughs.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-xxe.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-deep.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-row-2e31.ods", 1, CLASCONV_ERR_TOO_LARGE},
    {"hostile-cell-copies.ods", 1, CLASCONV_ERR_TOO_LARGE},
    {"hostile-text-copies.ods", 1, CLASCONV_ERR_TOO_LARGE},
    {"hostile-sst-copies.xlsx", 0, CLASCONV_ERR_TOO_LARGE},
    {"hostile-truncated.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-garbage.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-garbage-cd.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-encrypted.xlsx", 0, CLASCONV_ERR_UNSUPPORTED},
    {"hostile-crc.xlsx", 0, CLASCONV_ERR_FORMAT},
    {"hostile-entries.xlsx", 0, CLASCONV_ERR_TOO_LARGE},
    /* the same archives through the other readers */
    {"hostile-bomb.xlsx", 2, CLASCONV_ERR_TOO_LARGE},
    {"hostile-overlap.xlsx", 1, CLASCONV_ERR_TOO_LARGE},
    {"hostile-encrypted.xlsx", 1, CLASCONV_ERR_UNSUPPORTED},
    {"hostile-truncated.xlsx", 2, CLASCONV_ERR_FORMAT},
    {"hostile-garbage.xlsx", 1, CLASCONV_ERR_FORMAT},
};

ParameterizedTestParameters(hostile, refused_fast_and_small)
{
    return cr_make_param_array(hostile_case, hostile_cases,
                               sizeof hostile_cases / sizeof hostile_cases[0]);
}

ParameterizedTest(const hostile_case *c, hostile, refused_fast_and_small)
{
    char path[512];
    char message[1024];
    int fds[2];
    pid_t pid;
    int status = 0;
    struct rusage usage;
    double seconds;
    ssize_t n;
    size_t got = 0;

    snprintf(path, sizeof path, "%s/zip/%s", CLASCONV_FIXTURES, c->file);
    cr_assert_eq(pipe(fds), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        clasconv_diag diag;
        clasconv_error err;
        close(fds[0]);
        diag.message[0] = '\0';
        err = run_reader(c->reader, path, &diag);
        if (write(fds[1], diag.message, strlen(diag.message)) < 0) {
            _exit(100);
        }
        close(fds[1]);
        _exit((int)err);
    }
    close(fds[1]);
    while ((n = read(fds[0], message + got, sizeof message - 1 - got)) > 0) {
        got += (size_t)n;
    }
    message[got] = '\0';
    close(fds[0]);
    cr_assert_eq(wait4(pid, &status, 0, &usage), pid);
    /* CPU time of the child: the suite runs in parallel on loaded
     * machines, where wall time says nothing about the reader. */
    seconds = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;

    cr_assert(WIFEXITED(status), "%s: reader crashed", c->file);
    cr_expect_eq(WEXITSTATUS(status), (int)c->expected,
                 "%s (reader %d): error %d, expected %d (%s)", c->file,
                 c->reader, WEXITSTATUS(status), (int)c->expected, message);
    cr_expect_lt(seconds, 1.0, "%s took %.3f s CPU", c->file, seconds);
    cr_expect_lt(usage.ru_maxrss, 64L * 1024, "%s peaked at %ld KB", c->file,
                 usage.ru_maxrss);
    if (c->expected == CLASCONV_ERR_UNSUPPORTED) {
        cr_expect(starts_with(message, "Le fichier est chiffré"), "%s",
                  message);
    } else {
        /* A zip without its central directory (cut off, or garbage after
         * "PK") is called incomplete: ask the commune for it again. */
        if (starts_with(message, "Le fichier semble incomplet")) {
            cr_expect_neq(strstr(message, "redemandez-le à la commune"), NULL);
        } else {
            cr_expect(starts_with(message, CLASCONV_ZIP_DAMAGED), "%s: %s",
                      c->file, message);
            cr_expect_neq(strstr(message, "Demandez à la commune"), NULL);
        }
    }
}

/* --- The archive layer ------------------------------------------------- */

Test(zip, open_list_read)
{
    size_t size;
    unsigned char *data = test_load(FIXTURE("good.xlsx"), &size);
    clasconv_zip *zip = NULL;
    clasconv_diag diag;
    char *part = NULL;
    size_t len = 0;

    cr_assert_eq(clasconv_zip_open(data, size, &zip, &diag), CLASCONV_OK);
    cr_assert_eq(clasconv_zip_entry_count(zip), 5);
    cr_assert_str_eq(clasconv_zip_entry_name(zip, 2), "xl/workbook.xml");
    cr_assert_null(clasconv_zip_entry_name(zip, 5));
    cr_assert(clasconv_zip_has(zip, "/XL/Workbook.xml"));
    cr_assert(clasconv_zip_has(zip, "xl\\workbook.xml"));
    cr_assert_not(clasconv_zip_has(zip, "xl/workbook.xm"));
    cr_assert_eq(
        clasconv_zip_read(zip, "xl/workbook.xml", 100000, &part, &len, &diag),
        CLASCONV_OK);
    cr_assert_eq(strlen(part), len);
    cr_assert(starts_with(part, "<?xml"));
    free(part);
    /* a cap below the part's size */
    cr_assert_eq(
        clasconv_zip_read(zip, "xl/workbook.xml", 10, &part, &len, &diag),
        CLASCONV_ERR_TOO_LARGE);
    cr_assert_null(part);
    cr_assert_eq(clasconv_zip_read(zip, "nope.xml", 10, &part, &len, &diag),
                 CLASCONV_ERR_FORMAT);
    cr_assert(strstr(diag.message, "« nope.xml » manque") != NULL, "%s",
              diag.message);
    clasconv_zip_free(zip);
    clasconv_zip_free(NULL);
    free(data);
}

Test(zip, empty_and_tiny_inputs)
{
    clasconv_zip *zip = (clasconv_zip *)1;
    clasconv_diag diag;
    static const unsigned char eocd_only[22] = {0x50, 0x4B, 0x05, 0x06};

    cr_assert_eq(clasconv_zip_open((const unsigned char *)"", 0, &zip, &diag),
                 CLASCONV_ERR_FORMAT);
    cr_assert_null(zip);
    cr_assert_eq(clasconv_zip_open((const unsigned char *)"PK", 2, &zip, &diag),
                 CLASCONV_ERR_FORMAT);
    /* minizip refuses an archive of no parts: nothing to read anyway */
    cr_assert_eq(clasconv_zip_open(eocd_only, sizeof eocd_only, &zip, &diag),
                 CLASCONV_ERR_FORMAT);
    cr_assert_null(zip);
}

Test(zip, other_zip_is_not_a_workbook)
{
    size_t size;
    unsigned char *data = test_load(FIXTURE("docx-spans.docx"), &size);
    clasconv_input in = {NULL, data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_diag diag;

    cr_assert_eq(clasconv_read_xlsx(&in, grid, &diag), CLASCONV_ERR_FORMAT);
    cr_assert(starts_with(diag.message, "Ce fichier n'est pas un classeur "
                                        "Excel"),
              "%s", diag.message);
    cr_assert_eq(clasconv_read_ods(&in, grid, &diag), CLASCONV_ERR_FORMAT);
    cr_assert(starts_with(diag.message, "Ce fichier n'est pas un classeur "
                                        "OpenDocument"),
              "%s", diag.message);
    clasconv_grid_free(grid);
    free(data);
    data = test_load(FIXTURE("good.xlsx"), &size);
    in.data = data;
    in.size = size;
    grid = clasconv_grid_new();
    cr_assert_eq(clasconv_read_docx(&in, grid, &diag), CLASCONV_ERR_FORMAT);
    cr_assert(starts_with(diag.message, "Ce fichier n'est pas un document "
                                        "Word"),
              "%s", diag.message);
    clasconv_grid_free(grid);
    free(data);
}

/* --- XML through expat ------------------------------------------------- */

typedef struct xml_log {
    char names[1024];
    char text[256];
} xml_log;

static clasconv_error log_start(void *user, const char *name,
                                const char **attrs)
{
    xml_log *log = user;
    const char *r = clasconv_xml_attr(attrs, "r");
    strcat(log->names, clasconv_xml_local(name));
    if (r != NULL) {
        strcat(log->names, "@");
        strcat(log->names, r);
    }
    strcat(log->names, " ");
    return CLASCONV_OK;
}

static clasconv_error log_text(void *user, const char *text, size_t len)
{
    xml_log *log = user;
    size_t have = strlen(log->text);
    if (have + len < sizeof log->text) {
        memcpy(log->text + have, text, len);
        log->text[have + len] = '\0';
    }
    return CLASCONV_OK;
}

static clasconv_error stop_at_c(void *user, const char *name,
                                const char **attrs)
{
    (void)user;
    (void)attrs;
    return clasconv_xml_is(name, NULL, "c") ? CLASCONV_ERR_TOO_LARGE
                                            : CLASCONV_OK;
}

Test(xml, streams_elements_and_text)
{
    size_t size;
    unsigned char *data = test_load(FIXTURE("good.xlsx"), &size);
    clasconv_zip *zip = NULL;
    clasconv_diag diag;
    xml_log log;
    clasconv_xml_handler h = {log_start, NULL, log_text, &log};

    memset(&log, 0, sizeof log);
    cr_assert_eq(clasconv_zip_open(data, size, &zip, &diag), CLASCONV_OK);
    cr_assert_eq(
        clasconv_zip_parse_xml(zip, "xl/worksheets/sheet1.xml", &h, &diag),
        CLASCONV_OK);
    cr_assert_str_eq(log.names, "worksheet sheetData row@1 c@A1 is t ");
    cr_assert_str_eq(log.text, "ok");
    /* a handler's error stops the parse and is returned */
    h.start = stop_at_c;
    cr_assert_eq(
        clasconv_zip_parse_xml(zip, "xl/worksheets/sheet1.xml", &h, &diag),
        CLASCONV_ERR_TOO_LARGE);
    clasconv_zip_free(zip);
    free(data);
}

Test(xml, doctype_refused_before_any_entity)
{
    size_t size;
    unsigned char *data = test_load(FIXTURE("hostile-laughs.xlsx"), &size);
    clasconv_zip *zip = NULL;
    clasconv_diag diag;
    xml_log log;
    clasconv_xml_handler h = {log_start, NULL, log_text, &log};

    memset(&log, 0, sizeof log);
    cr_assert_eq(clasconv_zip_open(data, size, &zip, &diag), CLASCONV_OK);
    cr_assert_eq(
        clasconv_zip_parse_xml(zip, "xl/worksheets/sheet1.xml", &h, &diag),
        CLASCONV_ERR_FORMAT);
    cr_assert_str_eq(log.names, "");
    cr_assert(strstr(diag.message, "DOCTYPE") != NULL, "%s", diag.message);
    clasconv_zip_free(zip);
    free(data);
}

Test(xml, names_and_attributes)
{
    const char *attrs[] = {
        "http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships|id",
        "rId1", "name", "Feuil1", NULL};

    cr_assert_str_eq(clasconv_xml_local("urn:x|sheet"), "sheet");
    cr_assert_str_eq(clasconv_xml_local("sheet"), "sheet");
    cr_assert(clasconv_xml_is(
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main|c",
        "spreadsheetml/2006/main", "c"));
    cr_assert(clasconv_xml_is("http://purl.oclc.org/ooxml/spreadsheetml/main|c",
                              NULL, "c"));
    cr_assert_not(
        clasconv_xml_is("urn:other|c", "spreadsheetml/2006/main", "c"));
    cr_assert_not(clasconv_xml_is("c", "main", "c"));
    cr_assert_not(clasconv_xml_is("urn:x|cc", NULL, "c"));
    cr_assert_str_eq(clasconv_xml_attr(attrs, "id"), "rId1");
    cr_assert_str_eq(clasconv_xml_attr_ns(attrs, "relationships", "id"),
                     "rId1");
    cr_assert_null(clasconv_xml_attr_ns(attrs, "main", "id"));
    cr_assert_str_eq(clasconv_xml_attr(attrs, "name"), "Feuil1");
    cr_assert_null(clasconv_xml_attr(attrs, "r"));
}

/* --- Paths, numbers, text --------------------------------------------- */

Test(paths, resolve)
{
    char out[64];

    cr_assert(clasconv_zip_resolve("xl/workbook.xml", "worksheets/s1.xml", out,
                                   sizeof out));
    cr_assert_str_eq(out, "xl/worksheets/s1.xml");
    cr_assert(clasconv_zip_resolve("xl/workbook.xml", "/xl/worksheets/s.xml",
                                   out, sizeof out));
    cr_assert_str_eq(out, "xl/worksheets/s.xml");
    cr_assert(clasconv_zip_resolve("xl/workbook.xml", "../docProps/app.xml",
                                   out, sizeof out));
    cr_assert_str_eq(out, "docProps/app.xml");
    cr_assert(clasconv_zip_resolve("", "xl/./a//b.xml", out, sizeof out));
    cr_assert_str_eq(out, "xl/a/b.xml");
    cr_assert(
        clasconv_zip_resolve("xl/workbook.xml", "a\\b.xml", out, sizeof out));
    cr_assert_str_eq(out, "xl/a/b.xml");
    cr_assert_not(
        clasconv_zip_resolve("xl/w.xml", "../../etc/passwd", out, sizeof out));
    cr_assert_not(clasconv_zip_resolve("xl/w.xml", "", out, sizeof out));
    cr_assert_not(clasconv_zip_resolve("xl/workbook.xml",
                                       "worksheets/a-very-long-name-that-"
                                       "does-not-fit-in-the-buffer.xml",
                                       out, 32));
}

Test(numbers, parse_in_any_locale)
{
    double v = -1;

    cr_assert(clasconv_xml_number("12", &v));
    cr_assert_eq(v, 12.0);
    cr_assert(clasconv_xml_number(" -1.5E2 ", &v));
    cr_assert_eq(v, -150.0);
    cr_assert(clasconv_xml_number("0.1", &v));
    cr_assert_eq(v, 0.1);
    cr_assert(clasconv_xml_number("35850", &v));
    cr_assert_eq(v, 35850.0);
    cr_assert(clasconv_xml_number("3.0000000000000004", &v));
    cr_assert_eq(v, 3.0000000000000004);
    cr_assert(clasconv_xml_number("1e-30", &v));
    cr_assert_eq(v, 1e-30);
    cr_assert(clasconv_xml_number(".5", &v));
    cr_assert_eq(v, 0.5);
    cr_assert(clasconv_xml_number("+7.", &v));
    cr_assert_eq(v, 7.0);
    cr_assert_not(clasconv_xml_number("12,5", &v));
    cr_assert_not(clasconv_xml_number("", &v));
    cr_assert_not(clasconv_xml_number("-", &v));
    cr_assert_not(clasconv_xml_number("1e", &v));
    cr_assert_not(clasconv_xml_number("NaN", &v));
    cr_assert_not(clasconv_xml_number("inf", &v));
    cr_assert_not(clasconv_xml_number("1e999", &v));
    cr_assert_not(clasconv_xml_number("0x10", &v));
}

Test(text, capped_on_a_character_boundary)
{
    clasconv_text t;

    memset(&t, 0, sizeof t);
    t.limit = 5;
    cr_assert_str_eq(clasconv_text_str(&t), "");
    cr_assert_eq(clasconv_text_append(&t, "abc", 3), CLASCONV_OK);
    cr_assert_eq(clasconv_text_append(&t, "\xC3\xA9\xC3\xA9", 4),
                 CLASCONV_OK); /* éé: the second é is cut */
    cr_assert(t.truncated);
    cr_assert_str_eq(clasconv_text_str(&t), "abc\xC3\xA9");
    clasconv_text_reset(&t);
    cr_assert_eq(clasconv_text_append(&t, "abcd", 4), CLASCONV_OK);
    cr_assert_eq(clasconv_text_append(&t, "\xE2\x80\xA6", 3), CLASCONV_OK);
    cr_assert_str_eq(clasconv_text_str(&t), "abcd");
    clasconv_text_reset(&t);
    cr_assert_eq(clasconv_text_repeat(&t, ' ', (uint64_t)1 << 40), CLASCONV_OK);
    cr_assert_eq(t.len, 5);
    cr_assert_str_eq(clasconv_text_str(&t), "     ");
    clasconv_text_free(&t);
}
