# Installed like a tool: `cmake --install` and the Debian package (CPack).
#   bin/clasconv
#   share/man/man1/clasconv.1                    written by `clasconv --man`
#   share/bash-completion/completions/clasconv   by `clasconv --bash-completion`
#   share/doc/clasconv/                          README and docs/*.md
#   share/doc/clasconv/examples/                 systemd units and cron line,
#                                                pointing to the installed binary
# Both generated files come from the help texts (src/cli/help.c), so the man
# page and the completion never drift from `clasconv --help`.
include(GNUInstallDirs)

set(CLASCONV_MAN ${CMAKE_BINARY_DIR}/generated/clasconv.1)
set(CLASCONV_COMPLETION ${CMAKE_BINARY_DIR}/generated/clasconv.bash)
add_custom_command(
  OUTPUT ${CLASCONV_MAN} ${CLASCONV_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND sh -c "\"$1\" --man > \"$2.tmp\" && mv \"$2.tmp\" \"$2\"" sh
          $<TARGET_FILE:clasconv> ${CLASCONV_MAN}
  COMMAND sh -c "\"$1\" --bash-completion > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
          sh $<TARGET_FILE:clasconv> ${CLASCONV_COMPLETION}
  DEPENDS clasconv
  COMMENT "clasconv(1) and the bash completion from the help texts"
  VERBATIM)
add_custom_target(clasconv_generated ALL
  DEPENDS ${CLASCONV_MAN} ${CLASCONV_COMPLETION})

install(TARGETS clasconv RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CLASCONV_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CLASCONV_COMPLETION}
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME clasconv)
file(GLOB CLASCONV_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CLASCONV_DOCS}
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The examples name /usr/local/bin/clasconv in the source tree; installed,
# they name the binary where it actually went. The prefix is the one of the
# install itself (cmake --install --prefix, or /usr inside the package), so
# it is read at install time.
file(GLOB CLASCONV_EXAMPLES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/scripts/*.service ${CMAKE_SOURCE_DIR}/scripts/*.timer
  ${CMAKE_SOURCE_DIR}/scripts/*.cron)
install(CODE "
  set(examples \"${CLASCONV_EXAMPLES}\")
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  set(dest \"\$ENV{DESTDIR}\${prefix}/${CMAKE_INSTALL_DOCDIR}/examples\")
  if(IS_ABSOLUTE \"${CMAKE_INSTALL_DOCDIR}\")
    set(dest \"\$ENV{DESTDIR}${CMAKE_INSTALL_DOCDIR}/examples\")
  endif()
  set(bin \"\${prefix}/${CMAKE_INSTALL_BINDIR}\")
  set(doc \"\${prefix}/${CMAKE_INSTALL_DOCDIR}\")
  file(MAKE_DIRECTORY \"\${dest}\")
  foreach(example IN LISTS examples)
    get_filename_component(name \"\${example}\" NAME)
    file(READ \"\${example}\" text)
    string(REPLACE \"/usr/local/bin/clasconv\" \"\${bin}/clasconv\" text \"\${text}\")
    string(REPLACE \"/usr/local/share/doc/clasconv\" \"\${doc}\" text \"\${text}\")
    string(REPLACE \" clas clasconv \" \" clas \${bin}/clasconv \" text \"\${text}\")
    message(STATUS \"Installing: \${dest}/\${name}\")
    file(WRITE \"\${dest}/\${name}\" \"\${text}\")
  endforeach()
")

# The Debian package: scripts/package -> clasconv_<version>_amd64.deb, its
# Depends computed by dpkg-shlibdeps from the libraries the binary links,
# plus the one it opens at run time.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME clasconv)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "clasconv <clasconv@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "convertit les tableaux CLAS des communes en classeurs standardisés")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# `clasconv serve` opens libmicrohttpd with dlopen() (src/serve/mhd.c,
# CLASCONV_MHD_SONAME "libmicrohttpd.so.12"), which dpkg-shlibdeps cannot
# see: its package is named here, and CPack adds the computed list to it.
# Likewise libxml2 (src/read/html.c, CLASCONV_LIBXML2_SONAME "libxml2.so.2"),
# opened by the HTML reader only.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libmicrohttpd12, libxml2")
# .doc, .rtf (Writer) and .xlsb (Calc) are converted by LibreOffice when it
# is installed (src/read/soffice.c); without it they are refused.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
  "libreoffice-writer-nogui, libreoffice-calc-nogui")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS bash-completion)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_STRIP_FILES ON)
# Only the tool, not the static library nor what a subproject installs.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};clasconv;ALL;/")
include(CPack)
