/* report_util.h: what the terminal reports share (private). */
#ifndef CLASCONV_WRITE_REPORT_UTIL_H
#define CLASCONV_WRITE_REPORT_UTIL_H

/**
 * A copy of `text` safe to print on a terminal: valid UTF-8, no control
 * characters (tabs and line breaks become spaces, others `\xHH`), so hostile
 * cell text cannot move the cursor or change colours. NULL when out of
 * memory. Caller frees.
 */
char *clasconv_terminal_text(const char *text);

#endif
