/* grow.c: the one array-growth helper. */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>

clasconv_error clasconv_grow(void **p, size_t *cap, size_t need, size_t elem,
                             size_t max)
{
    size_t new_cap;
    void *grown;

    if (need <= *cap)
        return CLASCONV_OK;
    if (elem == 0)
        elem = 1;
    if (max > SIZE_MAX / elem)
        max = SIZE_MAX / elem;
    if (need > max)
        return CLASCONV_ERR_TOO_LARGE;
    new_cap = *cap ? *cap + *cap / 2 : 16;
    if (new_cap < *cap || new_cap > max) /* wrapped, or past the cap */
        new_cap = max;
    if (new_cap < need)
        new_cap = need;
    grown = realloc(*p, new_cap * elem);
    if (grown == NULL)
        return CLASCONV_ERR_MEMORY;
    *p = grown;
    *cap = new_cap;
    return CLASCONV_OK;
}

size_t clasconv_grow_capacity(size_t count, size_t min, size_t max)
{
    size_t cap = min ? min : 1;

    if (count == 0)
        return 0;
    while (cap < count && cap <= max / 2)
        cap *= 2;
    if (cap < count || cap > max)
        cap = max;
    return cap;
}

clasconv_error clasconv_grow_count(void **p, size_t count, size_t need,
                                   size_t elem, size_t max)
{
    size_t cap;
    void *grown;

    if (elem == 0)
        elem = 1;
    if (max > SIZE_MAX / elem)
        max = SIZE_MAX / elem;
    if (need > max)
        return CLASCONV_ERR_TOO_LARGE;
    if (*p != NULL &&
        need <= clasconv_grow_capacity(count, CLASCONV_GROW_MIN, max))
        return CLASCONV_OK;
    cap = clasconv_grow_capacity(need, CLASCONV_GROW_MIN, max);
    if (cap == 0)
        return CLASCONV_OK; /* need == 0: nothing to hold */
    grown = realloc(*p, cap * elem);
    if (grown == NULL)
        return CLASCONV_ERR_MEMORY;
    *p = grown;
    return CLASCONV_OK;
}

void *clasconv_realloc_capped(void *ptr, size_t size, size_t max)
{
    if (size > max)
        return NULL;
    return realloc(ptr, size);
}
