/* test_value.c: reading counts from cells, one case per line (SPEC 1). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "clasconv/table.h"

#include "test_util.h"

#define BLANK CLASCONV_VALUE_BLANK
#define OK CLASCONV_VALUE_OK
#define ZERO CLASCONV_VALUE_ZERO_WORD
#define NAN_ CLASCONV_VALUE_NOT_A_NUMBER
#define FRAC CLASCONV_VALUE_NOT_INTEGER
#define NEG CLASCONV_VALUE_NEGATIVE
#define UNIT CLASCONV_VALUE_UNIT_REMOVED
#define NOVAL CLASCONV_BLANK

typedef struct text_case {
    const char *text;
    clasconv_value_status status;
    int64_t value;
} text_case;

static const text_case text_cases[] = {
    /* whole numbers */
    {"12", OK, 12},
    {"0", OK, 0},
    {"12,0", OK, 12},
    {"12.0", OK, 12},
    {"12,00", OK, 12},
    {" 12 ", OK, 12},
    {"\t12\r\n", OK, 12},
    {"\u00a012\u00a0", OK, 12},
    /* zero-width and other Unicode blanks are trimmed (issue 10) */
    {"12\u200b", OK, 12},
    {"\ufeff12\u2060", OK, 12},
    {"\u300012\u2028", OK, 12},
    {"\u200d12\u180e", OK, 12},
    {"012", OK, 12},
    {"+3", OK, 3},
    {"-0", OK, 0},
    {"1000000000", OK, 1000000000},
    /* thousands separators */
    {"1 234", OK, 1234},
    {"1\u00a0234", OK, 1234},
    {"1\u202f234", OK, 1234},
    {"1\u2009234", OK, 1234},
    {"1\u200a234", OK, 1234},
    {"1 020", OK, 1020},
    {"12 345 678", OK, 12345678},
    {"1 234,0", OK, 1234},
    {"1  234", NAN_, NOVAL},
    {"12 34", NAN_, NOVAL},
    {"1234 567", NAN_, NOVAL},
    {"1 2345", NAN_, NOVAL},
    {"1 234 5", NAN_, NOVAL},
    /* dot: a fraction, or ambiguous */
    {"1.234", FRAC, NOVAL},
    {"1.000", NAN_, NOVAL},
    {"12.000", NAN_, NOVAL},
    {"12,000", OK, 12},
    {"1.234.567", NAN_, NOVAL},
    /* words and dashes read as 0 */
    {"-", ZERO, 0},
    {"–", ZERO, 0},
    {"—", ZERO, 0},
    {" - ", ZERO, 0},
    {"néant", ZERO, 0},
    {"Néant", ZERO, 0},
    {"NEANT", ZERO, 0},
    {"NÉANT", ZERO, 0},
    {"aucun", ZERO, 0},
    {"Aucune", ZERO, 0},
    {"AUCUN", ZERO, 0},
    /* fractions and negatives */
    {"12,5", FRAC, NOVAL},
    {"12.5", FRAC, NOVAL},
    {"0,5", FRAC, NOVAL},
    {"-2", NEG, NOVAL},
    {"–2", NEG, NOVAL},
    {"\u22122", NEG, NOVAL},
    {"-2,5", NEG, NOVAL},
    {"-1 234", NEG, NOVAL},
    /* not a number */
    {"NC", NAN_, NOVAL},
    {"?", NAN_, NOVAL},
    {"env. 12", NAN_, NOVAL},
    {"12 ?", NAN_, NOVAL},
    {"10-12", NAN_, NOVAL},
    {"10 à 12", NAN_, NOVAL},
    {"12 (Coup de pouce)", NAN_, NOVAL},
    {"12 enfants environ", NAN_, NOVAL},
    {"enfants", NAN_, NOVAL},
    {"12enfants", NAN_, NOVAL},
    /* a count with a word for children: the count, UNIT_REMOVED */
    {"12 enfants", UNIT, 12},
    {"12 Enfants", UNIT, 12},
    {"1 enfant", UNIT, 1},
    {"12 élèves", UNIT, 12},
    {"12 ELEVES", UNIT, 12},
    {"15 enf.", UNIT, 15},
    {"15 enf", UNIT, 15},
    {" 1 234 enfants ", UNIT, 1234},
    {"12\u00a0enfants", UNIT, 12},
    {"12,5 enfants", FRAC, NOVAL},
    {"-3 enfants", NEG, NOVAL},
    {"1/2", NAN_, NOVAL},
    {"50%", NAN_, NOVAL},
    {"12.", NAN_, NOVAL},
    {",5", NAN_, NOVAL},
    {"1e3", NAN_, NOVAL},
    {"--", NAN_, NOVAL},
    {"- 2", NAN_, NOVAL},
    {"douze", NAN_, NOVAL},
    {"1'234", NAN_, NOVAL},
    {"1000000001", NAN_, NOVAL},
    {"99999999999999999999999", NAN_, NOVAL},
    {"néant.", NAN_, NOVAL},
    /* blank */
    {"", BLANK, NOVAL},
    {"   ", BLANK, NOVAL},
    {"\u00a0\u202f", BLANK, NOVAL},
};

