/* test_html_read.c: the HTML reader (web pages' tables) on hand-written
 * pages: placement under spans, nesting, text, encodings, limits. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/anomaly.h"
#include "clasconv/read.h"

#include "test_util.h"

static clasconv_error read_bytes(const char *data, size_t size,
                                 clasconv_grid **grid, clasconv_diag *diag)
{
    clasconv_input in = {"page.html", (const unsigned char *)data, size};

    *grid = clasconv_grid_new();
    cr_assert_not_null(*grid);
    diag->message[0] = '\0';
    return clasconv_read(CLASCONV_FORMAT_HTML, &in, *grid, diag);
}

static clasconv_grid *read_page(const char *html)
{
    clasconv_grid *grid;
    clasconv_diag diag;
    clasconv_error err = read_bytes(html, strlen(html), &grid, &diag);

    cr_assert_eq(err, CLASCONV_OK, "%s", diag.message);
    return grid;
}

static int has_note(const clasconv_grid *grid, int code)
{
    for (size_t i = 0; i < clasconv_grid_note_count(grid); i++) {
        int c;
        const char *cell, *message;
        clasconv_grid_note(grid, i, &c, &cell, &message);
        if (c == code) {
            return 1;
        }
    }
    return 0;
}

Test(html_read, sniffed_and_readable)
{
    static const char page[] = "<!DOCTYPE html><html><body><table><tr><td>a"
                               "</td></tr></table></body></html>";

    cr_expect_eq(clasconv_sniff((const unsigned char *)page, strlen(page)),
                 CLASCONV_FORMAT_HTML);
    cr_expect_eq(clasconv_format_readable(CLASCONV_FORMAT_HTML), 1);
    cr_expect_str_eq(clasconv_format_name(CLASCONV_FORMAT_HTML), "html");
}

Test(html_read, cells_and_references)
{
    clasconv_grid *grid =
        read_page("<html><body><table>"
                  "<tr><th>Etablissement</th><th>CLAS</th></tr>"
                  "<tr><td>Coll\xC3\xA8ge Jean Moulin</td><td> 12 </td></tr>"
                  "</table></body></html>");
    const clasconv_sheet *s;
    char ref[64];

    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    cr_expect_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_WORD);
    expect_text(s, 0, 0, "Etablissement", 0);
    expect_text(s, 1, 0, "Coll\xC3\xA8ge Jean Moulin", 0);
    expect_text(s, 1, 1, "12", 0);
    clasconv_sheet_ref(s, 1, 1, ref, sizeof ref);
    cr_expect_str_eq(ref, "tableau 1, ligne 2, colonne 2");
    clasconv_grid_free(grid);
}

/* The HTML table model: a cell goes to the first column its row does not
 * have covered by a rowspan from above; spans are merges. */
Test(html_read, rowspan_and_colspan_place_cells)
{
    clasconv_grid *grid =
        read_page("<table>"
                  "<tr><td rowspan=2>A</td><td colspan=2>PRE</td>"
                  "<td rowspan=\"2\">E</td></tr>"
                  "<tr><td>Total</td><td>dont QPV</td></tr>"
                  "<tr><td>x</td><td>1</td><td>2</td><td>3</td></tr>"
                  "</table>");
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);
    const clasconv_merge *m;

    expect_text(s, 0, 0, "A", 0);
    expect_text(s, 0, 1, "PRE", 0);
    expect_text(s, 0, 3, "E", 0);
    expect_text(s, 1, 1, "Total", 0);
    expect_text(s, 1, 2, "dont QPV", 0);
    cr_expect_null(clasconv_sheet_get(s, 1, 0));
    cr_expect_null(clasconv_sheet_get(s, 1, 3));
    expect_text(s, 2, 0, "x", 0);
    expect_text(s, 2, 3, "3", 0);
    cr_expect_eq(clasconv_sheet_merge_count(s), 3);
    m = clasconv_sheet_merge_at(s, 1, 0);
    cr_assert_not_null(m);
    cr_expect_eq(m->first_row, 0);
    cr_expect_eq(m->last_row, 1);
    m = clasconv_sheet_merge_at(s, 0, 2);
    cr_assert_not_null(m);
    cr_expect_eq(m->first_col, 1);
    cr_expect_eq(m->last_col, 2);
    clasconv_grid_free(grid);
}

/* Old tools write no </td> nor </tr>: libxml2 closes them as browsers. */
Test(html_read, unclosed_cells)
{
    clasconv_grid *grid = read_page("<table><tr><td>a<td>b<tr><td>c<td>d"
                                    "</table>");
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);

    expect_text(s, 0, 0, "a", 0);
    expect_text(s, 0, 1, "b", 0);
    expect_text(s, 1, 0, "c", 0);
    expect_text(s, 1, 1, "d", 0);
    clasconv_grid_free(grid);
}

