/* commune.c: tells the commune from the file's form fields, a "Territoire
 * de :" / "Commune" cell near the table, any sheet, a title ("Ville de
 * X"), or the file name; records where it came from and says so when it
 * is a guess, missing, or contradicted by the file name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/locate_internal.h"
#include "table/vocab.h"

/* Copies `text` without dotted leaders, underscores and outer blanks. */
static void clean_value(const char *text, char *out, size_t size)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)text;

    while (*p && o + 1 < size) {
        if (*p == '.' || *p == '_' || *p == ':' || *p == '\t' || *p == '\n' ||
            *p == '\r') {
            p++;
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
            continue;
        }
        if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA6) { /* … */
            p += 3;
            continue;
        }
        out[o++] = (char)*p++;
    }
    out[o] = '\0';
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ','))
        out[--o] = '\0';
    o = 0;
    while (out[o] == ' ')
        o++;
    memmove(out, out + o, strlen(out + o) + 1);
}

/* A title says more than the commune: "Ville de Bron - Service
 * Éducation" -> "Bron - ..." is cut to "Bron". */
static void cut_title(char *value)
{
    static const char *const cuts[] = {
        " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", ",", "(", ";", " / ", ":"};
    size_t i;

    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char *c = strstr(value, cuts[i]);
        if (c)
            *c = '\0';
    }
}

/* The first commune label of kind `want` in the sheet's rows up to
 * `max_row`, its value in `out`. */
static int commune_from_sheet(const clasconv_sheet *sheet, uint32_t max_row,
                              vocab_commune_kind want, char *out, size_t size)
{
    size_t i, n = clasconv_sheet_row_count(sheet);

    for (i = 0; i < n; i++) {
        clasconv_row row = clasconv_sheet_row(sheet, i);
        uint32_t k;
        if (row.row > max_row)
            break;
        for (k = 0; k < row.ncells; k++) {
            const char *text = locate_cell_text(&row.cells[k]);
            const char *value;
            vocab_commune_kind kind;
            char folded[256];
            uint32_t j;
            /* labels and titles are short; longer texts are sentences
             * (notes, or the messages of a workbook read back) */
            if (!text || strlen(text) > 120 ||
                !locate_fold(text, folded, sizeof folded))
                continue;
            value = vocab_after_commune_label(text, folded, &kind);
            if (!value || kind != want)
                continue;
            snprintf(out, size, "%s", value);
            if (kind == VOCAB_COMMUNE_TITLE)
                cut_title(out);
            clean_value(out, out, size);
            if (out[0])
                return 1;
            if (kind != VOCAB_COMMUNE_CELL)
                continue;
            /* the value sits in a cell to the right, or just below */
            for (j = k + 1; j < row.ncells; j++) {
                const char *next = locate_cell_text(&row.cells[j]);
                if (!next)
                    continue;
                clean_value(next, out, size);
                if (out[0])
                    return 1;
            }
            if (i + 1 < n) {
                clasconv_row below = clasconv_sheet_row(sheet, i + 1);
                if (below.row == row.row + 1 && below.ncells &&
                    locate_cell_text(&below.cells[0]) &&
                    strlen(below.cells[0].v.text) < 80) {
                    clean_value(below.cells[0].v.text, out, size);
                    if (out[0])
                        return 1;
                }
            }
        }
    }
    return 0;
}

static int all_same_case(const char *text)
{
    int upper = 0, lower = 0;
    const unsigned char *p = (const unsigned char *)text;

    for (; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            lower = 1;
        else if (*p >= 'A' && *p <= 'Z')
            upper = 1;
    }
    return !(upper && lower);
}

/* "dispositifs_clas_2026_bron.csv" -> "Bron". */
static void commune_from_file_name(const char *file_name, char *out,
                                   size_t size)
{
    char name[512], word[256], folded[256];
    char *p, *dot;
    size_t o = 0;

    out[0] = '\0';
    if (!file_name)
        return;
    p = strrchr(file_name, '/');
    snprintf(name, sizeof name, "%s", p ? p + 1 : file_name);
    dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    for (p = name; *p; p++)
        if (*p == '_')
            *p = ' ';
    p = name;
    while (*p) {
        size_t len;
        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (!len)
            break;
        snprintf(word, sizeof word, "%.*s", (int)len, p);
        p += len;
        locate_fold(word, folded, sizeof folded);
        if (!folded[0] || vocab_is_file_name_noise(folded))
            continue;
        if (o && o + 1 < size)
            out[o++] = ' ';
        o += (size_t)snprintf(out + o, size - o, "%s", word);
        if (o >= size)
            o = size - 1;
    }
    if (all_same_case(out)) {
        /* "bron", "BRON" -> "Bron"; hyphenated parts each capitalized */
        int start = 1;
        for (p = out; *p; p++) {
            if (*p >= 'a' && *p <= 'z' && start)
                *p = (char)(*p - 'a' + 'A');
            else if (*p >= 'A' && *p <= 'Z' && !start)
                *p = (char)(*p - 'A' + 'a');
            start = *p == ' ' || *p == '-' || *p == '\'';
        }
    }
}

