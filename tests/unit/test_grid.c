/* test_grid.c: the cell grid, its references and limits. */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/grid.h"
#include "clasconv/table.h"

Test(grid, put_get_and_rows_in_any_order)
{
    clasconv_grid *g = clasconv_grid_new();
    clasconv_error err;
    clasconv_sheet *s =
        clasconv_grid_add_sheet(g, "Feuil1", CLASCONV_REF_SHEET, 0, &err);
    cr_assert_not_null(s);
    cr_assert_eq(clasconv_sheet_put_number(s, 5, 2, 12.0, 0), CLASCONV_OK);
    cr_assert_eq(clasconv_sheet_put_text(s, 1, 0, "Titre", 5, 0, 0, 0),
                 CLASCONV_OK);
    cr_assert_eq(clasconv_sheet_put_text(s, 5, 0, "Collège", 8, 0, 0, 0),
                 CLASCONV_OK);
    cr_assert_eq(clasconv_sheet_put_text(s, 5, 0, "Lycée", 6, 0, 0, 0),
                 CLASCONV_OK);
    cr_assert_eq(clasconv_sheet_put_text(s, 7, 3, " \xc2\xa0 ", 4, 0, 0, 0),
                 CLASCONV_OK);
    cr_assert_eq(clasconv_grid_finish(g), CLASCONV_OK);
    const clasconv_sheet *r = clasconv_grid_sheet(g, 0);
    cr_assert_eq(clasconv_sheet_row_count(r), 2);
    clasconv_row row = clasconv_sheet_row(r, 1);
    cr_assert_eq(row.row, 5);
    cr_assert_eq(row.ncells, 2);
    cr_assert_str_eq(row.cells[0].v.text, "Lycée");
    cr_assert_eq(row.cells[1].v.number, 12.0);
    cr_assert_null(clasconv_sheet_get(r, 7, 3));
    cr_assert_eq(clasconv_sheet_col_count(r), 3);
    char ref[64];
    clasconv_sheet_ref(r, 12, 27, ref, sizeof ref);
    cr_assert_str_eq(ref, "Feuil1!AB13");
    clasconv_grid_free(g);
}

Test(grid, csv_and_word_references)
{
    clasconv_grid *g = clasconv_grid_new();
    clasconv_sheet *c =
        clasconv_grid_add_sheet(g, "x", CLASCONV_REF_CSV, 0, NULL);
    clasconv_sheet *w =
        clasconv_grid_add_sheet(g, "tableau 3", CLASCONV_REF_WORD, 3, NULL);
    char ref[64];
    cr_assert_eq(clasconv_sheet_put_text(c, 11, 3, "NC", 2, 14, 4, 0),
                 CLASCONV_OK);
    cr_assert_eq(clasconv_grid_finish(g), CLASCONV_OK);
    clasconv_sheet_ref(c, 11, 3, ref, sizeof ref);
    cr_assert_str_eq(ref, "ligne 14, champ 4");
    clasconv_sheet_ref(c, 11, 0, ref, sizeof ref);
    cr_assert_str_eq(ref, "ligne 12, champ 1");
    clasconv_sheet_ref(w, 4, 3, ref, sizeof ref);
    cr_assert_str_eq(ref, "tableau 3, ligne 5, colonne 4");
    clasconv_grid_free(g);
}

Test(grid, refuses_invalid_utf8_nan_and_far_cells)
{
    clasconv_grid *g = clasconv_grid_new();
    clasconv_sheet *s =
        clasconv_grid_add_sheet(g, "S", CLASCONV_REF_SHEET, 0, NULL);
    cr_assert_eq(clasconv_sheet_put_text(s, 0, 0, "\xff\xfe", 2, 0, 0, 0),
                 CLASCONV_ERR_FORMAT);
    cr_assert_eq(clasconv_sheet_put_number(s, 0, 0, 0.0 / 0.0, 0),
                 CLASCONV_ERR_FORMAT);
    cr_assert_eq(clasconv_sheet_put_number(s, CLASCONV_GRID_MAX_ROWS, 0, 1, 0),
                 CLASCONV_ERR_TOO_LARGE);
    cr_assert_eq(clasconv_grid_finish(g), CLASCONV_OK);
    cr_assert_eq(clasconv_sheet_row_count(clasconv_grid_sheet(g, 0)), 0);
    clasconv_grid_free(g);
}

Test(text, keys_fold_case_accents_punctuation)
{
    char *a = clasconv_text_key("École élémentaire Jules-Ferry");
    char *b = clasconv_text_key("ECOLE ELEMENTAIRE  JULES FERRY ");
    char *c = clasconv_text_key("Cœur d’Æther");
    cr_assert_str_eq(a, "ecole elementaire jules ferry");
    cr_assert_str_eq(b, "ecole elementaire jules ferry");
    cr_assert_str_eq(c, "coeur d aether");
    free(a);
    free(b);
    free(c);
}

Test(col_letters, excel_columns)
{
    char buf[8];
    clasconv_col_letters(0, buf, sizeof buf);
    cr_assert_str_eq(buf, "A");
    clasconv_col_letters(25, buf, sizeof buf);
    cr_assert_str_eq(buf, "Z");
    clasconv_col_letters(26, buf, sizeof buf);
    cr_assert_str_eq(buf, "AA");
    clasconv_col_letters(16383, buf, sizeof buf);
    cr_assert_str_eq(buf, "XFD");
}

#include "core/sha256.h"

Test(sha256, fips_vectors_and_streaming)
{
    char out[65];
    static const char *const million_a =
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    unsigned char block[1001];
    clasconv_sha256 ctx;
    int i;

    clasconv_sha256_hex((const unsigned char *)"", 0, out);
    cr_assert_str_eq(
        out,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    clasconv_sha256_hex((const unsigned char *)"abc", 3, out);
    cr_assert_str_eq(
        out,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    clasconv_sha256_hex(
        (const unsigned char *)"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmn"
                               "omnopnopq",
        56, out);
    cr_assert_str_eq(
        out,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(block, 'a', sizeof block);
    clasconv_sha256_init(&ctx);
    for (i = 0; i < 1000; i++)
        clasconv_sha256_update(&ctx, block, i % 2 ? 999 : 1001);
    clasconv_sha256_final_hex(&ctx, out);
    cr_assert_str_eq(out, million_a);
}
