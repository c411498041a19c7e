/* fuzz_xml2003.c: libFuzzer entry point of the xml2003 target (body in
 * targets.c). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fuzz_target_xml2003(data, size);
    return 0;
}