Test(html_read, text_as_a_browser_shows_it)
{
    clasconv_grid *grid =
        read_page("<html><head><title>t</title><style>td{x:1}</style>"
                  "<script>var s = '<td>no</td>';</script></head><body>"
                  "<table><tr><td>\n  \xC3\x89"
                  "cole   Jean\n\tMoulin  </td>"
                  "<td>&Eacute;cole<br>Victor&nbsp;Hugo</td>"
                  "<td><p>un</p><p>deux</p></td>"
                  "<td>&#49;2</td></tr></table></body></html>");
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);

    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    expect_text(s, 0, 0,
                "\xC3\x89"
                "cole Jean Moulin",
                0);
    expect_text(s, 0, 1,
                "\xC3\x89"
                "cole\nVictor\xC2\xA0Hugo",
                0);
    expect_text(s, 0, 2, "un\ndeux", 0);
    expect_text(s, 0, 3, "12", 0);
    clasconv_grid_free(grid);
}

/* A table in a cell of a layout table is a sheet of its own; the layout
 * cell keeps only its own text. */
Test(html_read, nested_tables)
{
    clasconv_grid *grid =
        read_page("<table><tr><td>Mairie</td><td>avant"
                  "<table><tr><td>Etablissement</td><td>CLAS</td></tr>"
                  "<tr><td>Ecole A</td><td>4</td></tr></table>"
                  "</td></tr></table>"
                  "<table><tr><td>deuxieme</td></tr></table>");
    const clasconv_sheet *s;
    char ref[64];

    cr_assert_eq(clasconv_grid_sheet_count(grid), 3);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    expect_text(s, 0, 0, "Mairie", 0);
    expect_text(s, 0, 1, "avant", 0);
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1");
    cr_expect_eq(clasconv_sheet_table_no(s), 1);
    expect_text(s, 1, 1, "4", 0);
    clasconv_sheet_ref(s, 1, 1, ref, sizeof ref);
    cr_expect_str_eq(ref, "tableau 1.1, ligne 2, colonne 2");
    s = clasconv_grid_sheet(grid, 2);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 2");
    clasconv_grid_free(grid);
}

/* Past eight levels, a table's cells join its cell's text. */
Test(html_read, deep_nesting_flattened)
{
    char page[4096] = "";
    size_t n = 0;

    for (int i = 0; i < 12; i++) {
        n += (size_t)snprintf(page + n, sizeof page - n, "<table><tr><td>t%d",
                              i);
    }
    for (int i = 0; i < 12; i++) {
        n += (size_t)snprintf(page + n, sizeof page - n, "</td></tr></table>");
    }
    clasconv_grid *grid = read_page(page);
    const clasconv_sheet *s;

    cr_assert_eq(clasconv_grid_sheet_count(grid), 8);
    s = clasconv_grid_sheet(grid, 7);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1.1.1.1.1.1.1");
    expect_text(s, 0, 0, "t7\nt8\nt9\nt10\nt11", 0);
    clasconv_grid_free(grid);
}

/* No charset and bytes that are not UTF-8: Windows-1252, said. */
Test(html_read, windows_1252_assumed)
{
    clasconv_grid *grid = read_page("<table><tr><td>Coll\xE8ge Fran\xE7oise "
                                    "Dolto \x96 annexe</td></tr></table>");
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);
    int assumed = 0;

    expect_text(s, 0, 0,
                "Coll\xC3\xA8ge Fran\xC3\xA7oise Dolto \xE2\x80\x93 annexe", 0);
    cr_expect(has_note(grid, CLASCONV_A_ENCODING_ASSUMED));
    cr_expect_str_eq(clasconv_grid_encoding(grid, &assumed), "Windows-1252");
    clasconv_grid_free(grid);
}

/* A declared charset is followed; the page's own meta cannot switch it
 * again half-way. */
Test(html_read, declared_charset)
{
    clasconv_grid *grid =
        read_page("<html><head><meta http-equiv=\"Content-Type\" "
                  "content=\"text/html; charset=ISO-8859-15\"></head><body>"
                  "<table><tr><td>\xA4 \xE9t\xE9</td></tr></table>");
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);
    int assumed = 1;

    expect_text(s, 0, 0, "\xE2\x82\xAC \xC3\xA9t\xC3\xA9", 0);
    cr_expect_not(has_note(grid, CLASCONV_A_ENCODING_ASSUMED));
    cr_expect_str_eq(clasconv_grid_encoding(grid, &assumed), "iso-8859-15");
    clasconv_grid_free(grid);
}

