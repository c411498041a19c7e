/* formmeta.h: the Word form's first-page fields (« Territoire de : »,
 * coordinator...) read from paragraphs outside tables, into the grid's meta.
 * One home: the DOCX reader's parser (docx.c); the ODT reader calls it. */
#ifndef CLASCONV_READ_FORMMETA_H
#define CLASCONV_READ_FORMMETA_H

#include "clasconv/grid.h"
#include "read/zipxml.h"

/**
 * Looks at one paragraph (outside tables, in document order) for the form's
 * fields and sets the grid's meta (the first value of a key wins).
 * `*pending` carries state between paragraphs: start it at 0.
 * Fails only on MEMORY.
 */
clasconv_error clasconv_form_meta_paragraph(clasconv_grid *grid, int *pending,
                                            clasconv_text *para);

#endif
