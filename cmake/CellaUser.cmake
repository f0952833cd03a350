# User-level programs: libsel4-like, the runtime, musl's libc.a, linked at CELL_PROGRAM_BASE.
#
# Used in two places: this tree, and an installed SDK (cmake/CellaConfig.cmake.in sets CELLA_SDK
# and the variables below to the SDK's files before including this one; docs/sdk.md).
set(CELLA_MUSL_INCLUDE "/usr/include/aarch64-linux-musl" CACHE PATH "musl headers for AArch64")
set(CELLA_MUSL_LIBC "/usr/lib/aarch64-linux-musl/libc.a" CACHE FILEPATH "musl's static libc for AArch64")
foreach(f IN ITEMS "${CELLA_MUSL_INCLUDE}/stdio.h" "${CELLA_MUSL_LIBC}")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "${f} is missing: install musl-dev:arm64 (tools/install-deps does)")
  endif()
endforeach()
execute_process(COMMAND aarch64-linux-gnu-gcc -print-libgcc-file-name
                OUTPUT_VARIABLE CELLA_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE)

set(CELLA_USER_FLAGS -std=c11 -D_GNU_SOURCE -nostdinc -isystem "${CELLA_MUSL_INCLUDE}"
    -fno-common -fno-pie -fno-stack-protector -ffunction-sections -fdata-sections
    -fno-asynchronous-unwind-tables -march=armv8-a)
if(CELLA_DEBUG)
  list(APPEND CELLA_USER_FLAGS -O1 -g)
else()
  list(APPEND CELLA_USER_FLAGS -O2)
endif()
if(NOT CELLA_SDK)            # in the tree: its own sources and targets
  set(CELLA_USER_INCLUDES "${PROJECT_SOURCE_DIR}/libsel4-like/include" "${PROJECT_SOURCE_DIR}/runtime")
  set(CELLA_TOOLS_DIR "${PROJECT_SOURCE_DIR}/tools")
  set(CELLA_USER_LD "${PROJECT_SOURCE_DIR}/runtime/user.ld")
  set(CELLA_CRT0 $<TARGET_OBJECTS:cella_crt0>)
  set(CELLA_RUNTIME_LIBRARIES cella_runtime sel4like)
  set(CELLA_KERNEL_TARGET kernel)
  set(CELLA_INITIALIZER_TARGET initializer)
  set(CELLA_SDK_PROGRAM_DIRS "")     # an SDK's prebuilt cells (console, vmm, ...)
endif()

# Flags for code that runs at user level.
function(cella_user_flags target)
  target_compile_options(${target} PRIVATE ${CELLA_USER_FLAGS} $<$<COMPILE_LANGUAGE:C>:${CELLA_WARNINGS}>)
  target_include_directories(${target} PRIVATE ${CELLA_USER_INCLUDES})
  if(CELLA_DEBUG)
    target_compile_definitions(${target} PRIVATE CELLA_DEBUG=1)
  endif()
endfunction()

# cella_add_program(<name> SOURCES <file>... [LIBRARIES <lib>...] [INITIALIZER]): a user ELF,
# <name>.elf. INITIALIZER programs run first and get a static heap; cells get theirs from
# the manifest. Cell programs go to ${CMAKE_BINARY_DIR}/programs, where manifests find them.
set(CELLA_PROGRAM_DIR "${CMAKE_BINARY_DIR}/programs")
function(cella_add_program name)
  cmake_parse_arguments(P "INITIALIZER" "" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${P_SOURCES} ${CELLA_CRT0})
  set_target_properties(${name} PROPERTIES SUFFIX ".elf" LINK_DEPENDS "${CELLA_USER_LD}")
  cella_user_flags(${name})
  target_link_options(${name} PRIVATE ${CELLA_STATIC_LINK_FLAGS} -T "${CELLA_USER_LD}")
  target_link_libraries(${name} PRIVATE -Wl,--start-group ${P_LIBRARIES} ${CELLA_RUNTIME_LIBRARIES}
                        "${CELLA_MUSL_LIBC}" "${CELLA_LIBGCC}" -Wl,--end-group)
  if(P_INITIALIZER)
    target_link_options(${name} PRIVATE -Wl,-u,runtime_static_heap)
  else()
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CELLA_PROGRAM_DIR}")
  endif()
endfunction()

