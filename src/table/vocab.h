/* vocab.h: the header and level vocabulary of SPEC section 1 (private). */
#ifndef CLASCONV_TABLE_VOCAB_H
#define CLASCONV_TABLE_VOCAB_H

#include "clasconv/anomaly.h"

/** What a header cell says, once folded and looked up. */
typedef enum vocab_kind {
    VOCAB_NONE = 0,     /* maps to nothing */
    VOCAB_SCHEME,       /* a scheme's count (scheme set) */
    VOCAB_QPV,          /* a "dont QPV" count; scheme PRE/CLAS or NONE */
    VOCAB_NAME,         /* the school name column */
    VOCAB_LEVEL,        /* a "Niveau" column */
    VOCAB_COUNT,        /* "NOMBRE D'ENFANTS" sub-header */
    VOCAB_AUTRE_DETAIL, /* the "Autre (précision)" column */
    VOCAB_UAI,          /* the school's UAI (UAI, RNE, Code établissement) */
    VOCAB_OBSERVATIONS  /* the template's « Observations de la commune » */
} vocab_kind;

typedef struct vocab_header {
    vocab_kind kind;
    clasconv_scheme scheme;
    char detail[128]; /* "Coup de pouce" for "Autre : Coup de pouce" */
} vocab_header;

/** Classifies a header cell's text (raw UTF-8). */
vocab_header vocab_classify_header(const char *text);

/**
 * The level a section label or a "Niveau" cell names ("NIVEAU COLLEGE",
 * "Primaire", "Lycées"), or CLASCONV_LEVEL_NONE. `folded` is the
 * clasconv_text_fold() of the text.
 */
clasconv_level vocab_level_label(const char *folded);

/** The level a "Niveau" cell names; a leading "niveau" is dropped first. */
clasconv_level vocab_level_cell(const char *folded);

/** The level a section label names ("Lycées", "NIVEAU COLLEGE"). */
clasconv_level vocab_level_section(const char *folded);

/** Kind of TOTAL row a folded first cell announces. */
typedef enum vocab_total {
    VOCAB_TOTAL_NONE = 0, /* not a total row */
    VOCAB_TOTAL_LEVEL,    /* "TOTAL COLLEGE": level set */
    VOCAB_TOTAL_BARE,     /* "TOTAL": level from context */
    VOCAB_TOTAL_ALL       /* "TOTAL GENERAL" */
} vocab_total;

vocab_total vocab_total_label(const char *folded, clasconv_level *level);

/** Non-zero when a folded text is a note or signature below the table. */
int vocab_is_note(const char *folded);

/** What a label in front of the commune's name is. */
typedef enum vocab_commune_kind {
    VOCAB_COMMUNE_NONE = 0, /* not a commune label */
    VOCAB_COMMUNE_CELL,     /* a cell of the form: "Territoire de :" */
    VOCAB_COMMUNE_TITLE     /* a title: "Ville de X", "Mairie de X" */
} vocab_commune_kind;

/**
 * When `text` (raw) opens with a commune label ("Territoire de :",
 * "Ville de Bron"; `folded` is its fold), what follows the label: the
 * commune's name (a title's may say more: "Ville de Bron - Éducation"), or
 * "" when it is in another cell. NULL when no label. Sets `*kind`: a label
 * with a colon, alone in its cell, or of the form is CELL; "Ville de",
 * "Mairie de", "Commune de" without a colon is TITLE.
 */
const char *vocab_after_commune_label(const char *text, const char *folded,
                                      vocab_commune_kind *kind);

/** Non-zero when a folded form-field name holds the commune. */
int vocab_is_commune_field(const char *folded);

/** Non-zero when a folded word is noise in a file name ("tableau",
 * "clas", "2026"...), for telling the commune from the file name. */
int vocab_is_file_name_noise(const char *folded);

#endif
