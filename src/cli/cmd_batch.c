/* cmd_batch.c: placeholder until the batch command lands (issue tracker). */
#include "cli.h"

int cmd_batch(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("la commande « batch » n'est pas encore disponible dans cette"
              " version.");
    return CLI_EXIT_USAGE;
}
