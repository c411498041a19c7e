/* targets.h: the fuzz targets' bodies, shared by libFuzzer and the replay test.
 */
#ifndef CLASCONV_FUZZ_TARGETS_H
#define CLASCONV_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* Each runs one input through one reader (or the whole pipeline) and
 * returns the clasconv_error it gave; any crash, leak or undefined
 * behaviour is the bug, a non-zero error is not. */
int fuzz_target_csv(const uint8_t *data, size_t size);
int fuzz_target_xls(const uint8_t *data, size_t size);
int fuzz_target_xlsx(const uint8_t *data, size_t size);
int fuzz_target_ods(const uint8_t *data, size_t size);
int fuzz_target_docx(const uint8_t *data, size_t size);
int fuzz_target_pipeline(const uint8_t *data, size_t size);
int fuzz_target_xml2003(const uint8_t *data, size_t size);
int fuzz_target_annuaire(const uint8_t *data, size_t size);
/* The pipeline, then the HTML report, JSON and terminal report, each held
 * to the output budget (abort() past it). */
int fuzz_target_render(const uint8_t *data, size_t size);
int fuzz_target_odt(const uint8_t *data, size_t size);
int fuzz_target_html(const uint8_t *data, size_t size);

typedef struct fuzz_target {
    const char *name; /* as in tests/fuzz/corpus/<name>/ */
    int (*run)(const uint8_t *data, size_t size);
} fuzz_target;

/* What the targets read, kept so that the reads are not optimized away. */
extern volatile unsigned long fuzz_sink;

/* Every target, in a fixed order. */
extern const fuzz_target fuzz_targets[];
extern const size_t fuzz_target_count;

#endif
