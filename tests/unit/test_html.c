/* test_html.c: the self-contained HTML check report (clasconv_render_html). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"
#include "core/text.h"

/* Counts the non-overlapping occurrences of `needle` in `hay` (a plain
 * loop: ASan's strstr re-measures the haystack on every call). */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle), i, size = strlen(hay);

    for (i = 0; i + len <= size;) {
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, len)) {
            n++;
            i += len;
        } else {
            i++;
        }
    }
    return n;
}

static clasconv_school *add_school(clasconv_table *t, clasconv_level level,
                                   const char *name, const char *cell)
{
    clasconv_school *s =
        clasconv_table_add_school(t, level, name, "", name, cell);
    int i;

    cr_assert_not_null(s);
    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        s->counts[i] = CLASCONV_BLANK;
    return s;
}

static void add_anomaly(clasconv_table *t, clasconv_anomaly_code code,
                        clasconv_level level, clasconv_scheme scheme,
                        const char *school, const char *cell, const char *read,
                        const char *message)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    at.level = level;
    at.scheme = scheme;
    at.school = school;
    at.cell = cell;
    at.read = read;
    at.kept = read ? "" : NULL;
    cr_assert_eq(
        clasconv_anomalies_add(&t->anomalies, code, &at, "%s", message),
        CLASCONV_OK);
}

#define EVIL_NAME "École <script>alert(\"x\")</script> & 'Co'"

/* A table with one problem of each placement: school cells, a name cell, a
 * level total, the file, two anomalies on one cell, and a duplicate. */
static clasconv_table *problem_table(void)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_school *s;

    cr_assert_not_null(t);
    clasconv_table_set_string(&t->file_name, "bron <v1>.csv");
    clasconv_table_set_string(&t->format, "csv");
    clasconv_table_set_string(&t->commune, "Bron");
    s = add_school(t, CLASCONV_LEVEL_ELEMENTAIRE, EVIL_NAME, "Feuil1!A13");
    s->counts[CLASCONV_SCHEME_ECOLE_OUVERTE] = 0;
    s->counts[CLASCONV_SCHEME_CLAS] = 10;
    s->counts[CLASCONV_SCHEME_CLAS_QPV] = 4;
    s = add_school(t, CLASCONV_LEVEL_ELEMENTAIRE, "École élémentaire Ferry",
                   "Feuil1!A14");
    s->counts[CLASCONV_SCHEME_CLAS] = 3;
    s->counts[CLASCONV_SCHEME_CLAS_QPV] = 7;
    s = add_school(t, CLASCONV_LEVEL_ELEMENTAIRE, "École élémentaire Ferry",
                   "Feuil1!A15");
    s->counts[CLASCONV_SCHEME_ETUDE] = 5;
    s = add_school(t, CLASCONV_LEVEL_ELEMENTAIRE, "Collège Alain",
                   "Feuil1!A16");
    s->counts[CLASCONV_SCHEME_PRE] = 4;
    s = add_school(t, CLASCONV_LEVEL_COLLEGE, "Collège Jean Moulin",
                   "Feuil1!A20");
    s->counts[CLASCONV_SCHEME_CLAS] = 12;
    t->totals[CLASCONV_LEVEL_ELEMENTAIRE].schools = 4;
    t->totals[CLASCONV_LEVEL_COLLEGE].schools = 1;
    t->totals[CLASCONV_LEVEL_COUNT].schools = 5;

    /* 1-2: two anomalies on the evil school's Étude cell. */
    add_anomaly(t, CLASCONV_A_VALUE_NOT_A_NUMBER, CLASCONV_LEVEL_ELEMENTAIRE,
                CLASCONV_SCHEME_ETUDE, EVIL_NAME, "Feuil1!B13", "NC",
                "« NC » n'est pas un nombre d'enfants <b>");
    add_anomaly(t, CLASCONV_A_VALUE_NOT_INTEGER, CLASCONV_LEVEL_ELEMENTAIRE,
                CLASCONV_SCHEME_ETUDE, EVIL_NAME, "Feuil1!B13", NULL,
                "second message on the same cell");
    /* 3: the second of two same-named schools, told apart by its row. */
    add_anomaly(t, CLASCONV_A_QPV_EXCEEDS_TOTAL, CLASCONV_LEVEL_ELEMENTAIRE,
                CLASCONV_SCHEME_CLAS_QPV, "École élémentaire Ferry",
                "Feuil1!I15", NULL, "dont QPV > CLAS");
    /* 4: no scheme: the name cell. */
    add_anomaly(t, CLASCONV_A_LEVEL_CONFLICT, CLASCONV_LEVEL_ELEMENTAIRE,
                CLASCONV_SCHEME_NONE, "Collège Alain", "Feuil1!A16", NULL,
                "Collège sous NIVEAU ELEMENTAIRE");
    /* 5: a level total. */
    add_anomaly(t, CLASCONV_A_TOTAL_MISMATCH, CLASCONV_LEVEL_COLLEGE,
                CLASCONV_SCHEME_CLAS, NULL, "Feuil1!H22", "13",
                "TOTAL COLLEGE déclaré 13, somme 12");
    /* 6-7: the file. */
    add_anomaly(t, CLASCONV_A_COLUMN_MISSING, CLASCONV_LEVEL_NONE,
                CLASCONV_SCHEME_STAGE_REUSSITE, NULL, NULL, NULL,
                "Colonne « Stage de réussite » absente");
    add_anomaly(t, CLASCONV_A_ENCODING_ASSUMED, CLASCONV_LEVEL_NONE,
                CLASCONV_SCHEME_NONE, NULL, NULL, NULL, "Lu en Windows-1252");
    /* 8: an info on a school cell. */
    add_anomaly(t, CLASCONV_A_VALUE_READ_AS_ZERO, CLASCONV_LEVEL_ELEMENTAIRE,
                CLASCONV_SCHEME_ECOLE_OUVERTE, EVIL_NAME, "Feuil1!C13", "-",
                "« - » lu comme 0");
    /* 9: a school name found by the row of its cell only. */
    add_anomaly(t, CLASCONV_A_QPV_MISSING, CLASCONV_LEVEL_COLLEGE,
                CLASCONV_SCHEME_CLAS_QPV, NULL, "Feuil1!I20", NULL,
                "CLAS sans dont QPV");
    return t;
}

