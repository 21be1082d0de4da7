# SPDX-License-Identifier: BSD-3-Clause
# cmake -DIN=docs/man/libvplat.3.in -DINCLUDE=include -DVERSION=x.y.z -DOUT=... -P gen-libvplat-man.cmake
# libvplat(3): the hand-written part, then one entry per public header with the summary from
# its "@file" comment, so a new header appears in the page without anyone editing it.
file(READ ${IN} _page)
string(CONFIGURE "${_page}" _page @ONLY)
file(GLOB_RECURSE _hdrs RELATIVE ${INCLUDE} ${INCLUDE}/vplat/*.h)
list(SORT _hdrs)
foreach(h ${_hdrs})
  file(STRINGS ${INCLUDE}/${h} _lines LIMIT_COUNT 12)
  set(_brief "")
  set(_next FALSE)
  foreach(l ${_lines})
    if(_next)
      string(REGEX REPLACE "^ *\\* *" "" _brief "${l}")
      break()
    endif()
    if(l MATCHES "@file")
      set(_next TRUE)
    endif()
  endforeach()
  string(REPLACE "\\" "\\e" _brief "${_brief}")
  string(REGEX REPLACE "^([.'])" "\\\\&\\1" _brief "${_brief}")
  string(APPEND _page ".TP\n.B <${h}>\n${_brief}\n")
endforeach()
string(APPEND _page ".SH SEE ALSO\n.BR vplat-device (8),\n.BR vplat-platform (1),\n"
       ".BR vplat-conform (1),\n.BR vplat-shmem-server (8),\n.BR vplat-switch (1),\n"
       ".BR vplat-demo (1),\n.BR pkg-config (1);\n"
       "the guides in /usr/share/doc/vplat (start with guide-hypervisor-vendor.md).\n")
file(WRITE ${OUT}.tmp "${_page}")
file(RENAME ${OUT}.tmp ${OUT})
