# find_package(Cella): the Cella SDK for a project outside the Cella tree (docs/sdk.md).
#
#   cmake -S . -B build -G Ninja -DCMAKE_PREFIX_PATH=<sdk> \
#         -DCMAKE_TOOLCHAIN_FILE=<sdk>/cmake/toolchain/aarch64-gcc.cmake [-DCELLA_VARIANT=<variant>]
#
# gives cella_cell(), cella_system(), cella_image(), cella_add_qemu_test() and cella_add_program(),
# as in the tree, building against the SDK's kernel, initializer, runtime and shared cells
# (imported as Cella::kernel, Cella::initializer, Cella::runtime, Cella::sel4like and
# Cella::console, Cella::storage, Cella::auth, Cella::wallet, Cella::billing, Cella::vmm).
get_filename_component(CELLA_SDK_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

file(GLOB variant_files RELATIVE "${CELLA_SDK_ROOT}" "${CELLA_SDK_ROOT}/*/variant.cmake")
set(variants "")
foreach(f IN LISTS variant_files)
  get_filename_component(d "${f}" DIRECTORY)
  list(APPEND variants "${d}")
endforeach()
list(SORT variants)
if(NOT variants)
  message(FATAL_ERROR "Cella SDK at ${CELLA_SDK_ROOT} holds no variant (install a build tree into it)")
endif()
list(GET variants 0 first)
set(CELLA_VARIANT "${first}" CACHE STRING "The SDK variant to build against: ${variants}")
set(CELLA_VARIANT_DIR "${CELLA_SDK_ROOT}/${CELLA_VARIANT}")
if(NOT EXISTS "${CELLA_VARIANT_DIR}/variant.cmake")
  message(FATAL_ERROR "CELLA_VARIANT=${CELLA_VARIANT}: this SDK has ${variants}")
endif()
include("${CELLA_VARIANT_DIR}/variant.cmake")

if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  message(FATAL_ERROR "Cella cells are AArch64 programs: configure with "
          "-DCMAKE_TOOLCHAIN_FILE=${CELLA_SDK_ROOT}/cmake/toolchain/aarch64-gcc.cmake (or aarch64-clang.cmake)")
endif()
find_package(Python3 3.11 REQUIRED COMPONENTS Interpreter)

set(CELLA_SDK ON)
set(CELLA_TOOLS_DIR "${CELLA_SDK_ROOT}/tools")
set(CELLA_USER_INCLUDES "${CELLA_SDK_ROOT}/include")
set(CELLA_USER_LD "${CELLA_SDK_ROOT}/lib/user.ld")
set(CELLA_CRT0 "${CELLA_VARIANT_DIR}/lib/crt0.o")
set(CELLA_PLATFORM_JSON "${CELLA_VARIANT_DIR}/platform/platform.json")
include("${CELLA_VARIANT_DIR}/platform/platform_vars.cmake")

foreach(lib cella_runtime sel4like)
  string(REPLACE "cella_" "" name "${lib}")
  if(NOT TARGET Cella::${name})
    add_library(Cella::${name} STATIC IMPORTED)
    set_target_properties(Cella::${name} PROPERTIES IMPORTED_LOCATION "${CELLA_VARIANT_DIR}/lib/lib${lib}.a")
  endif()
endforeach()
set(CELLA_RUNTIME_LIBRARIES Cella::runtime Cella::sel4like)

function(_cella_import_program target path)
  if(NOT TARGET ${target})
    add_executable(${target} IMPORTED)
    set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${path}")
  endif()
endfunction()
_cella_import_program(Cella::kernel "${CELLA_VARIANT_DIR}/kernel.elf")
_cella_import_program(Cella::initializer "${CELLA_VARIANT_DIR}/initializer.elf")
file(GLOB sdk_cells "${CELLA_VARIANT_DIR}/programs/*.elf")
foreach(path IN LISTS sdk_cells)
  get_filename_component(cell "${path}" NAME_WE)
  _cella_import_program(Cella::${cell} "${path}")
endforeach()
set(CELLA_KERNEL_TARGET Cella::kernel)
set(CELLA_INITIALIZER_TARGET Cella::initializer)
set(CELLA_KERNEL_ELF "${CELLA_VARIANT_DIR}/kernel.elf")
set(CELLA_SDK_PROGRAM_DIRS "${CELLA_VARIANT_DIR}/programs")

include("${CMAKE_CURRENT_LIST_DIR}/CellaTarget.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/CellaUser.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/CellaQemu.cmake")
set(Cella_FOUND TRUE)
