/* test_error.c: the one errno -> French table (core/error.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clasconv/error.h"
#include "core/text.h"

#include "test_util.h"

Test(errno_fr, known_numbers_have_french_reasons)
{
    cr_assert_str_eq(clasconv_errno_fr(ENOSPC), "disque plein");
    cr_assert_str_eq(clasconv_errno_fr(EACCES), "permission refusée");
    cr_assert_str_eq(clasconv_errno_fr(ENOENT), "le dossier n'existe pas");
    cr_assert_str_eq(clasconv_errno_fr(ENOMEM), "mémoire insuffisante");
    cr_assert_str_eq(clasconv_errno_advice_fr(ENOSPC),
                     "Libérez de la place ou choisissez un autre emplacement");
    cr_assert_null(clasconv_errno_advice_fr(ENOMEM));
    cr_assert_null(clasconv_errno_advice_fr(EXDEV));
}

Test(errno_fr, unknown_numbers_say_the_number)
{
    cr_assert_str_eq(clasconv_errno_fr(99999), "erreur système n° 99999");
    cr_assert_str_eq(clasconv_errno_fr(0), "erreur système n° 0");
}

/* No number gives the C library's English text, or an empty string. */
Test(errno_fr, never_the_system_english_text)
{
    for (int e = 1; e < 200; e++) {
        const char *fr = clasconv_errno_fr(e);
        char english[256];

        snprintf(english, sizeof english, "%s", strerror(e));
        cr_assert_not_null(fr);
        cr_assert(fr[0] != '\0', "errno %d", e);
        cr_assert(clasconv_utf8_valid(fr, strlen(fr)), "errno %d", e);
        cr_assert(strstr(fr, english) == NULL, "errno %d: %s", e, fr);
        cr_assert(strstr(fr, "No such") == NULL, "errno %d: %s", e, fr);
        cr_assert(fr[strlen(fr) - 1] != '.', "errno %d: %s", e, fr);
    }
}
