/* test_workbook.c: the standardized workbook (SPEC section 4), its atomic
 * write and the safe strings of xlsx_util. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <unzip.h>

#include "clasconv/clasconv.h"
#include "write/xlsx_util.h"
#include "write_fixture.h"

#include "test_util.h"

/* --- Helpers ------------------------------------------------------------ */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

/* The text of one part of an xlsx file (caller frees). */
static char *read_part(const char *path, const char *part)
{
    unzFile zip = unzOpen64(path);
    unz_file_info64 info;
    char *text;
    int got;

    cr_assert_not_null(zip, "%s is not a zip", path);
    cr_assert_eq(unzLocateFile(zip, part, 1), UNZ_OK, "no part %s", part);
    cr_assert_eq(unzGetCurrentFileInfo64(zip, &info, NULL, 0, NULL, 0, NULL, 0),
                 UNZ_OK);
    text = malloc((size_t)info.uncompressed_size + 1);
    cr_assert_not_null(text);
    cr_assert_eq(unzOpenCurrentFile(zip), UNZ_OK);
    got = unzReadCurrentFile(zip, text, (unsigned)info.uncompressed_size);
    cr_assert_eq((uint64_t)got, info.uncompressed_size);
    cr_assert_eq(unzCloseCurrentFile(zip), UNZ_OK);
    unzClose(zip);
    text[got] = '\0';
    return text;
}

static void assert_contains(const char *text, const char *needle)
{
    cr_assert_not_null(strstr(text, needle), "missing: %s", needle);
}

/* The inside of cell `ref` in a sheet's XML (`<f>..</f><v>..</v>`), or
 * NULL when the cell is not written. Static buffer. */
static const char *cell_of(const char *sheet, const char *ref)
{
    static char inner[512];
    char open_tag[32];
    const char *start, *gt, *end;

    snprintf(open_tag, sizeof open_tag, "<c r=\"%s\"", ref);
    start = strstr(sheet, open_tag);
    if (start == NULL)
        return NULL;
    gt = strchr(start, '>');
    cr_assert_not_null(gt);
    if (gt[-1] == '/')
        return "";
    end = strstr(gt, "</c>");
    cr_assert_not_null(end);
    cr_assert_lt((size_t)(end - gt - 1), sizeof inner);
    memcpy(inner, gt + 1, (size_t)(end - gt - 1));
    inner[end - gt - 1] = '\0';
    return inner;
}

static void assert_cell(const char *sheet, const char *ref, const char *want)
{
    const char *got = cell_of(sheet, ref);

    cr_assert_not_null(got, "cell %s missing", ref);
    cr_assert_str_eq(got, want, "cell %s", ref);
}

/* The s="N" style number of cell `ref` (0 when none). */
static int cell_style(const char *sheet, const char *ref)
{
    char style[16];
    char needle[32];
    const char *start, *gt, *st;

    snprintf(needle, sizeof needle, "<c r=\"%s\"", ref);
    start = strstr(sheet, needle);
    cr_assert_not_null(start, "cell %s missing", ref);
    gt = strchr(start, '>');
    st = strstr(start, " s=\"");
    style[0] = '\0';
    if (st && st < gt)
        sscanf(st + 4, "%15[0-9]", style);
    return atoi(style);
}

static char *write_fixture(clasconv_table *t, char **dir_out)
{
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "out.xlsx");
    clasconv_diag diag;

    clasconv_diag_clear(&diag);
    cr_assert_eq(clasconv_write_workbook(t, path, &diag), CLASCONV_OK, "%s",
                 diag.message);
    *dir_out = dir;
    return path;
}