static char *render(const clasconv_table *t)
{
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_render_html(t, &out), CLASCONV_OK);
    cr_assert_not_null(out.data);
    return clasconv_buf_detach(&out);
}

Test(html, verdict_counts_errors_and_warnings)
{
    clasconv_table *t = problem_table();
    char verdict[256];

    clasconv_html_verdict(t, verdict, sizeof verdict);
    cr_assert_str_eq(verdict, "3 erreurs à corriger avant l'envoi (et 4 "
                              "avertissements à vérifier)");
    clasconv_table_free(t);
}

Test(html, verdict_singular_and_clean)
{
    clasconv_table *t = clasconv_table_new();
    char verdict[256];

    clasconv_html_verdict(t, verdict, sizeof verdict);
    cr_assert_str_eq(verdict, "Aucune erreur : le tableau peut être envoyé");
    add_anomaly(t, CLASCONV_A_SCHOOL_DUPLICATE, CLASCONV_LEVEL_COLLEGE,
                CLASCONV_SCHEME_NONE, "Collège A", NULL, NULL, "doublon");
    clasconv_html_verdict(t, verdict, sizeof verdict);
    cr_assert_str_eq(
        verdict, "Aucune erreur : 1 avertissement à vérifier avant l'envoi");
    add_anomaly(t, CLASCONV_A_VALUE_NEGATIVE, CLASCONV_LEVEL_COLLEGE,
                CLASCONV_SCHEME_ETUDE, "Collège A", NULL, "-1", "négatif");
    clasconv_html_verdict(t, verdict, sizeof verdict);
    cr_assert_str_eq(verdict, "1 erreur à corriger avant l'envoi (et 1 "
                              "avertissement à vérifier)");
    clasconv_table_free(t);
}

Test(html, verdict_is_first_in_body)
{
    clasconv_table *t = problem_table();
    char *html = render(t);
    const char *body = strstr(html, "<body>");

    cr_assert_not_null(body);
    cr_assert(strstr(body, "<body><header><p id=\"verdict\" class=\"verdict "
                           "v-err\">3 erreurs à corriger avant l&#39;envoi "
                           "(et 4 avertissements à vérifier)</p>") == body);
    free(html);
    clasconv_table_free(t);
}

