/* cli.h: the subcommands of the clasconv tool and their exit statuses. */
#ifndef CLASCONV_CLI_H
#define CLASCONV_CLI_H

/* Exit statuses (SPEC section 5). */
enum {
    CLI_EXIT_OK = 0,     /* success */
    CLI_EXIT_ERRORS = 1, /* check found errors; batch had files with errors */
    CLI_EXIT_FAILED = 2, /* a file could not be read or written */
    CLI_EXIT_USAGE = 64  /* bad usage */
};

int cmd_convert(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/** Prints "clasconv: <message>" on stderr (printf-style). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** Writes `len` bytes to stdout; returns 0 or -1 (error printed). */
int cli_write_stdout(const char *data, unsigned long len);

#endif