static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            char *p;
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            p = test_join(dir, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

/* --- Content ------------------------------------------------------------ */

Test(workbook, four_sheets_in_order)
{
    clasconv_table *t = fixture_table();
    char *dir, *path = write_fixture(t, &dir);
    char *wb = read_part(path, "xl/workbook.xml");
    const char *a = strstr(wb, "<sheet name=\"Dispositifs\" sheetId=\"1\"");
    const char *b = strstr(wb, "<sheet name=\"Totaux\" sheetId=\"2\"");
    const char *c = strstr(wb, "<sheet name=\"Anomalies\" sheetId=\"3\"");
    const char *d = strstr(wb, "<sheet name=\"Source\" sheetId=\"4\"");

    cr_assert(a && b && c && d && a < b && b < c && c < d, "%s", wb);
    cr_assert_null(strstr(wb, "sheetId=\"5\""));
    /* Header rows repeated when printed. */
    assert_contains(wb, "<definedName name=\"_xlnm.Print_Titles\" "
                        "localSheetId=\"0\">Dispositifs!$1:$1</definedName>");
    cr_assert_eq(count_entries(dir), 1); /* no temporary file left */
    free(wb);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, dispositifs_rows)
{
    clasconv_table *t = fixture_table();
    char *dir, *path = write_fixture(t, &dir);
    char *sheet = read_part(path, "xl/worksheets/sheet1.xml");
    char *sst = read_part(path, "xl/worksheets/sheet1.xml");
    static const char *const labels[] = {"Niveau",
                                         "Établissement",
                                         "Étude",
                                         "École ouverte",
                                         "Accompagnement éducatif",
                                         "Stage de réussite",
                                         "PRE",
                                         "PRE dont QPV",
                                         "CLAS",
                                         "CLAS dont QPV",
                                         "Autre",
                                         "Autre (précision)",
                                         "Nom lu",
                                         "Cellule source",
                                         "École élémentaire Jules Ferry",
                                         "EE J. FERRY",
                                         "ligne 8, champ 1",
                                         "Coup de pouce",
                                         "Élémentaire",
                                         "Collège"};
    size_t i;

    for (i = 0; i < sizeof labels / sizeof *labels; i++) {
        char want[200];
        snprintf(want, sizeof want, "<t>%s</t>", labels[i]);
        assert_contains(sst, want);
    }
    /* Header labels in column order, strings stored inline. */
    assert_cell(sheet, "A1", "<is><t>Niveau</t></is>");
    assert_cell(sheet, "C1", "<is><t>Étude</t></is>");
    assert_cell(sheet, "K1", "<is><t>Autre</t></is>");
    assert_cell(sheet, "N1", "<is><t>Cellule source</t></is>");
    assert_cell(sheet, "A4", "<is><t>Collège</t></is>");
    assert_cell(sheet, "L3", "<is><t>Coup de pouce</t></is>");
    /* Row 2: Étude 12, Accompagnement 5, CLAS 14, blanks absent. */
    assert_cell(sheet, "C2", "<v>12</v>");
    cr_assert_null(strstr(sheet, "r=\"D2\""));
    assert_cell(sheet, "E2", "<v>5</v>");
    cr_assert_null(strstr(sheet, "r=\"K2\""));
    /* Row 3: 0 stays 0. */
    assert_cell(sheet, "C3", "<v>0</v>");
    /* Row 4 is the Collège, 4 rows in all. */
    assert_cell(sheet, "D4", "<v>30</v>");
    cr_assert_null(strstr(sheet, "<row r=\"5\""));
    assert_contains(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" "
                           "activePane=\"bottomLeft\" state=\"frozen\"/>");
    assert_contains(sheet, "<pageSetup paperSize=\"9\" fitToHeight=\"0\" "
                           "orientation=\"landscape\"/>");
    assert_contains(sheet, "<pageSetUpPr fitToPage=\"1\"/>");
    /* One width per column (ranges never overlap: Excel would repair the
     * file), each showing the longest word of its header on one line:
     * « Accompagnement » is wider than « Étude ». */
    cr_assert_null(strstr(sheet, "<col min=\"4\" max=\"5\""));
    {
        const char *col = strstr(sheet, "<col min=\"5\" max=\"5\" width=\"");
        double width;

        cr_assert_not_null(col);
        width = strtod(col + strlen("<col min=\"5\" max=\"5\" width=\""), NULL);
        cr_assert_geq(width, clasconv_xlsx_word_width("Accompagnement", 14));
        cr_assert_geq(width, 16.0);
    }
    /* The commune, the sheet and the page number on every printed page. */
    assert_contains(sheet, "<oddHeader>&amp;LBron&amp;R&amp;A</oddHeader>");
    assert_contains(sheet, "<oddFooter>&amp;CPage &amp;P / &amp;N</oddFooter>");
    /* The cells with an anomaly are filled and carry the message: I4 (CLAS
     * of the Collège, NC read) and H3 (PRE dont QPV of Jean Rostand). */
    cr_assert_neq(cell_style(sheet, "I4"), cell_style(sheet, "D4"));
    cr_assert_neq(cell_style(sheet, "H3"), cell_style(sheet, "I4"));
    cr_assert_eq(cell_style(sheet, "C2"), cell_style(sheet, "C3"));
    {
        char *comments = read_part(path, "xl/comments1.xml");

        assert_contains(comments, "ref=\"I4\"");
        assert_contains(comments, "erreur : « NC » n'est pas un nombre.");
        assert_contains(comments, "ref=\"H3\"");
        assert_contains(comments, "avertissement : « dont QPV » non rempli.");
        free(comments);
    }
    free(sheet);
    free(sst);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

/* The UAI is the last Dispositifs column; the annuaire's name and the
 * match's confidence follow it only when an annuaire was used. */
Test(workbook, uai_column_last_then_annuaire_columns)
{
    clasconv_table *t = fixture_table();
    char *dir, *path, *sheet;

    cr_assert_eq(clasconv_table_set_string(&t->schools[0].uai, "0691234S"), 0);
    cr_assert_eq(
        clasconv_school_add_observation(&t->schools[0], "Remarques", "salle B"),
        0);
    path = write_fixture(t, &dir);
    sheet = read_part(path, "xl/worksheets/sheet1.xml");
    assert_cell(sheet, "O1", "<is><t>UAI</t></is>");
    assert_cell(sheet, "O2", "<is><t>0691234S</t></is>");
    cr_assert_null(strstr(sheet, "r=\"O3\""));
    /* the commune's remarks, last */
    assert_cell(sheet, "P1", "<is><t>Observations</t></is>");
    assert_cell(sheet, "P2", "<is><t>Remarques : salle B</t></is>");
    cr_assert_null(strstr(sheet, "r=\"P3\""));
    cr_assert_null(strstr(sheet, "r=\"Q1\""));
    free(sheet);
    free(path);
    remove_dir(dir);

    t->annuaire_used = 1;
    cr_assert_eq(clasconv_table_set_string(&t->schools[0].official_name,
                                           "Ecole élémentaire Jules Ferry"),
                 0);
    t->schools[0].confidence = 100;
    path = write_fixture(t, &dir);
    sheet = read_part(path, "xl/worksheets/sheet1.xml");
    assert_cell(sheet, "P1", "<is><t>Nom dans l'annuaire</t></is>");
    assert_cell(sheet, "Q1", "<is><t>Confiance (%)</t></is>");
    assert_cell(sheet, "P2", "<is><t>Ecole élémentaire Jules Ferry</t></is>");
    assert_cell(sheet, "Q2", "<v>100</v>");
    cr_assert_null(strstr(sheet, "r=\"P3\""));
    assert_cell(sheet, "R1", "<is><t>Observations</t></is>");
    assert_cell(sheet, "R2", "<is><t>Remarques : salle B</t></is>");
    free(sheet);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, totaux_formulas_carry_values)
{
    clasconv_table *t = fixture_table();
    char *dir, *path = write_fixture(t, &dir);
    char *sheet = read_part(path, "xl/worksheets/sheet2.xml");

    assert_cell(sheet, "B2",
                "<f>COUNTIF(Dispositifs!$A$2:$A$4,\"Élémentaire\")</f>"
                "<v>2</v>");
    assert_cell(sheet, "B3",
                "<f>COUNTIF(Dispositifs!$A$2:$A$4,\"Collège\")</f><v>1</v>");
    assert_cell(sheet, "B4",
                "<f>COUNTIF(Dispositifs!$A$2:$A$4,\"Lycée\")</f><v>0</v>");
    assert_cell(sheet, "C2",
                "<f>SUMIF(Dispositifs!$A$2:$A$4,\"Élémentaire\","
                "Dispositifs!C$2:C$4)</f><v>12</v>");
    assert_cell(sheet, "I2",
                "<f>SUMIF(Dispositifs!$A$2:$A$4,\"Élémentaire\","
                "Dispositifs!I$2:I$4)</f><v>34</v>");
    assert_cell(sheet, "G3",
                "<f>SUMIF(Dispositifs!$A$2:$A$4,\"Collège\","
                "Dispositifs!G$2:G$4)</f><v>11</v>");
    assert_cell(sheet, "K4",
                "<f>SUMIF(Dispositifs!$A$2:$A$4,\"Lycée\","
                "Dispositifs!K$2:K$4)</f><v>0</v>");
    /* The Total row covers every row of Dispositifs. */
    assert_cell(sheet, "A5", "<is><t>Total</t></is>");
    assert_cell(sheet, "B5", "<f>COUNTA(Dispositifs!$A$2:$A$4)</f><v>3</v>");
    assert_cell(sheet, "G5", "<f>SUM(Dispositifs!G$2:G$4)</f><v>19</v>");
    assert_cell(sheet, "K5", "<f>SUM(Dispositifs!K$2:K$4)</f><v>2</v>");
    cr_assert_null(cell_of(sheet, "L2"));
    cr_assert_null(strstr(sheet, "<row r=\"6\""));
    /* The cached values are the table's totals. */
    cr_assert_eq(t->totals[CLASCONV_LEVEL_COUNT].counts[4], 19);
    cr_assert_eq(t->totals[CLASCONV_LEVEL_ELEMENTAIRE].counts[6], 34);
    free(sheet);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, zero_schools_keeps_valid_ranges)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char *dir, *path, *sheet;

    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_TABLE_NOT_FOUND, &at,
                                        "Aucun tableau."),
                 0);
    path = write_fixture(t, &dir);
    sheet = read_part(path, "xl/worksheets/sheet2.xml");
    assert_contains(sheet, "<f>COUNTIF(Dispositifs!$A$2:$A$2,\"Lycée\")</f>"
                           "<v>0</v>");
    assert_contains(sheet, "<f>SUMIF(Dispositifs!$A$2:$A$2,\"Collège\","
                           "Dispositifs!K$2:K$2)</f><v>0</v>");
    assert_cell(sheet, "B5", "<f>COUNTA(Dispositifs!$A$2:$A$2)</f><v>0</v>");
    assert_cell(sheet, "K5", "<f>SUM(Dispositifs!K$2:K$2)</f><v>0</v>");
    free(sheet);
    sheet = read_part(path, "xl/worksheets/sheet1.xml");
    cr_assert_null(strstr(sheet, "<row r=\"2\""));
    free(sheet);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, anomalies_sheet)
{
    clasconv_table *t = fixture_table();
    char *dir, *path = write_fixture(t, &dir);
    char *sheet = read_part(path, "xl/worksheets/sheet3.xml");
    char *sst = read_part(path, "xl/worksheets/sheet3.xml");
    static const char *const labels[] = {"Code",
                                         "Gravité",
                                         "Dispositif",
                                         "Valeur lue",
                                         "Valeur retenue",
                                         "Message",
                                         "Cellule du classeur",
                                         "VALUE_NOT_A_NUMBER",
                                         "erreur",
                                         "QPV_MISSING",
                                         "avertissement",
                                         "ENCODING_ASSUMED",
                                         "info",
                                         "NC",
                                         "ligne 14, champ 8",
                                         "« NC » n'est pas un nombre.",
                                         "PRE dont QPV"};
    size_t i;

    for (i = 0; i < sizeof labels / sizeof *labels; i++) {
        char want[200];
        snprintf(want, sizeof want, "<t>%s</t>", labels[i]);
        assert_contains(sst, want);
    }
    /* What a reader needs first: Gravité, Niveau, Établissement,
     * Dispositif, Message; then Valeur lue, Valeur retenue, Code, Cellule
     * source and the link to the workbook's cell. */
    assert_cell(sheet, "A1", "<is><t>Gravité</t></is>");
    assert_cell(sheet, "E1", "<is><t>Message</t></is>");
    assert_cell(sheet, "H1", "<is><t>Code</t></is>");
    assert_cell(sheet, "I1", "<is><t>Cellule source</t></is>");
    assert_cell(sheet, "J1", "<is><t>Cellule du classeur</t></is>");
    assert_cell(sheet, "A2", "<is><t>erreur</t></is>");
    assert_cell(sheet, "E2", "<is><t>« NC » n'est pas un nombre.</t></is>");
    assert_cell(sheet, "H2", "<is><t>VALUE_NOT_A_NUMBER</t></is>");
    assert_cell(sheet, "I2", "<is><t>ligne 14, champ 8</t></is>");
    assert_contains(sheet, "<autoFilter ref=\"A1:J4\"/>");
    /* The link of row 2 goes to Dispositifs!I4 (Collège Jean Moulin, CLAS);
     * row 3 to Dispositifs!H3; row 4 (the file's encoding) has none. */
    assert_cell(sheet, "J2", "<is><t>Dispositifs!I4</t></is>");
    assert_contains(sheet, "<hyperlink ref=\"J2\" location=\"Dispositifs!I4\"");
    assert_contains(sheet, "<hyperlink ref=\"J3\" location=\"Dispositifs!H3\"");
    cr_assert_null(strstr(sheet, "r=\"J4\""));
    /* Row 4 (ENCODING_ASSUMED) has no level, school, scheme or cell. */
    cr_assert_null(strstr(sheet, "r=\"B4\""));
    cr_assert_null(strstr(sheet, "r=\"C4\""));
    cr_assert_null(strstr(sheet, "r=\"D4\""));
    cr_assert_null(strstr(sheet, "r=\"I4\""));
    assert_contains(sheet, "r=\"E4\"");
    /* "Valeur retenue" blank ("") is an empty cell. */
    cr_assert_null(strstr(sheet, "r=\"G2\""));
    /* Messages wrap; a row grows only when its text needs more than one
     * line (see xlsx_layout tests). */
    assert_contains(sheet, "<row r=\"2\">");
    free(sheet);
    free(sst);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, source_sheet)
{
    clasconv_table *t = fixture_table();
    char *dir, *path, *sheet, *sst;
    static const char *const labels[] = {
        "Champ",          "Valeur",
        "Fichier",        "bron.csv",
        "Format",         "csv",
        "Feuille",        "Commune",
        "Bron",           "Commune trouvée dans",
        "nom du fichier", "Encodage",
        "Windows-1252",   "SHA-256",
        "Erreurs",        "Avertissements",
        "Infos",          "Version de clasconv",
        CLASCONV_VERSION, "Coordinateur",
        "Mme Dupont"};
    size_t i;

    t->commune_source = CLASCONV_COMMUNE_FILE_NAME;
    path = write_fixture(t, &dir);
    sheet = read_part(path, "xl/worksheets/sheet4.xml");
    sst = read_part(path, "xl/worksheets/sheet4.xml");
    for (i = 0; i < sizeof labels / sizeof *labels; i++) {
        char want[200];
        snprintf(want, sizeof want, "<t>%s</t>", labels[i]);
        assert_contains(sst, want);
    }
    /* Erreurs, Avertissements, Infos are numbers, rows 9-11. */
    assert_cell(sheet, "B9", "<v>1</v>");
    assert_cell(sheet, "B10", "<v>1</v>");
    assert_cell(sheet, "B11", "<v>1</v>");
    assert_contains(sheet, "<row r=\"13\"");
    cr_assert_null(strstr(sheet, "<row r=\"14\""));
    free(sheet);
    free(sst);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, no_encoding_row_without_encoding)
{
    clasconv_table *t = fixture_table();
    char *dir, *path, *sst;

    cr_assert_eq(clasconv_table_set_string(&t->encoding, NULL), 0);
    path = write_fixture(t, &dir);
    sst = read_part(path, "xl/worksheets/sheet4.xml");
    cr_assert_null(strstr(sst, "<t>Encodage</t>"));
    free(sst);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

/* --- Determinism ---------------------------------------------------------- */

Test(workbook, same_table_same_bytes)
{
    clasconv_table *t = fixture_table();
    char *dir1, *dir2, *p1, *p2;
    unsigned char *b1, *b2;
    size_t n1, n2;

    setenv("TZ", "Europe/Paris", 1);
    p1 = write_fixture(t, &dir1);
    sleep(1); /* a clock in the file would show */
    setenv("TZ", "America/New_York", 1);
    p2 = write_fixture(t, &dir2);
    b1 = test_load(p1, &n1);
    b2 = test_load(p2, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(memcmp(b1, b2, n1) == 0, "the two workbooks differ");
    free(b1);
    free(b2);
    b1 = (unsigned char *)read_part(p1, "docProps/core.xml");
    assert_contains((char *)b1, "2026-01-01T00:00:00Z");
    free(b1);
    free(p1);
    free(p2);
    remove_dir(dir1);
    remove_dir(dir2);
    clasconv_table_free(t);
}

/* --- Atomic write --------------------------------------------------------- */

Test(workbook, missing_folder_fails_and_leaves_nothing)
{
    clasconv_table *t = fixture_table();
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "absent/out.xlsx");
    clasconv_diag diag;

    clasconv_diag_clear(&diag);
    cr_assert_eq(clasconv_write_workbook(t, path, &diag), CLASCONV_ERR_WRITE);
    assert_contains(diag.message, "n'existe pas");
    assert_contains(diag.message, "absent/out.xlsx");
    cr_assert_eq(count_entries(dir), 0);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, target_that_is_a_folder_is_refused)
{
    clasconv_table *t = fixture_table();
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "out.xlsx");
    char *slash_path = test_join(dir, "new/");
    clasconv_diag diag;
    struct stat st;

    cr_assert_eq(mkdir(path, 0755), 0);
    clasconv_diag_clear(&diag);
    cr_assert_eq(clasconv_write_workbook(t, path, &diag), CLASCONV_ERR_WRITE);
    assert_contains(diag.message, "c'est un dossier");
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(count_entries(path), 0);
    cr_assert_eq(count_entries(dir), 1);
    /* A path ending with '/' names a folder too. */
    cr_assert_eq(clasconv_write_workbook(t, slash_path, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_eq(count_entries(dir), 1);
    free(slash_path);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, folder_path_component_is_a_file)
{
    clasconv_table *t = fixture_table();
    char *dir = test_make_dir("clasconv_wb");
    char *file = test_join(dir, "plain");
    char *path = test_join(dir, "plain/out.xlsx");
    clasconv_diag diag;
    FILE *f = fopen(file, "w");

    cr_assert_not_null(f);
    fclose(f);
    clasconv_diag_clear(&diag);
    cr_assert_eq(clasconv_write_workbook(t, path, &diag), CLASCONV_ERR_WRITE);
    assert_contains(diag.message, "n'est pas un dossier");
    cr_assert_eq(count_entries(dir), 1);
    free(file);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

/* A file-size limit makes every write past 4 KiB fail as on a full disk:
 * the existing target must stay as it was and no temporary file remain. */
Test(workbook, full_disk_keeps_existing_target)
{
    clasconv_table *t = fixture_table();
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "out.xlsx");
    static const char old[] = "previous content";
    struct rlimit limit = {4096, 4096};
    clasconv_diag diag;
    unsigned char *data;
    size_t size;
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f);
    fputs(old, f);
    fclose(f);
    signal(SIGXFSZ, SIG_IGN);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
    clasconv_diag_clear(&diag);
    cr_assert_eq(clasconv_write_workbook(t, path, &diag), CLASCONV_ERR_WRITE);
    assert_contains(diag.message, "Impossible d'écrire « ");
    assert_contains(diag.message, "disque plein");
    data = test_load(path, &size);
    cr_assert_eq(size, strlen(old));
    cr_assert(memcmp(data, old, size) == 0);
    cr_assert_eq(count_entries(dir), 1);
    free(data);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, replaces_existing_target_keeping_its_mode)
{
    clasconv_table *t = fixture_table();
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "out.xlsx");
    clasconv_diag diag;
    struct stat st;
    FILE *f = fopen(path, "w");
    const char *why = NULL;

    cr_assert_not_null(f);
    fputs("old", f);
    fclose(f);
    cr_assert_eq(chmod(path, 0640), 0);
    cr_assert_eq(clasconv_write_workbook(t, path, &diag), CLASCONV_OK, "%s",
                 diag.message);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640);
    cr_assert_gt(st.st_size, 1000);
    cr_assert_eq(clasconv_xlsx_verify(path, 4, &why), 0, "%s", why);
    cr_assert_eq(count_entries(dir), 1);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, new_file_gets_umask_mode)
{
    clasconv_table *t = fixture_table();
    char *dir, *path;
    struct stat st;

    umask(027);
    path = write_fixture(t, &dir);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, relative_path_in_current_folder)
{
    clasconv_table *t = fixture_table();
    char *dir = test_make_dir("clasconv_wb");
    clasconv_diag diag;
    struct stat st;

    cr_assert_eq(chdir(dir), 0);
    cr_assert_eq(clasconv_write_workbook(t, "rel.xlsx", &diag), CLASCONV_OK,
                 "%s", diag.message);
    cr_assert_eq(stat("rel.xlsx", &st), 0);
    cr_assert_eq(count_entries(dir), 1);
    cr_assert_eq(chdir("/"), 0);
    remove_dir(dir);
    clasconv_table_free(t);
}

