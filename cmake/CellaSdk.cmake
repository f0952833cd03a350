# The SDK (docs/sdk.md): what a system outside this tree is built with. `cmake --install
# build/<preset> --prefix DIR` (or the sdk target, into CELLA_SDK_DIR) writes, for this build's
# variant, DIR/<variant>/ (kernel, initializer, runtime libraries, the shared cells, the board's
# runner file) and, shared by every variant, the headers, the tools, the boards, the CMake
# package (find_package(Cella)) and the guide. Installing several presets into one DIR gives
# an SDK with each of their variants.

# The variant is named like the preset that builds it: qemu-virt-aarch64[-release|-clang].
set(variant "${CELLA_PLATFORM}")
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
  string(APPEND variant "-clang")
elseif(NOT CELLA_DEBUG)
  string(APPEND variant "-release")
endif()
set(CELLA_SDK_VARIANT "${variant}" CACHE STRING "This build's directory in the SDK")
set(CELLA_SDK_DIR "${PROJECT_SOURCE_DIR}/build/sdk" CACHE PATH "Where the sdk target installs the SDK")
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)    # not /usr/local: the SDK is a folder of its own
  set(CMAKE_INSTALL_PREFIX "${CELLA_SDK_DIR}" CACHE PATH "Where cmake --install puts the SDK" FORCE)
endif()
set(CELLA_SDK_CELLS console storage auth wallet billing vmm)   # prebuilt cells systems share

set(v "${CELLA_SDK_VARIANT}")
install(FILES $<TARGET_FILE:kernel> DESTINATION "${v}" RENAME kernel.elf)
install(FILES $<TARGET_FILE:initializer> DESTINATION "${v}" RENAME initializer.elf)
install(TARGETS cella_runtime sel4like ARCHIVE DESTINATION "${v}/lib")
install(FILES $<TARGET_OBJECTS:cella_crt0> DESTINATION "${v}/lib" RENAME crt0.o)
foreach(cell IN LISTS CELLA_SDK_CELLS)
  install(FILES $<TARGET_FILE:${cell}> DESTINATION "${v}/programs")
endforeach()
install(FILES "${CELLA_PLATFORM_JSON}" "${CELLA_PLATFORM_GEN_DIR}/platform_vars.cmake"
        DESTINATION "${v}/platform")
file(CONFIGURE OUTPUT "${CMAKE_BINARY_DIR}/sdk/variant.cmake" CONTENT
"# The ${v} variant of the Cella SDK (written by the build that installed it).
set(CELLA_PLATFORM \"${CELLA_PLATFORM}\")
set(CELLA_VARIANT_DEBUG ${CELLA_DEBUG})
set(CELLA_VARIANT_COMPILER \"${CMAKE_C_COMPILER_ID}\")
set(CELLA_VARIANT_VERSION \"${PROJECT_VERSION}\")
")
install(FILES "${CMAKE_BINARY_DIR}/sdk/variant.cmake" DESTINATION "${v}")

# Shared by every variant.
install(DIRECTORY libsel4-like/include/ DESTINATION include)
install(FILES runtime/cell.h runtime/runtime.h DESTINATION include)
install(FILES runtime/user.ld DESTINATION lib)
install(PROGRAMS tools/cella-manifest tools/run-qemu tools/pack-image DESTINATION tools)
install(DIRECTORY tools/cellatools DESTINATION tools FILES_MATCHING PATTERN "*.py"
        PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY platforms/ DESTINATION platforms)
install(FILES cmake/CellaTarget.cmake cmake/CellaUser.cmake cmake/CellaQemu.cmake DESTINATION cmake)
install(DIRECTORY cmake/toolchain DESTINATION cmake)
configure_file(cmake/CellaConfigVersion.cmake.in "${CMAKE_BINARY_DIR}/sdk/CellaConfigVersion.cmake" @ONLY)
install(FILES cmake/CellaConfig.cmake "${CMAKE_BINARY_DIR}/sdk/CellaConfigVersion.cmake" DESTINATION cmake)
install(FILES docs/sdk.md DESTINATION . RENAME README.md)
install(FILES docs/sdk.md docs/manifest.md docs/abi.md DESTINATION docs)

add_custom_target(sdk
  COMMAND "${CMAKE_COMMAND}" --install "${CMAKE_BINARY_DIR}" --prefix "${CELLA_SDK_DIR}"
  DEPENDS kernel initializer cella_runtime sel4like cella_crt0 ${CELLA_SDK_CELLS}
  COMMENT "Installing the ${v} SDK into ${CELLA_SDK_DIR}"
  VERBATIM)