Test(html, highlights_one_cell_per_placed_location)
{
    clasconv_table *t = problem_table();
    char *html = render(t);

    /* Étude of the evil school (2 anomalies, 1 cell), its École ouverte,
     * the second Ferry's CLAS dont QPV, Collège Alain's name, Moulin's
     * CLAS dont QPV, and the Collège CLAS total: 6 cells. */
    cr_assert_eq(count_of(html, " pb pb-"), 6);
    cr_assert_eq(count_of(html, "class=\"num pb pb-erreur\""), 2);
    cr_assert_eq(count_of(html, "class=\"num pb pb-avertissement\""), 2);
    cr_assert_eq(count_of(html, "class=\"num pb pb-info\""), 1);
    cr_assert_eq(count_of(html, "class=\"name pb pb-avertissement\""), 1);
    /* Both anomalies of the shared cell are in its tooltip and its links. */
    cr_assert_not_null(strstr(html, "title=\"1. erreur : « NC » n&#39;est "
                                    "pas un nombre d&#39;enfants &lt;b&gt;"
                                    "&#10;2. erreur : second message on "
                                    "the same cell\">"));
    cr_assert_not_null(
        strstr(html, "<span class=\"lu\">NC</span><a class=\"ref\" "
                     "href=\"#a1\">1</a><a class=\"ref\" href=\"#a2\">2</a>"));
    free(html);
    clasconv_table_free(t);
}

Test(html, duplicate_names_told_apart_by_row)
{
    clasconv_table *t = problem_table();
    char *html = render(t);
    const char *first = strstr(html, ">École élémentaire Ferry<");
    const char *second, *end;
    char *region;

    cr_assert_not_null(first);
    second = strstr(first + 1, ">École élémentaire Ferry<");
    cr_assert_not_null(second);
    /* The first Ferry row has no highlighted cell; the second has one. */
    region = strndup(first, (size_t)(second - first));
    cr_assert_not_null(region);
    cr_assert_null(strstr(region, " pb pb-"));
    free(region);
    end = strstr(second, "</tr>");
    cr_assert_not_null(end);
    cr_assert_not_null(strstr(second, "href=\"#a3\""));
    cr_assert(strstr(second, "href=\"#a3\"") < end);
    free(html);
    clasconv_table_free(t);
}

Test(html, file_level_anomalies_listed_at_top)
{
    clasconv_table *t = problem_table();
    char *html = render(t);
    const char *top = strstr(html, "<section id=\"fichier\">");
    const char *levels = strstr(html, "<section class=\"level\"");

    cr_assert_not_null(top);
    cr_assert_not_null(levels);
    cr_assert(top < levels);
    cr_assert_not_null(strstr(top, "<code>COLUMN_MISSING</code>"));
    cr_assert(strstr(top, "<code>COLUMN_MISSING</code>") < levels);
    cr_assert(strstr(top, "<code>ENCODING_ASSUMED</code>") < levels);
    /* The full list below has all nine, numbered as the links. */
    cr_assert_eq(count_of(html, "<li id=\"a"), 9);
    cr_assert_eq(count_of(html, "<li id=\"f"), 2);
    cr_assert_not_null(strstr(html, "<li id=\"a9\" class=\"sev-avertissement"));
    free(html);
    clasconv_table_free(t);
}

Test(html, escapes_untrusted_text)
{
    clasconv_table *t = problem_table();
    char *html = render(t);

    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<b>"));
    cr_assert_not_null(strstr(html, "École &lt;script&gt;alert(&quot;x&quot;)"
                                    "&lt;/script&gt; &amp; &#39;Co&#39;"));
    cr_assert_not_null(strstr(html, "<title>Vérification du tableau CLAS – "
                                    "bron &lt;v1&gt;.csv</title>"));
    free(html);
    clasconv_table_free(t);
}

Test(html, self_contained)
{
    clasconv_table *t = problem_table();
    char *html = render(t);

    cr_assert_null(strstr(html, "http:"));
    cr_assert_null(strstr(html, "https:"));
    cr_assert_null(strstr(html, "src="));
    cr_assert_null(strstr(html, "<link"));
    cr_assert_null(strstr(html, "@import"));
    cr_assert_null(strstr(html, "url("));
    cr_assert_not_null(strstr(html, "<meta charset=\"utf-8\">"));
    cr_assert_not_null(strstr(html, "name=\"viewport\""));
    cr_assert_not_null(strstr(html, "@media print"));
    cr_assert_eq(strncmp(html, "<!DOCTYPE html>\n", 16), 0);
    cr_assert_eq(count_of(html, "</html>"), 1);
    free(html);
    clasconv_table_free(t);
}

