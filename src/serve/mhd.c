/* mhd.c: libmicrohttpd opened with dlopen() by the server only (mhd.h). */
#include "serve/mhd.h"

#include <dlfcn.h>
#include <string.h>

#ifndef CLASCONV_MHD_SONAME
/* The Debian package names it in its Depends (cmake/install.cmake:
 * CPACK_DEBIAN_PACKAGE_DEPENDS, libmicrohttpd12): keep them in step. */
#define CLASCONV_MHD_SONAME "libmicrohttpd.so.12"
#endif

serve_mhd_api serve_mhd;

static void *lib;

/* dlsym() returns an object pointer: copied into the function pointer as
 * POSIX allows, without an ISO C conversion. */
static int resolve(void *fp, size_t size, const char *name)
{
    void *sym = dlsym(lib, name);

    if (sym == NULL)
        return -1;
    memcpy(fp, &sym, size);
    return 0;
}

#define RESOLVE(field, name)                                                   \
    (resolve(&serve_mhd.field, sizeof serve_mhd.field, name) == 0)

clasconv_error serve_mhd_load(clasconv_diag *diag)
{
    const char *missing = NULL;

    if (lib != NULL)
        return CLASCONV_OK;
    lib = dlopen(CLASCONV_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        clasconv_diag_set(diag,
                          "Le serveur ne peut pas démarrer : la bibliothèque "
                          "%s est introuvable (paquet libmicrohttpd12).",
                          CLASCONV_MHD_SONAME);
        return CLASCONV_ERR_UNSUPPORTED;
    }
    if (!RESOLVE(create_response_from_buffer,
                 "MHD_create_response_from_buffer"))
        missing = "MHD_create_response_from_buffer";
    else if (!RESOLVE(add_response_header, "MHD_add_response_header"))
        missing = "MHD_add_response_header";
    else if (!RESOLVE(queue_response, "MHD_queue_response"))
        missing = "MHD_queue_response";
    else if (!RESOLVE(destroy_response, "MHD_destroy_response"))
        missing = "MHD_destroy_response";
    else if (!RESOLVE(create_post_processor, "MHD_create_post_processor"))
        missing = "MHD_create_post_processor";
    else if (!RESOLVE(post_process, "MHD_post_process"))
        missing = "MHD_post_process";
    else if (!RESOLVE(destroy_post_processor, "MHD_destroy_post_processor"))
        missing = "MHD_destroy_post_processor";
    else if (!RESOLVE(lookup_connection_value, "MHD_lookup_connection_value"))
        missing = "MHD_lookup_connection_value";
    else if (!RESOLVE(start_daemon, "MHD_start_daemon"))
        missing = "MHD_start_daemon";
    else if (!RESOLVE(get_daemon_info, "MHD_get_daemon_info"))
        missing = "MHD_get_daemon_info";
    else if (!RESOLVE(stop_daemon, "MHD_stop_daemon"))
        missing = "MHD_stop_daemon";
    if (missing != NULL) {
        clasconv_diag_set(diag,
                          "Le serveur ne peut pas démarrer : la fonction %s "
                          "manque dans %s.",
                          missing, CLASCONV_MHD_SONAME);
        dlclose(lib);
        lib = NULL;
        return CLASCONV_ERR_UNSUPPORTED;
    }
    return CLASCONV_OK;
}
