# Freestanding AArch64 with clang and lld.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET aarch64-none-elf)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_ASM_COMPILER_TARGET aarch64-none-elf)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# binutils' size and objcopy read any AArch64 ELF, whoever wrote it.
set(CELLA_SIZE aarch64-linux-gnu-size)
set(CELLA_OBJCOPY aarch64-linux-gnu-objcopy)
set(CELLA_LINKER_FLAVOUR lld)
