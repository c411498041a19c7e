/* deadline.h: the --delai time limit of convert, check and dump. */
#ifndef CLASCONV_CLI_DEADLINE_H
#define CLASCONV_CLI_DEADLINE_H

/* Default of --delai (seconds). */
#define CLI_DEADLINE_DEFAULT_S 60u

/* From now, ends the process with a French message naming `input` and
 * status 2 after `seconds` of wall-clock time (0: no limit). Returns 0, or
 * -1 when the timer cannot be set. */
int cli_deadline_start(unsigned seconds, const char *input);

#endif