Test(value, text)
{
    size_t n = sizeof text_cases / sizeof text_cases[0];
    cr_assert_geq(n, 40);
    for (size_t i = 0; i < n; i++) {
        const text_case *c = &text_cases[i];
        int64_t value = 777;
        clasconv_value_status status =
            clasconv_value_parse_text(c->text, &value);
        cr_expect_eq(status, c->status, "[%s] gave status %d, expected %d",
                     c->text, (int)status, (int)c->status);
        cr_expect_eq(value, c->value, "[%s] gave value %lld, expected %lld",
                     c->text, (long long)value, (long long)c->value);
    }
}

Test(value, null_text)
{
    int64_t value = 777;
    cr_expect_eq(clasconv_value_parse_text(NULL, &value), BLANK);
    cr_expect_eq(value, NOVAL);
    cr_expect_eq(clasconv_value_parse_text("12", NULL), OK);
    cr_expect_eq(clasconv_value_parse_number(2.5, NULL), FRAC);
}

Test(value, long_text)
{
    char text[200];
    memset(text, '1', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    int64_t value = 777;
    cr_expect_eq(clasconv_value_parse_text(text, &value), NAN_);
    cr_expect_eq(value, NOVAL);
}

typedef struct number_case {
    double number;
    clasconv_value_status status;
    int64_t value;
} number_case;

static const number_case number_cases[] = {
    {12.0, OK, 12},         {0.0, OK, 0},
    {-0.0, OK, 0},          {15, OK, 15},
    {14.999999999, OK, 15}, {15.000000001, OK, 15},
    {1e-12, OK, 0},         {1000000000.0, OK, 1000000000},
    {12.5, FRAC, NOVAL},    {14.99, FRAC, NOVAL},
    {0.1, FRAC, NOVAL},     {-3, NEG, NOVAL},
    {-0.5, NEG, NOVAL},     {1000000001.0, NAN_, NOVAL},
    {1e300, NAN_, NOVAL},
};

Test(value, number)
{
    for (size_t i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
        const number_case *c = &number_cases[i];
        int64_t value = 777;
        clasconv_value_status status =
            clasconv_value_parse_number(c->number, &value);
        cr_expect_eq(status, c->status, "[%.17g] gave status %d, expected %d",
                     c->number, (int)status, (int)c->status);
        cr_expect_eq(value, c->value, "[%.17g] gave %lld, expected %lld",
                     c->number, (long long)value, (long long)c->value);
    }
}

Test(value, number_not_finite)
{
    int64_t value = 777;
    cr_expect_eq(clasconv_value_parse_number(NAN, &value), NAN_);
    cr_expect_eq(value, NOVAL);
    cr_expect_eq(clasconv_value_parse_number(INFINITY, &value), NAN_);
    cr_expect_eq(clasconv_value_parse_number(-INFINITY, &value), NAN_);
}

static clasconv_cell text_cell(const char *text, unsigned flags)
{
    clasconv_cell cell;
    memset(&cell, 0, sizeof cell);
    cell.type = CLASCONV_CELL_TEXT;
    cell.v.text = text;
    cell.flags = (uint8_t)flags;
    return cell;
}

static clasconv_cell number_cell(double number, unsigned flags)
{
    clasconv_cell cell;
    memset(&cell, 0, sizeof cell);
    cell.type = CLASCONV_CELL_NUMBER;
    cell.v.number = number;
    cell.flags = (uint8_t)flags;
    return cell;
}

typedef struct cell_case {
    clasconv_cell cell;
    clasconv_value_status status;
    int64_t value;
    const char *text; /* as rendered for the Anomalies sheet */
} cell_case;

Test(value, cells)
{
    const cell_case cases[] = {
        {text_cell("12", 0), OK, 12, "12"},
        {text_cell(" 12,5 ", 0), FRAC, NOVAL, " 12,5 "},
        {text_cell("NC", 0), NAN_, NOVAL, "NC"},
        {text_cell("néant", 0), ZERO, 0, "néant"},
        {text_cell("#DIV/0!", CLASCONV_CELL_ERROR), NAN_, NOVAL, "#DIV/0!"},
        {text_cell("12", CLASCONV_CELL_DATE), NAN_, NOVAL, "12"},
        {number_cell(15, 0), OK, 15, "15"},
        {number_cell(15, CLASCONV_CELL_FORMULA), OK, 15, "15"},
        {number_cell(12.5, 0), FRAC, NOVAL, "12,5"},
        {number_cell(-3, 0), NEG, NOVAL, "-3"},
        {number_cell(-0.0, 0), OK, 0, "0"},
        {number_cell(0.1, 0), FRAC, NOVAL, "0,1"},
        {number_cell(1234567, 0), OK, 1234567, "1234567"},
        {number_cell(14.999999999, CLASCONV_CELL_FORMULA), OK, 15,
         "14,999999999"},
        {number_cell(1, CLASCONV_CELL_BOOLEAN), NAN_, NOVAL, "VRAI"},
        {number_cell(0, CLASCONV_CELL_BOOLEAN), NAN_, NOVAL, "FAUX"},
        {number_cell(46000, CLASCONV_CELL_DATE), NAN_, NOVAL, "46000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cell_case *c = &cases[i];
        int64_t value = 777;
        clasconv_value_status status =
            clasconv_value_parse_cell(&c->cell, &value);
        char buf[64];
        clasconv_value_cell_text(&c->cell, buf, sizeof buf);
        cr_expect_eq(status, c->status, "case %zu [%s]: status %d, expected %d",
                     i, c->text, (int)status, (int)c->status);
        cr_expect_eq(value, c->value,
                     "case %zu [%s]: value %lld, expected %lld", i, c->text,
                     (long long)value, (long long)c->value);
        cr_expect_str_eq(buf, c->text, "case %zu: rendered [%s], expected [%s]",
                         i, buf, c->text);
    }
}

Test(value, blank_cell)
{
    int64_t value = 777;
    cr_expect_eq(clasconv_value_parse_cell(NULL, &value), BLANK);
    cr_expect_eq(value, NOVAL);
    char buf[8] = "xxx";
    clasconv_value_cell_text(NULL, buf, sizeof buf);
    cr_expect_str_eq(buf, "");
}

/* Rendering cuts long text on a UTF-8 boundary. */
Test(value, cell_text_truncated)
{
    clasconv_cell cell = text_cell("ééé", 0); /* 6 bytes */
    char buf[4];
    clasconv_value_cell_text(&cell, buf, sizeof buf);
    cr_expect_str_eq(buf, "é");
    char one[1] = {'x'};
    clasconv_value_cell_text(&cell, one, sizeof one);
    cr_expect_eq(one[0], '\0');
}

/* Pseudo-random texts of tricky pieces: value and status always agree. */
Test(value, random_pieces)
{
    static const char *const pieces[] = {
        "1", "0",     "9",        " ",    ",",      ".",
        "-", "+",     "\xe2\x80", "\xc2", "\u00a0", "\u202f",
        "–", "néant", "e",        "%",    "999",    "\xe2\x88\x92",
        "\t"};
    uint32_t seed = 777;
    char text[128];
    for (int round = 0; round < 5000; round++) {
        test_random_text(pieces, sizeof pieces / sizeof pieces[0], 10, &seed,
                         text);
        int64_t value = 777;
        clasconv_value_status status = clasconv_value_parse_text(text, &value);
        if (status == OK || status == ZERO) {
            cr_assert(value >= 0 && value <= CLASCONV_COUNT_MAX, "[%s]", text);
        } else {
            cr_assert_eq(value, NOVAL, "[%s] status %d", text, (int)status);
        }
        if (status == ZERO) {
            cr_assert_eq(value, 0, "[%s]", text);
        }
    }
}