Test(html_read, utf16_with_bom)
{
    static const char page[] = "<table><tr><td>\xC3\xA9t\xC3\xA9</td></tr>"
                               "</table>";
    char wide[256];
    size_t n = 0;
    clasconv_grid *grid;
    clasconv_diag diag;

    wide[n++] = (char)0xFF;
    wide[n++] = (char)0xFE;
    for (size_t i = 0; page[i] != '\0'; i++) {
        unsigned c = (unsigned char)page[i];
        if (c == 0xC3) { /* the two accented letters: é = U+00E9 */
            wide[n++] = (char)(0x40 + (unsigned char)page[++i]);
            wide[n++] = 0;
            continue;
        }
        wide[n++] = (char)c;
        wide[n++] = 0;
    }
    cr_assert_eq(read_bytes(wide, n, &grid, &diag), CLASCONV_OK, "%s",
                 diag.message);
    expect_text(clasconv_grid_sheet(grid, 0), 0, 0, "\xC3\xA9t\xC3\xA9", 0);
    clasconv_grid_free(grid);
}

/* The form's fields above the table are read (the commune). */
Test(html_read, form_fields_outside_tables)
{
    clasconv_grid *grid =
        read_page("<body><h1>Dispositifs 2026</h1>"
                  "<p>Territoire de : Saint-Genis-Laval</p>"
                  "<table><tr><td>a</td></tr></table></body>");
    const char *k, *v;
    int found = 0;

    for (size_t i = 0; i < clasconv_grid_meta_count(grid); i++) {
        clasconv_grid_meta(grid, i, &k, &v);
        if (strcmp(k, "Territoire") == 0) {
            cr_expect_str_eq(v, "Saint-Genis-Laval");
            found = 1;
        }
    }
    cr_expect(found);
    clasconv_grid_free(grid);
}

Test(html_read, page_without_table_refused)
{
    static const char page[] = "<html><body><h1>Session expir\xC3\xA9"
                               "e</h1></body></html>";
    clasconv_grid *grid;
    clasconv_diag diag;

    cr_expect_eq(read_bytes(page, strlen(page), &grid, &diag),
                 CLASCONV_ERR_FORMAT);
    cr_expect(strstr(diag.message, "aucun tableau") != NULL, "%s",
              diag.message);
    clasconv_grid_free(grid);
}

/* Hostile spans: a rowspan covering every column for 65,534 rows, then
 * rows of cells that must each step over it: bounded, refused in French. */
Test(html_read, hostile_spans_bounded)
{
    size_t cap = 4u << 20, n = 0;
    char *page = malloc(cap);
    clasconv_grid *grid;
    clasconv_diag diag;
    clasconv_error err;

    cr_assert_not_null(page);
    n += (size_t)snprintf(page + n, cap - n, "<table><tr>");
    for (int i = 0; i < 16; i++) {
        n += (size_t)snprintf(page + n, cap - n,
                              "<td colspan=1000 rowspan=65534>x</td>");
    }
    while (n + 16 < cap) {
        memcpy(page + n, "<tr><td>1</td>", 14);
        n += 14;
    }
    err = read_bytes(page, n, &grid, &diag);
    cr_expect(err == CLASCONV_ERR_TOO_LARGE, "error %d", (int)err);
    cr_expect(strstr(diag.message, "trop") != NULL, "%s", diag.message);
    clasconv_grid_free(grid);
    free(page);
}

Test(html_read, too_many_cells_refused)
{
    size_t count = 1000001, n = 0;
    char *page = malloc(count * 4 + 64);
    clasconv_grid *grid;
    clasconv_diag diag;

    cr_assert_not_null(page);
    n += (size_t)sprintf(page, "<table><tr>");
    for (size_t i = 0; i < count; i++) {
        memcpy(page + n, "<td>", 4);
        n += 4;
    }
    cr_expect_eq(read_bytes(page, n, &grid, &diag), CLASCONV_ERR_TOO_LARGE);
    cr_expect(strstr(diag.message, "cellules") != NULL, "%s", diag.message);
    clasconv_grid_free(grid);
    free(page);
}

/* Broken markup never fails the read of what is there. */
Test(html_read, broken_markup)
{
    clasconv_grid *grid =
        read_page("<table><tr><td>a</td></tr><tr><td>b<b><i></td>"
                  "</table></table></tr><td>c<!-- <td>x --><![CDATA[ y ]]>");
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);

    expect_text(s, 0, 0, "a", 0);
    expect_text(s, 1, 0, "b", 0);
    clasconv_grid_free(grid);
}
