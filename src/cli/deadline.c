/* deadline.c: the --delai time limit of convert, check and dump.
 *
 * A wall-clock timer (setitimer) whose SIGALRM handler prints a prepared
 * French message and ends the process with status 2. Chosen over deadline
 * checks inside the library because a check in clasconv's loops cannot
 * interrupt a call that is slow inside expat, zlib, FreeXL or libxlsxwriter,
 * and because the library's own work is already linear in the input (see
 * docs/ROBUSTNESS.md). The batch and the server run each file in a worker
 * process limited the same way (wall clock, CPU and memory, see
 * src/batch/worker.c): the limit always belongs to a process. */
#include "deadline.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "clasconv/buf.h"
#include "cli.h"

static char message[2048];
static size_t message_len;

static void on_alarm(int sig)
{
    ssize_t n;

    (void)sig;
    n = write(STDERR_FILENO, message, message_len);
    (void)n;
    _exit(CLI_EXIT_FAILED);
}

int cli_deadline_start(unsigned seconds, const char *input)
{
    struct sigaction sa;
    struct itimerval timer;
    clasconv_buf name = {0};
    int n;

    if (seconds == 0) {
        return 0;
    }
    clasconv_buf_printable(&name, input, 0);
    n = snprintf(message, sizeof message,
                 "clasconv: %s : le traitement n'était pas fini après %u s "
                 "et a été arrêté. Le fichier est peut-être abîmé ou "
                 "anormalement gros ; vérifiez-le, ou relancez avec --delai "
                 "pour allonger le temps permis.\n",
                 name.data != NULL ? name.data : "?", seconds);
    clasconv_buf_free(&name);
    message_len = n < 0                        ? 0
                  : (size_t)n < sizeof message ? (size_t)n
                                               : sizeof message - 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0) {
        return -1;
    }
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_sec = (time_t)seconds;
    return setitimer(ITIMER_REAL, &timer, NULL);
}