# cella_cell(<program> SOURCES <file>... [LIBRARIES <lib>...] [MANIFEST <toml> [CELL <cell>]]):
# a cell's program, <program>.elf in the program folder. With MANIFEST, the program is written for
# that one system: `cella-manifest headers` writes <cell>.cell.h (CELL defaults to <program>),
# which declares every end and map the manifest gives the cell as the program's needs (cell.h),
# with handles CH_<CHANNEL>, IRQ_<IRQ> and MAP_<MAP>; the program includes "<cell>.cell.h".
# Without it, the program declares its needs itself (docs/manifest.md, "What a program needs").
function(cella_cell name)
  cmake_parse_arguments(C "" "MANIFEST;CELL" "SOURCES;LIBRARIES" ${ARGN})
  cella_add_program(${name} SOURCES ${C_SOURCES} LIBRARIES ${C_LIBRARIES})
  if(NOT C_MANIFEST)
    return()
  endif()
  if(NOT C_CELL)
    set(C_CELL ${name})
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${name}-cell")
  file(GLOB_RECURSE tool_sources CONFIGURE_DEPENDS "${CELLA_TOOLS_DIR}/cellatools/*.py")
  # The header is rewritten only when its text changes (restat), so a manifest edit that does
  # not touch this cell's ends or maps rebuilds nothing.
  add_custom_command(OUTPUT "${dir}/${C_CELL}.stamp" BYPRODUCTS "${dir}/${C_CELL}.cell.h"
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_TOOLS_DIR}/cella-manifest" headers "${C_MANIFEST}"
            -o "${dir}" --cell "${C_CELL}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${dir}/${C_CELL}.stamp"
    DEPENDS "${C_MANIFEST}" ${tool_sources}
    COMMENT "Declaring what cell ${C_CELL} of ${C_MANIFEST} is given"
    VERBATIM)
  target_sources(${name} PRIVATE "${dir}/${C_CELL}.stamp")
  set_source_files_properties("${dir}/${C_CELL}.stamp" PROPERTIES HEADER_FILE_ONLY ON)
  target_include_directories(${name} PRIVATE "${dir}")
endfunction()

# cella_system(<name> MANIFEST <toml> PROGRAMS <target>... [GUEST_DIRS <dir>...] [DEPENDS <t>...]
#              [KERNEL <kernel target>]):
# the manifest checked, proven and packed with the kernel (default: `kernel`), the initializer,
# the programs and any personas' files (found in GUEST_DIRS) into <name>.elf.
function(cella_system name)
  cmake_parse_arguments(S "" "MANIFEST;KERNEL" "PROGRAMS;GUEST_DIRS;DEPENDS" ${ARGN})
  if(NOT S_KERNEL)
    set(S_KERNEL ${CELLA_KERNEL_TARGET})
  endif()
  set(guest_args "")
  foreach(dir IN LISTS CELLA_SDK_PROGRAM_DIRS S_GUEST_DIRS)
    list(APPEND guest_args --program-dir "${dir}")
  endforeach()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}.elf")
  file(GLOB_RECURSE tool_sources CONFIGURE_DEPENDS "${CELLA_TOOLS_DIR}/cellatools/*.py")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_TOOLS_DIR}/cella-manifest" build "${S_MANIFEST}"
            --kernel $<TARGET_FILE:${S_KERNEL}> --initializer $<TARGET_FILE:${CELLA_INITIALIZER_TARGET}>
            --program-dir "${CELLA_PROGRAM_DIR}" ${guest_args} -o "${out}"
    DEPENDS "${S_MANIFEST}" ${S_KERNEL} ${CELLA_INITIALIZER_TARGET} ${S_PROGRAMS} ${S_DEPENDS} ${tool_sources}
    COMMENT "Checking and packing ${name}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${out}")
endfunction()

# cella_image(<target> INITIALIZER <program target> [FILES name=path...] [KERNEL <kernel target>]):
# kernel + payload in one bootable ELF, <target>.elf in the current binary directory.
function(cella_image target)
  cmake_parse_arguments(I "" "INITIALIZER;KERNEL" "FILES;DEPENDS" ${ARGN})
  if(NOT I_KERNEL)
    set(I_KERNEL ${CELLA_KERNEL_TARGET})
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}.elf")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_TOOLS_DIR}/pack-image"
            $<TARGET_FILE:${I_KERNEL}> "${out}" $<TARGET_FILE:${I_INITIALIZER}> ${I_FILES}
    DEPENDS ${I_KERNEL} ${I_INITIALIZER} ${I_DEPENDS} "${CELLA_TOOLS_DIR}/pack-image"
            "${CELLA_TOOLS_DIR}/cellatools/image.py" "${CELLA_TOOLS_DIR}/cellatools/payload.py"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${out}")
endfunction()
