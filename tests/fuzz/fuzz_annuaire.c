/* fuzz_annuaire.c: libFuzzer entry point of the annuaire target (body in
 * targets.c). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fuzz_target_annuaire(data, size);
    return 0;
}
