/* main.c: the clasconv command line (placeholder until the CLI lands). */
#include <stdio.h>

#include "clasconv/clasconv.h"

int main(void)
{
    printf("clasconv %s\n", CLASCONV_VERSION);
    return 0;
}
