/* test_text.c: the core text module: UTF-8 decoding and repair, the blank
 * set, the comparison key. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/text.h"
#include "core/text.h"

#include "test_util.h"

Test(text, decode_reads_every_length)
{
    uint32_t cp = 0;

    cr_assert_eq(clasconv_utf8_decode("A", 1, &cp), 1);
    cr_assert_eq(cp, 0x41);
    cr_assert_eq(clasconv_utf8_decode("\xC3\xA9", 2, &cp), 2);
    cr_assert_eq(cp, 0xE9);
    cr_assert_eq(clasconv_utf8_decode("\xE2\x80\x8B", 3, &cp), 3);
    cr_assert_eq(cp, 0x200B);
    cr_assert_eq(clasconv_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    cr_assert_eq(cp, 0x1F600);
}

Test(text, decode_refuses_invalid_sequences)
{
    uint32_t cp = 0;

    cr_assert_eq(clasconv_utf8_decode("", 0, &cp), 0);
    cr_assert_eq(clasconv_utf8_decode("\xC0\x80", 2, &cp), 0); /* overlong */
    cr_assert_eq(clasconv_utf8_decode("\xE0\x80\x80", 3, &cp), 0);
    cr_assert_eq(clasconv_utf8_decode("\xED\xA0\x80", 3, &cp), 0); /* D800 */
    cr_assert_eq(clasconv_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0);
    cr_assert_eq(clasconv_utf8_decode("\xC3", 1, &cp), 0); /* cut short */
    cr_assert_eq(clasconv_utf8_decode("\xE2\x80\x8B", 2, &cp), 0);
    cr_assert_eq(clasconv_utf8_decode("\x80", 1, &cp), 0);
    cr_assert_eq(clasconv_utf8_decode("\xFF", 1, &cp), 0);
}

Test(text, blank_set_holds_every_space_and_zero_width)
{
    static const uint32_t blanks[] = {
        0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0x85,   0xA0,
        0x1680, 0x180E, 0x2000, 0x2005, 0x2007, 0x200A, 0x200B, 0x200C,
        0x200D, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF};
    static const uint32_t others[] = {0x00,   0x08,   0x0E,   0x41,
                                      0xAD,   0x200E, 0x2030, 0x2061,
                                      0x3001, 0xFEFE, 0xFFFD, 0x1F600};

    for (size_t i = 0; i < sizeof blanks / sizeof *blanks; i++)
        cr_expect(clasconv_is_blank_cp(blanks[i]), "U+%04X is blank",
                  (unsigned)blanks[i]);
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        cr_expect(!clasconv_is_blank_cp(others[i]), "U+%04X is not blank",
                  (unsigned)others[i]);
}

Test(text, blank_len_and_is_blank)
{
    static const char all[] = " \t\u00a0\u2007\u200b\u3000\ufeff\u2060";

    cr_assert_eq(clasconv_blank_len("\u200b12", 5), 3);
    cr_assert_eq(clasconv_blank_len("\u200b", 2), 0); /* cut short */
    cr_assert_eq(clasconv_blank_len("\u00a0", 2), 2);
    cr_assert_eq(clasconv_blank_len("x", 1), 0);
    cr_assert(clasconv_text_is_blank(all, strlen(all)));
    cr_assert(clasconv_text_is_blank("", 0));
    cr_assert(!clasconv_text_is_blank("\u200b1", 4));
    cr_assert(!clasconv_text_is_blank("\xE2\x80", 2));
}

Test(text, repair_replaces_invalid_bytes_and_nonchars)
{
    static const char in[] = "a\xe9"
                             "b\0c\xEF\xBF\xBE"
                             "d\xC3\xA9";
    char *got = clasconv_utf8_repair(in, sizeof in - 1);

    cr_assert_str_eq(got, "a\xEF\xBF\xBD"
                          "bc\xEF\xBF\xBD"
                          "d\xC3\xA9");
    free(got);
    got = clasconv_utf8_repair("_x0041_ \xe9", 9);
    cr_assert_str_eq(got, "_x0041_ \xEF\xBF\xBD");
    free(got);
    got = clasconv_utf8_repair(NULL, 5);
    cr_assert_str_eq(got, "");
    free(got);
}

Test(text, key_folds_invalid_text_after_repair)
{
    char *a = clasconv_text_key("\xC9"
                                "cole \xff JULES");
    char *b = clasconv_text_key("Mère  Térésa");

    cr_assert_str_eq(a, "cole jules");
    cr_assert_str_eq(b, "mere teresa");
    free(a);
    free(b);
}
