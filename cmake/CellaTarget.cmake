# Compiler flags for everything that runs on the target: kernel and user level.
set(CELLA_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
                   -Wundef -Wvla -Wno-unused-parameter)
set(CELLA_FREESTANDING_FLAGS -std=c11 -ffreestanding -fno-common -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections
    -mgeneral-regs-only -march=armv8-a)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND CELLA_FREESTANDING_FLAGS -mno-outline-atomics)
endif()
set(CELLA_STATIC_LINK_FLAGS -nostdlib -static -Wl,--gc-sections -Wl,--build-id=none
    -Wl,-z,max-page-size=4096 -Wl,-z,norelro)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND CELLA_STATIC_LINK_FLAGS -no-pie)
endif()

string(TOUPPER "${CMAKE_BUILD_TYPE}" _build)
if(_build STREQUAL "RELEASE")
  set(CELLA_DEBUG OFF)
  set(CELLA_OPT_FLAGS -Os)
else()
  set(CELLA_DEBUG ON)
  set(CELLA_OPT_FLAGS -O1 -g)
endif()
# Flags chosen above; CMake's per-configuration defaults would override them.
set(CMAKE_C_FLAGS_DEBUG "")
set(CMAKE_C_FLAGS_RELEASE "")
set(CMAKE_ASM_FLAGS_DEBUG "")
set(CMAKE_ASM_FLAGS_RELEASE "")

# Applies the target flags to a freestanding executable or library.
function(cella_target_flags target)
  target_compile_options(${target} PRIVATE ${CELLA_FREESTANDING_FLAGS} ${CELLA_OPT_FLAGS}
                         $<$<COMPILE_LANGUAGE:C>:${CELLA_WARNINGS}>)
  if(CELLA_DEBUG)
    target_compile_definitions(${target} PRIVATE CELLA_DEBUG=1)
  else()
    target_compile_definitions(${target} PRIVATE NDEBUG=1)
  endif()
endfunction()

# Prints text, data and bss of an ELF after each link.
function(cella_print_size target)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CELLA_SIZE} $<TARGET_FILE:${target}>
    VERBATIM)
endfunction()
