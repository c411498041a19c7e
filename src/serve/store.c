/* store.c: results held in memory for a few minutes under a random token,
 * so that a page can offer downloads; then freed. Nothing goes to disk. */
#include "serve/serve_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct held {
    char token[SERVE_TOKEN_LEN + 1];
    time_t expires;
    serve_item *items;
    size_t count;
    size_t bytes;
} held;

struct serve_store {
    pthread_mutex_t lock;
    unsigned keep_s;
    held *results; /* oldest first */
    size_t count;
    size_t bytes;
};

static time_t now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

void serve_item_clear(serve_item *item)
{
    free(item->key);
    free(item->filename);
    free(item->data);
    memset(item, 0, sizeof *item);
}

static void held_free(held *h)
{
    size_t i;

    for (i = 0; i < h->count; i++)
        serve_item_clear(&h->items[i]);
    free(h->items);
}

serve_store *serve_store_new(unsigned keep_s)
{
    serve_store *s = calloc(1, sizeof *s);

    if (!s)
        return NULL;
    s->results = calloc(SERVE_STORE_MAX_RESULTS, sizeof *s->results);
    if (!s->results) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->keep_s = keep_s;
    return s;
}

void serve_store_free(serve_store *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->count; i++)
        held_free(&s->results[i]);
    free(s->results);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Drops result `i` (lock held). */
static void drop(serve_store *s, size_t i)
{
    s->bytes -= s->results[i].bytes;
    held_free(&s->results[i]);
    memmove(&s->results[i], &s->results[i + 1],
            (s->count - i - 1) * sizeof *s->results);
    s->count--;
}

/* Drops expired results (lock held); results are in expiry order. */
static void expire(serve_store *s)
{
    time_t now = now_s();

    while (s->count > 0 && s->results[0].expires <= now)
        drop(s, 0);
}

int serve_store_put(serve_store *s, const char *token, serve_item *items,
                    size_t count)
{
    held h;
    size_t i;

    memset(&h, 0, sizeof h);
    memcpy(h.token, token, SERVE_TOKEN_LEN);
    h.items = items;
    h.count = count;
    for (i = 0; i < count; i++)
        h.bytes += items[i].len;
    if (h.bytes > SERVE_STORE_MAX_BYTES) {
        held_free(&h);
        return -1;
    }
    pthread_mutex_lock(&s->lock);
    expire(s);
    while (s->count > 0 && (s->count >= SERVE_STORE_MAX_RESULTS ||
                            s->bytes + h.bytes > SERVE_STORE_MAX_BYTES))
        drop(s, 0);
    h.expires = now_s() + (time_t)s->keep_s;
    s->results[s->count++] = h;
    s->bytes += h.bytes;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* Compares two tokens in a time that does not depend on where they
 * differ. */
static int same_token(const char *a, const char *b)
{
    unsigned char diff = 0;
    size_t i;

    for (i = 0; i < SERVE_TOKEN_LEN; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int serve_store_get(serve_store *s, const char *token, const char *key,
                    serve_item *copy)
{
    size_t i, j;
    int rc = -1;

    memset(copy, 0, sizeof *copy);
    if (strlen(token) != SERVE_TOKEN_LEN)
        return -1;
    pthread_mutex_lock(&s->lock);
    expire(s);
    for (i = 0; i < s->count && rc != 0; i++) {
        const held *h = &s->results[i];
        if (!same_token(h->token, token))
            continue;
        for (j = 0; j < h->count; j++) {
            const serve_item *it = &h->items[j];
            if (strcmp(it->key, key))
                continue;
            copy->key = strdup(it->key);
            copy->filename = strdup(it->filename ? it->filename : "");
            copy->data = malloc(it->len ? it->len : 1);
            copy->ctype = it->ctype;
            copy->page = it->page;
            copy->len = it->len;
            if (!copy->key || !copy->filename || !copy->data) {
                serve_item_clear(copy);
                break;
            }
            memcpy(copy->data, it->data, it->len);
            rc = 0;
            break;
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}