Test(html, invalid_utf8_and_controls_sanitized)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_school *s;
    char *html;

    s = add_school(t, CLASCONV_LEVEL_LYCEE, "Lyc\xE9\x01 \xFF<x>", "A1");
    s->counts[CLASCONV_SCHEME_ETUDE] = 1234567;
    t->totals[CLASCONV_LEVEL_LYCEE].schools = 1;
    html = render(t);
    cr_assert(clasconv_utf8_valid(html, strlen(html)));
    cr_assert_not_null(strstr(html, "Lyc\xEF\xBF\xBD  \xEF\xBF\xBD&lt;x&gt;"));
    cr_assert_not_null(strstr(html, "<td class=\"num\">1234567</td>"));
    cr_assert_null(strstr(html, "\x01"));
    free(html);
    clasconv_table_free(t);
}

Test(html, level_tables_and_totals)
{
    clasconv_table *t = problem_table();
    char *html;

    t->totals[CLASCONV_LEVEL_COLLEGE].counts[CLASCONV_SCHEME_CLAS] = 12;
    t->totals[CLASCONV_LEVEL_COUNT].counts[CLASCONV_SCHEME_CLAS] = 25;
    html = render(t);
    cr_assert_eq(count_of(html, "<section class=\"level\""), 3);
    cr_assert_not_null(strstr(html, "id=\"niveau-ELEMENTAIRE\"><h2>Élémentaire"
                                    " <span class=\"meta\">(4 "
                                    "établissements)</span>"));
    cr_assert_not_null(strstr(html, "id=\"niveau-LYCEE\"><h2>Lycée <span "
                                    "class=\"meta\">(0 établissement)</span>"));
    cr_assert_not_null(strstr(html, "Aucun établissement à ce niveau."));
    cr_assert_not_null(strstr(html, "<td class=\"name\">Total Collège</td>"));
    /* Totaux: the grand total row shows 5 schools and 25 CLAS. */
    cr_assert_not_null(strstr(html, "<tr class=\"all\"><td class=\"name\">"
                                    "Total</td><td class=\"num\">5</td>"));
    cr_assert_eq(count_of(html, "<td class=\"num\">25</td>"), 1);
    free(html);
    clasconv_table_free(t);
}

Test(html, unreadable_file_shows_only_the_problem)
{
    clasconv_table *t = clasconv_table_new();
    char *html;

    clasconv_table_set_string(&t->file_name, "x.xls");
    add_anomaly(t, CLASCONV_A_FILE_UNREADABLE, CLASCONV_LEVEL_NONE,
                CLASCONV_SCHEME_NONE, NULL, NULL, NULL,
                "Ce fichier est une page web");
    html = render(t);
    cr_assert_null(strstr(html, "<section class=\"level\""));
    cr_assert_null(strstr(html, "id=\"totaux\""));
    cr_assert_not_null(strstr(html, "<section id=\"fichier\">"));
    cr_assert_not_null(strstr(html, "1 erreur à corriger avant l&#39;envoi"));
    cr_assert_eq(count_of(html, " pb pb-"), 0);
    free(html);
    clasconv_table_free(t);
}

Test(html, write_html_atomically)
{
    char dir[] = "/tmp/clasconv-html-XXXXXX";
    char path[256], bad[300];
    clasconv_table *t = problem_table();
    clasconv_diag diag;
    struct stat st;
    FILE *f;
    char head[16] = "";

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/rapport.html", dir);
    cr_assert_eq(clasconv_write_html(t, path, &diag), CLASCONV_OK);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_gt(st.st_size, 1000);
    f = fopen(path, "rb");
    cr_assert_not_null(f);
    cr_assert_eq(fread(head, 1, 15, f), 15);
    fclose(f);
    cr_assert_str_eq(head, "<!DOCTYPE html>");
    snprintf(bad, sizeof bad, "%s/absent/rapport.html", dir);
    cr_assert_eq(clasconv_write_html(t, bad, &diag), CLASCONV_ERR_WRITE);
    cr_assert_not_null(strstr(diag.message, "absent"));
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(rmdir(dir), 0); /* no temporary file was left behind */
    clasconv_table_free(t);
}

/* Lookups stay fast on a huge hostile table: many schools with the same
 * name, one anomaly per school up to the per-code limit. */
