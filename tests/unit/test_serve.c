/* test_serve.c: the pieces of `clasconv serve` that need no socket: labels
 * from uploaded names, the result store (tokens, expiry, caps), worker
 * records, private folders, and the HTML page extras. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"
#include "serve/serve_internal.h"

static void label_is(const char *name, const char *want)
{
    char *got = serve_label_clean(name);

    cr_assert_not_null(got);
    cr_assert_str_eq(got, want, "label of «%s»: «%s», want «%s»", name, got,
                     want);
    free(got);
}

Test(serve, labels_are_base_names_without_controls)
{
    label_is("Bron 2026.xls", "Bron 2026.xls");
    label_is("../../etc/passwd", "passwd");
    label_is("C:\\Users\\agent\\Bureau\\Vénissieux.csv", "Vénissieux.csv");
    label_is("a\nb\tc.csv", "a b c.csv");
    label_is("  espaces.csv  ", "espaces.csv");
    label_is("..", "fichier");
    label_is("dossier/", "fichier");
    label_is("", "fichier");
    label_is(NULL, "fichier");
    label_is("bad\xff.csv", "bad\xef\xbf\xbd.csv");
}

Test(serve, long_labels_are_cut_on_a_character)
{
    char name[600];
    char *got;
    size_t i;

    for (i = 0; i + 2 < sizeof name; i += 2)
        memcpy(name + i, "\xc3\xa9", 2); /* é */
    name[i] = '\0';
    got = serve_label_clean(name);
    cr_assert_not_null(got);
    cr_assert_leq(strlen(got), SERVE_LABEL_MAX);
    cr_assert_eq(strlen(got) % 2, 0, "cut inside a character");
    free(got);
}

Test(serve, stems)
{
    char out[64];

    serve_label_stem("Bron 2026.xls", out, sizeof out);
    cr_assert_str_eq(out, "Bron 2026");
    serve_label_stem(".cache", out, sizeof out);
    cr_assert_str_eq(out, ".cache");
    serve_label_stem("sans", out, sizeof out);
    cr_assert_str_eq(out, "sans");
}

Test(serve, tokens_are_random_hex)
{
    char a[SERVE_TOKEN_LEN + 1], b[SERVE_TOKEN_LEN + 1];
    size_t i;

    cr_assert_eq(serve_token(a), 0);
    cr_assert_eq(serve_token(b), 0);
    cr_assert_eq(strlen(a), SERVE_TOKEN_LEN);
    for (i = 0; i < SERVE_TOKEN_LEN; i++)
        cr_assert(strchr("0123456789abcdef", a[i]) != NULL);
    cr_assert_str_neq(a, b);
}

static serve_item *one_item(const char *key, const char *text)
{
    serve_item *it = calloc(1, sizeof *it);

    cr_assert_not_null(it);
    it->key = strdup(key);
    it->filename = strdup("x.csv");
    it->ctype = "text/csv";
    it->data = (unsigned char *)strdup(text);
    it->len = strlen(text);
    return it;
}

Test(serve, store_holds_copies_under_the_token)
{
    serve_store *s = serve_store_new(600);
    char token[SERVE_TOKEN_LEN + 1], other[SERVE_TOKEN_LEN + 1];
    serve_item got;

    cr_assert_not_null(s);
    cr_assert_eq(serve_token(token), 0);
    cr_assert_eq(serve_token(other), 0);
    cr_assert_eq(serve_store_put(s, token, one_item("json", "{}"), 1), 0);
    cr_assert_eq(serve_store_get(s, token, "json", &got), 0);
    cr_assert_eq(got.len, 2);
    cr_assert_eq(memcmp(got.data, "{}", 2), 0);
    cr_assert_str_eq(got.filename, "x.csv");
    serve_item_clear(&got);
    cr_assert_eq(serve_store_get(s, token, "classeur", &got), -1);
    cr_assert_eq(serve_store_get(s, other, "json", &got), -1);
    cr_assert_eq(serve_store_get(s, "court", "json", &got), -1);
    serve_store_free(s);
}