/* --- Verification --------------------------------------------------------- */

Test(workbook, verify_rejects_damaged_files)
{
    clasconv_table *t = fixture_table();
    char *dir, *path = write_fixture(t, &dir);
    char *bad = test_join(dir, "bad.xlsx");
    const char *why = NULL;
    unsigned char *data;
    size_t size, i;
    FILE *f;

    cr_assert_eq(clasconv_xlsx_verify(path, 4, &why), 0, "%s", why);
    cr_assert_neq(clasconv_xlsx_verify(path, 5, &why), 0); /* sheet5? */
    data = test_load(path, &size);
    /* Truncated. */
    f = fopen(bad, "wb");
    fwrite(data, 1, size / 2, f);
    fclose(f);
    cr_assert_neq(clasconv_xlsx_verify(bad, 4, &why), 0);
    /* A flipped byte in the middle of any entry's compressed data. */
    {
        unzFile zip = unzOpen64(path);
        int step, checked = 0;

        cr_assert_not_null(zip);
        for (step = unzGoToFirstFile(zip); step == UNZ_OK;
             step = unzGoToNextFile(zip)) {
            unz_file_info64 info;
            ZPOS64_T pos;

            cr_assert_eq(
                unzGetCurrentFileInfo64(zip, &info, NULL, 0, NULL, 0, NULL, 0),
                UNZ_OK);
            cr_assert_eq(unzOpenCurrentFile(zip), UNZ_OK);
            pos = unzGetCurrentFileZStreamPos64(zip);
            unzCloseCurrentFile(zip);
            i = (size_t)(pos + info.compressed_size / 2);
            cr_assert_lt(i, size);
            data[i] ^= 0x55;
            f = fopen(bad, "wb");
            fwrite(data, 1, size, f);
            fclose(f);
            cr_assert_neq(clasconv_xlsx_verify(bad, 4, &why), 0,
                          "flip at %zu not seen", i);
            data[i] ^= 0x55;
            checked++;
        }
        unzClose(zip);
        /* 12 parts, plus the comments of Dispositifs: comments1.xml, its
         * drawing and the sheet's relationships. */
        cr_assert_eq(checked, 15);
    }
    free(data);
    free(bad);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

/* --- Strings ---------------------------------------------------------------
 */

static void check_sanitize(const char *in, size_t max, const char *want)
{
    char *got = clasconv_xlsx_sanitize(in, max);

    cr_assert_not_null(got);
    cr_assert_str_eq(got, want);
    free(got);
}

Test(xlsx_util, sanitize)
{
    check_sanitize("École", 100, "École");
    check_sanitize(NULL, 100, "");
    check_sanitize("Coll\xe8ge", 100, "Coll\xEF\xBF\xBDge");
    check_sanitize("\xff\xfe", 100, "\xEF\xBF\xBD\xEF\xBF\xBD");
    check_sanitize("\xC0\xAF", 100, "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong */
    check_sanitize("a\xED\xA0\x80z", 100,
                   "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");    /* surrogate */
    check_sanitize("\xEF\xBF\xBF", 100, "\xEF\xBF\xBD");         /* U+FFFF */
    check_sanitize("\xE2\x82", 100, "\xEF\xBF\xBD\xEF\xBF\xBD"); /* cut */
    check_sanitize("_x0041_", 100, "_x005F_x0041_");
    check_sanitize("a_X00e9_b _x12_", 100, "a_x005F_X00e9_b _x12_");
    check_sanitize("_x005F_", 100, "_x005F_x005F_");
    /* Cut on a character boundary, counting UTF-16 units. */
    check_sanitize("ééé", 2, "éé");
    check_sanitize("a\xF0\x9F\x98\x80"
                   "b",
                   2, "a");
    check_sanitize("a\xF0\x9F\x98\x80"
                   "b",
                   3, "a\xF0\x9F\x98\x80");
    check_sanitize("_x0041_", 6, "");
    /* ASCII runs (copied whole) cut at the limit too. */
    check_sanitize("abcdef", 3, "abc");
    check_sanitize("ab_x0041_cd", 100, "ab_x005F_x0041_cd");
    check_sanitize("abc\xC3\xA9", 4, "abc\xC3\xA9");
    check_sanitize("abc\xC3\xA9", 3, "abc");
    check_sanitize("a\x01_b", 100, "a\x01_b");
}

Test(workbook, hostile_strings_do_not_corrupt_the_file)
{
    clasconv_table *t = fixture_table();
    static const int64_t counts[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    size_t long_len = 40000, i;
    char *long_name = malloc(long_len + 1);
    char *dir, *path, *sst;
    const char *why = NULL;

    for (i = 0; i < long_len; i++)
        long_name[i] = (char)('a' + i % 26);
    long_name[long_len] = '\0';
    long_name[32767] = '\xC3'; /* an é just past the limit */
    long_name[32768] = '\xA9';
    fixture_school(t, CLASCONV_LEVEL_LYCEE,
                   "Lyc\xe9"
                   "e \xff <&> _x0041_",
                   "ctrl\x01\x1b[31m", "A\xc3", counts);
    fixture_school(t, CLASCONV_LEVEL_LYCEE, long_name, NULL, NULL, counts);
    free(long_name);
    cr_assert_eq(clasconv_table_set_string(&t->commune, "Bro\xffn"), 0);
    path = write_fixture(t, &dir);
    cr_assert_eq(clasconv_xlsx_verify(path, 4, &why), 0, "%s", why);
    sst = read_part(path, "xl/worksheets/sheet1.xml");
    assert_contains(sst, "<t>Lyc\xEF\xBF\xBD"
                         "e \xEF\xBF\xBD &lt;&amp;&gt; "
                         "_x005F_x0041_</t>");
    free(sst);
    sst = read_part(path, "xl/worksheets/sheet4.xml");
    assert_contains(sst, "<t>Bro\xEF\xBF\xBDn</t>");
    free(sst);
    sst = read_part(path, "xl/worksheets/sheet1.xml");
    assert_contains(sst, "<t>ctrl_x0001__x001B_[31m</t>");
    /* The long name is cut before the é, at 32,767 characters. */
    {
        const char *start = strstr(sst, "<t>abcdefghij");
        const char *end;

        cr_assert_not_null(start);
        end = strstr(start, "</t>");
        cr_assert_eq(end - start - 3, 32767);
        cr_assert_eq(end[-1], 'g');
    }
    free(sst);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(workbook, many_anomalies)
{
    clasconv_table *t = fixture_table();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char cell[32], *dir, *path, *sheet;
    int i;

    at.cell = cell;
    for (i = 0; i < 20000; i++) {
        snprintf(cell, sizeof cell, "ligne %d, champ 4", i + 1);
        cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                            CLASCONV_A_VALUE_READ_AS_ZERO, &at,
                                            "« - » lu comme 0 (%s).", cell),
                     0);
    }
    path = write_fixture(t, &dir);
    sheet = read_part(path, "xl/worksheets/sheet3.xml");
    /* 200 listed one by one (CLASCONV_ANOMALIES_PER_CODE), then one row
     * counts the 19,800 others */
    assert_contains(sheet, "<autoFilter ref=\"A1:J205\"/>");
    assert_cell(sheet, "I204", "<is><t>ligne 200, champ 4</t></is>");
    assert_contains(sheet, "et 19800 autres cellules");
    free(sheet);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

Test(xlsx_util, row_beyond_excel_fails_cleanly)
{
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "big.xlsx");
    clasconv_xlsx x;
    clasconv_diag diag;
    lxw_worksheet *ws;

    cr_assert_eq(clasconv_xlsx_open_opt(&x, path, "t", 1, &diag), CLASCONV_OK);
    ws = clasconv_xlsx_add_sheet(&x, "A");
    cr_assert_not_null(ws);
    clasconv_xlsx_string(&x, ws, 0, 0, "ok", x.text);
    clasconv_xlsx_number(&x, ws, 1048576, 0, 1, x.count);
    cr_assert_eq(clasconv_xlsx_commit(&x, &diag), CLASCONV_ERR_WRITE);
    assert_contains(diag.message, "dépasse 1 048 576 lignes");
    cr_assert_eq(count_entries(dir), 0);
    free(path);
    remove_dir(dir);
}

Test(xlsx_util, non_finite_number_is_refused)
{
    char *dir = test_make_dir("clasconv_wb");
    char *path = test_join(dir, "nan.xlsx");
    clasconv_xlsx x;
    clasconv_diag diag;
    lxw_worksheet *ws;

    cr_assert_eq(clasconv_xlsx_open(&x, path, "t", &diag), CLASCONV_OK);
    ws = clasconv_xlsx_add_sheet(&x, "A");
    clasconv_xlsx_number(&x, ws, 0, 0, NAN, x.count);
    cr_assert_eq(clasconv_xlsx_commit(&x, &diag), CLASCONV_ERR_WRITE);
    assert_contains(diag.message, "Impossible d'écrire");
    cr_assert_eq(count_entries(dir), 0);
    free(path);
    remove_dir(dir);
}

/* A school of unknown level: "Inconnu" in Dispositifs, counted in the Total
 * row only, as reconcile counts it in totals[ALL]. */
Test(workbook, unknown_level_counts_in_total_only)
{
    clasconv_table *t = fixture_table();
    static const int64_t counts[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    char *dir, *path, *sheet;

    fixture_school(t, CLASCONV_LEVEL_NONE, "Centre social", "Centre social",
                   "ligne 30, champ 1", counts);
    path = write_fixture(t, &dir);
    sheet = read_part(path, "xl/worksheets/sheet1.xml");
    assert_cell(sheet, "A5", "<is><t>Inconnu</t></is>");
    free(sheet);
    sheet = read_part(path, "xl/worksheets/sheet2.xml");
    assert_cell(sheet, "B2",
                "<f>COUNTIF(Dispositifs!$A$2:$A$5,\"Élémentaire\")</f>"
                "<v>2</v>");
    assert_cell(sheet, "B5", "<f>COUNTA(Dispositifs!$A$2:$A$5)</f><v>4</v>");
    assert_cell(sheet, "C5", "<f>SUM(Dispositifs!C$2:C$5)</f><v>13</v>");
    assert_cell(sheet, "K5", "<f>SUM(Dispositifs!K$2:K$5)</f><v>11</v>");
    free(sheet);
    free(path);
    remove_dir(dir);
    clasconv_table_free(t);
}

/* --- Layout helpers (xlsx_util) ----------------------------------------- */

Test(xlsx_layout, text_height_counts_wrapped_lines)
{
    /* One line, then a message three times the width of its column. */
    cr_assert_float_eq(clasconv_xlsx_text_height("Court.", 40),
                       CLASCONV_XLSX_LINE_PT, 1e-9);
    cr_assert_float_eq(clasconv_xlsx_text_height(NULL, 40),
                       CLASCONV_XLSX_LINE_PT, 1e-9);
    cr_assert_geq(clasconv_xlsx_text_height(
                      "La valeur « NC » en ligne 14, champ 2 n'est pas un "
                      "nombre d'enfants ; la cellule est laissée vide. "
                      "Corrigez-la dans le fichier de la commune.",
                      40),
                  3 * CLASCONV_XLSX_LINE_PT);
    /* Lines break between words only: two words that each fill a line. */
    cr_assert_float_eq(clasconv_xlsx_text_height(
                           "Accompagnement éducatif",
                           clasconv_xlsx_word_width("Accompagnement", 14)),
                       2 * CLASCONV_XLSX_LINE_PT, 1e-9);
    /* Explicit new lines count; Excel's tallest row is the cap. */
    cr_assert_float_eq(clasconv_xlsx_text_height("a\nb\nc", 40),
                       3 * CLASCONV_XLSX_LINE_PT, 1e-9);
    {
        char big[4000];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        cr_assert_leq(clasconv_xlsx_text_height(big, 10), 409);
    }
}

Test(xlsx_layout, word_width_grows_with_wide_letters)
{
    cr_assert_gt(clasconv_xlsx_word_width("mmmm", 4),
                 clasconv_xlsx_word_width("iiii", 4));
    cr_assert_gt(clasconv_xlsx_word_width("Accompagnement", 14), 15.5);
    /* Accented letters count once (UTF-8 decoded). */
    cr_assert_float_eq(clasconv_xlsx_word_width("é", 2),
                       clasconv_xlsx_word_width("e", 1), 1e-9);
}

Test(xlsx_layout, print_title_escapes_and_cuts)
{
    clasconv_xlsx x;

    memset(&x, 0, sizeof x);
    clasconv_xlsx_set_print_title(&x, "Saint-Fons & Vénissieux");
    cr_assert_str_eq(x.print_header, "Saint-Fons && Vénissieux");
    clasconv_xlsx_set_print_title(&x, "69 Lyon");
    cr_assert_str_eq(x.print_header, " 69 Lyon");
    {
        char long_name[600];
        size_t i;
        for (i = 0; i + 2 < sizeof long_name; i += 2)
            memcpy(long_name + i, "é", 2);
        long_name[i] = '\0';
        clasconv_xlsx_set_print_title(&x, long_name);
        cr_assert_lt(strlen(x.print_header), 200);
        cr_assert_eq(strlen(x.print_header) % 2, 0); /* whole characters */
    }
    clasconv_xlsx_set_print_title(&x, NULL);
    cr_assert_str_eq(x.print_header, "");
}
