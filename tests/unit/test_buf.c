/* test_buf.c: the one capped byte buffer (core/buf.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/buf.h"

#include "test_util.h"

Test(buf, appends_and_formats)
{
    clasconv_buf b = {0};

    cr_assert_eq(clasconv_buf_puts(&b, "école "), CLASCONV_OK);
    cr_assert_eq(clasconv_buf_printf(&b, "%d/%s", 12, "x"), CLASCONV_OK);
    cr_assert_eq(clasconv_buf_json_string(&b, "a\"b"), CLASCONV_OK);
    cr_assert_str_eq(b.data, "école 12/x\"a\\\"b\"");
    cr_assert_eq(b.len, strlen(b.data));
    clasconv_buf_free(&b);
}

Test(buf, the_first_error_is_kept)
{
    clasconv_buf b = {0};
    static const char big[1] = {'x'};

    cr_assert_eq(clasconv_buf_puts(&b, "début"), CLASCONV_OK);
    cr_assert_eq(clasconv_buf_append(&b, big, CLASCONV_BUF_MAX),
                 CLASCONV_ERR_TOO_LARGE, "past the hard cap");
    cr_assert_eq(clasconv_buf_puts(&b, "x"), CLASCONV_ERR_TOO_LARGE);
    cr_assert_eq(clasconv_buf_printf(&b, "%d", 1), CLASCONV_ERR_TOO_LARGE);
    cr_assert_eq(clasconv_buf_puts(&b, NULL), CLASCONV_ERR_TOO_LARGE);
    cr_assert_str_eq(b.data, "début", "nothing appended after the error");
    clasconv_buf_reset(&b);
    cr_assert_eq(clasconv_buf_puts(&b, "ok"), CLASCONV_OK, "reset clears it");
    cr_assert_str_eq(b.data, "ok");
    clasconv_buf_free(&b);
}

Test(buf, grows_without_a_capacity_field_and_reuses_after_reset)
{
    clasconv_buf b = {0};
    size_t i;

    for (i = 0; i < 5000; i++)
        cr_assert_eq(clasconv_buf_printf(&b, "%04zu;", i % 10000), CLASCONV_OK);
    cr_assert_eq(b.len, 5 * 5000);
    cr_assert_eq(strncmp(b.data + 5 * 4999, "4999;", 5), 0);
    clasconv_buf_reset(&b);
    for (i = 0; i < 300; i++) /* past the first 256 bytes again */
        cr_assert_eq(clasconv_buf_append(&b, "ab", 2), CLASCONV_OK);
    cr_assert_eq(b.len, 600);
    b.len = 10; /* a writer rolls back: the buffer keeps working */
    b.data[10] = '\0';
    cr_assert_eq(clasconv_buf_puts(&b, "c"), CLASCONV_OK);
    cr_assert_str_eq(b.data, "ababababab"
                             "c");
    clasconv_buf_free(&b);
}