Test(serve, store_forgets_after_the_keep_time)
{
    serve_store *s = serve_store_new(1);
    char token[SERVE_TOKEN_LEN + 1];
    serve_item got;

    cr_assert_eq(serve_token(token), 0);
    cr_assert_eq(serve_store_put(s, token, one_item("json", "{}"), 1), 0);
    cr_assert_eq(serve_store_get(s, token, "json", &got), 0);
    serve_item_clear(&got);
    sleep(2);
    cr_assert_eq(serve_store_get(s, token, "json", &got), -1);
    serve_store_free(s);
}

Test(serve, store_evicts_the_oldest_beyond_its_count)
{
    serve_store *s = serve_store_new(600);
    char first[SERVE_TOKEN_LEN + 1], token[SERVE_TOKEN_LEN + 1];
    serve_item got;
    unsigned i;

    cr_assert_eq(serve_token(first), 0);
    cr_assert_eq(serve_store_put(s, first, one_item("json", "1"), 1), 0);
    for (i = 0; i < SERVE_STORE_MAX_RESULTS; i++) {
        cr_assert_eq(serve_token(token), 0);
        cr_assert_eq(serve_store_put(s, token, one_item("json", "n"), 1), 0);
    }
    cr_assert_eq(serve_store_get(s, first, "json", &got), -1);
    cr_assert_eq(serve_store_get(s, token, "json", &got), 0);
    serve_item_clear(&got);
    serve_store_free(s);
}

Test(serve, parts_keep_names_and_bytes)
{
    serve_parts p = {0};

    cr_assert_eq(serve_parts_add(&p, "html", "<p>", 3), 0);
    cr_assert_eq(serve_parts_add(&p, "vide", "", 0), 0);
    cr_assert_eq(serve_parts_find(&p, "html")->len, 3);
    cr_assert_eq(serve_parts_find(&p, "vide")->len, 0);
    cr_assert_null(serve_parts_find(&p, "xlsx"));
    serve_parts_free(&p);
    cr_assert_eq(p.count, 0);
}

Test(serve, private_folders_are_0700_and_removed_whole)
{
    serve_ctx ctx;
    struct stat st;
    char *dir, path[512];
    FILE *f;

    memset(&ctx, 0, sizeof ctx);
    ctx.tmpbase = "/tmp";
    dir = serve_tmpdir_make(&ctx);
    cr_assert_not_null(dir);
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/sous", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/sous/f.xlsx", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("x", f);
    fclose(f);
    serve_tmpdir_remove(dir);
    cr_assert_neq(stat(dir, &st), 0, "%s still there", dir);
    free(dir);
}

Test(serve, report_extras_go_around_the_same_report)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_buf plain = {0}, same = {0}, extra = {0};
    clasconv_html_extra x;
    const char *verdict, *top, *nav, *bottom, *footer;

    cr_assert_not_null(t);
    clasconv_table_set_string(&t->file_name, "a.csv");
    cr_assert_eq(clasconv_render_html(t, &plain), CLASCONV_OK);
    cr_assert_eq(clasconv_render_html_page(t, NULL, &same), CLASCONV_OK);
    cr_assert_str_eq(plain.data, same.data);
    memset(&x, 0, sizeof x);
    x.css = ".x{color:red}";
    x.nav = "<nav>NAV</nav>";
    x.top = "<p>TOP</p>";
    x.bottom = "<p>BOTTOM</p>";
    cr_assert_eq(clasconv_render_html_page(t, &x, &extra), CLASCONV_OK);
    cr_assert_not_null(strstr(extra.data, ".x{color:red}</style>"));
    nav = strstr(extra.data, "<body><nav>NAV</nav><header>");
    verdict = strstr(extra.data, "id=\"verdict\"");
    top = strstr(extra.data, "</header>\n<p>TOP</p>");
    bottom = strstr(extra.data, "<p>BOTTOM</p>");
    footer = strstr(extra.data, "<footer>");
    cr_assert(nav && verdict && top && bottom && footer);
    cr_assert(nav < verdict && verdict < top && top < bottom &&
              bottom < footer);
    clasconv_buf_free(&plain);
    clasconv_buf_free(&same);
    clasconv_buf_free(&extra);
    clasconv_table_free(t);
}

Test(serve, escape_is_the_report_escape)
{
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_html_escape(&out, "<a href='x'>&\"</a>"),
                 CLASCONV_OK);
    cr_assert_str_eq(out.data,
                     "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    clasconv_buf_free(&out);
}
