/* listing.c: the values of an unknown column quoted in its anomaly. */
#include "table/listing.h"

#include "clasconv/anomaly.h"
#include "core/cut.h"

clasconv_error clasconv_listing_add(clasconv_buf *list, size_t column,
                                    const char *name, const char *value)
{
    if (column >= CLASCONV_ANOMALIES_PER_CODE) {
        return CLASCONV_OK;
    }
    if (list->len > 0) {
        clasconv_buf_puts(list, " ; ");
    }
    clasconv_cut_append(list, name, CLASCONV_LISTING_MAX_TEXT);
    clasconv_buf_puts(list, " : « ");
    clasconv_cut_append(list, value, CLASCONV_LISTING_MAX_TEXT);
    return clasconv_buf_puts(list, " »");
}
