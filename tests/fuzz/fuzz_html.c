/* fuzz_html.c: libFuzzer entry point of the html target (body in targets.c). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fuzz_target_html(data, size);
    return 0;
}