Test(html, many_schools_and_anomalies)
{
    clasconv_table *t = clasconv_table_new();
    enum { N = 20000 };
    char cell[32];
    char *html;
    int i;

    for (i = 0; i < N; i++) {
        snprintf(cell, sizeof cell, "F!A%d", i + 1);
        add_school(t, CLASCONV_LEVEL_COLLEGE,
                   i % 2 ? "Collège Jean Moulin" : "Collège Alain", cell);
    }
    t->totals[CLASCONV_LEVEL_COLLEGE].schools = N;
    for (i = 0; i < N; i++) {
        snprintf(cell, sizeof cell, "F!C%d", i + 1);
        add_anomaly(t, CLASCONV_A_VALUE_NOT_A_NUMBER, CLASCONV_LEVEL_COLLEGE,
                    CLASCONV_SCHEME_ECOLE_OUVERTE,
                    i % 2 ? "Collège Jean Moulin" : "Collège Alain", cell, "NC",
                    "NC");
    }
    html = render(t);
    /* the first CLASCONV_ANOMALIES_PER_CODE are marked, one message
     * counts the others */
    cr_assert_eq(count_of(html, "class=\"num pb pb-erreur\""),
                 CLASCONV_ANOMALIES_PER_CODE);
    cr_assert_not_null(strstr(html, "et 19800 autres cellules"));
    /* that summary belongs to no row: it is among the whole file's */
    cr_assert_not_null(strstr(html, "<section id=\"fichier\">"));
    free(html);
    clasconv_table_free(t);
}

/* Schools without a level get their own section, so none is hidden. */
Test(html, unknown_level_section)
{
    clasconv_table *t = problem_table();
    char *html;
    const char *sec;

    add_school(t, CLASCONV_LEVEL_NONE, "Jules Verne", "Feuil1!A30")
        ->counts[CLASCONV_SCHEME_CLAS] = 7;
    add_anomaly(t, CLASCONV_A_LEVEL_UNKNOWN, CLASCONV_LEVEL_NONE,
                CLASCONV_SCHEME_NONE, "Jules Verne", "Feuil1!A30", NULL,
                "niveau inconnu");
    clasconv_table_totals(t, t->totals);
    html = render(t);
    sec = strstr(html, "<section class=\"level\" id=\"niveau-INCONNU\"><h2>"
                       "Niveau inconnu <span class=\"meta\">(1 "
                       "établissement)</span>");
    cr_assert_not_null(sec);
    cr_assert_not_null(strstr(sec, "<td class=\"name pb pb-erreur\" title=\"10."
                                   " erreur : niveau inconnu\">Jules Verne"));
    cr_assert_not_null(strstr(sec, "<td class=\"name\">Total niveau inconnu"
                                   "</td><td class=\"num\">0</td>"));
    cr_assert_eq(count_of(html, "<section class=\"level\""), 4);
    /* CLAS, then CLAS dont QPV and Autre, end the unknown level's total. */
    cr_assert_not_null(strstr(sec,
                              "<td class=\"num\">7</td><td class=\"num\">0"
                              "</td><td class=\"num\">0</td></tr></tfoot>"));
    free(html);
    clasconv_table_free(t);
}

/* Issue 16: the UAI under the school's name, with the annuaire's name when
 * it differs (escaped like every text), and nothing for a school without
 * one. */
Test(html, uai_and_annuaire_name_under_the_school)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_school *s;
    char *html;

    cr_assert_not_null(t);
    clasconv_table_set_string(&t->commune, "Bron");
    s = add_school(t, CLASCONV_LEVEL_ELEMENTAIRE, "EE J. Ferry", "A5");
    clasconv_table_set_string(&s->uai, "0691234A");
    clasconv_table_set_string(&s->official_name, "École <Jules> Ferry");
    s = add_school(t, CLASCONV_LEVEL_COLLEGE, "Collège Ampère", "A9");
    clasconv_table_set_string(&s->uai, "0690001B");
    clasconv_table_set_string(&s->official_name, "COLLEGE AMPERE");
    add_school(t, CLASCONV_LEVEL_LYCEE, "Lycée Lumière", "A12");
    html = render(t);
    cr_assert_not_null(strstr(html, "EE J. Ferry<span class=\"uai\">UAI "
                                    "0691234A · annuaire : École &lt;Jules"
                                    "&gt; Ferry</span>"));
    /* The same name but for case and accents is not repeated. */
    cr_assert_not_null(
        strstr(html, "Collège Ampère<span class=\"uai\">UAI 0690001B</span>"));
    cr_assert_eq(count_of(html, "<span class=\"uai\">"), 2);
    free(html);
    clasconv_table_free(t);
}
