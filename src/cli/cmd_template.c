/* cmd_template.c: placeholder until the template command lands (issue tracker).
 */
#include "cli.h"

int cmd_template(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("la commande « template » n'est pas encore disponible dans cette"
              " version.");
    return CLI_EXIT_USAGE;
}