/* Two names of one commune: same key, or one key holds the other as whole
 * words ("Vaulx" in "Vaulx-en-Velin"). */
static int same_commune(const char *a, const char *b)
{
    char *ka = clasconv_text_key(a), *kb = clasconv_text_key(b);
    int same = 0;

    if (ka && kb) {
        const char *shorter = strlen(ka) <= strlen(kb) ? ka : kb;
        const char *longer = shorter == ka ? kb : ka;
        size_t n = strlen(shorter);
        const char *p = longer;
        if (!n)
            same = 1;
        while (!same && n && (p = strstr(p, shorter)) != NULL) {
            same =
                (p == longer || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ');
            p++;
        }
    } else {
        same = 1; /* out of memory: raise nothing */
    }
    free(ka);
    free(kb);
    return same;
}

/* Where the commune comes from, best first: a field or cell of the form
 * ("Territoire de : Bron"), a title ("Ville de Bron"), the file name. Says
 * so when it is the file name or nothing, and when a title and the file
 * name disagree (the title wins). */
clasconv_error locate_find_commune(const clasconv_grid *grid,
                                   const clasconv_sheet *table_sheet,
                                   uint32_t header_row, const char *file_name,
                                   clasconv_table *table)
{
    static const vocab_commune_kind kinds[] = {VOCAB_COMMUNE_CELL,
                                               VOCAB_COMMUNE_TITLE};
    char commune[256], from_name[256];
    clasconv_commune_source source = CLASCONV_COMMUNE_NONE;
    size_t i, k, n = clasconv_grid_meta_count(grid);
    const char *file = file_name ? file_name : "";
    clasconv_error err;

    commune[0] = '\0';
    for (i = 0; i < n && !commune[0]; i++) {
        const char *key, *value;
        char folded[64];
        clasconv_grid_meta(grid, i, &key, &value);
        locate_fold(key, folded, sizeof folded);
        if (vocab_is_commune_field(folded))
            clean_value(value, commune, sizeof commune);
    }
    if (commune[0])
        source = CLASCONV_COMMUNE_CELL;
    for (k = 0; k < sizeof kinds / sizeof kinds[0] && !commune[0]; k++) {
        if (!commune_from_sheet(table_sheet, header_row, kinds[k], commune,
                                sizeof commune))
            for (i = 0; i < clasconv_grid_sheet_count(grid) && !commune[0]; i++)
                commune_from_sheet(clasconv_grid_sheet(grid, i), 60, kinds[k],
                                   commune, sizeof commune);
        if (commune[0])
            source = kinds[k] == VOCAB_COMMUNE_CELL ? CLASCONV_COMMUNE_CELL
                                                    : CLASCONV_COMMUNE_TITLE;
    }
    commune_from_file_name(file_name, from_name, sizeof from_name);
    if (!commune[0] && from_name[0]) {
        snprintf(commune, sizeof commune, "%s", from_name);
        source = CLASCONV_COMMUNE_FILE_NAME;
    }
    table->commune_source = source;
    err =
        clasconv_table_set_string(&table->commune, commune[0] ? commune : NULL);
    if (err)
        return err;
    if (source == CLASCONV_COMMUNE_FILE_NAME)
        return clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_COMMUNE_FROM_FILENAME, NULL,
            "Aucune cellule « Territoire de : » ni aucun titre ne nomme la "
            "commune : « %s » a été déduite du nom du fichier « %s ». "
            "Vérifiez-la, ou indiquez la commune dans le tableau.",
            commune, file);
    if (source == CLASCONV_COMMUNE_NONE)
        return clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_COMMUNE_UNKNOWN, NULL,
            "Aucune commune n'a été trouvée : ni cellule « Territoire de : » "
            "ou « Commune : », ni titre (« Ville de … »), et le nom du "
            "fichier « %s » n'en nomme pas. Indiquez-la dans le tableau "
            "(« Territoire de : … ») ou renommez le fichier avec le nom de "
            "la commune.",
            file);
    if (source == CLASCONV_COMMUNE_TITLE && from_name[0] &&
        !same_commune(commune, from_name))
        return clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_COMMUNE_CONFLICT, NULL,
            "Le titre du tableau nomme la commune « %s », mais le nom du "
            "fichier « %s » en désigne une autre (« %s ») : c'est le titre "
            "qui est retenu. Vérifiez quelle commune a envoyé ce tableau "
            "(fichier renommé ou réutilisé ?).",
            commune, file, from_name);
    return CLASCONV_OK;
}
