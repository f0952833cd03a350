# Freestanding AArch64 with Debian's aarch64-linux-gnu-gcc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CELLA_SIZE aarch64-linux-gnu-size)
set(CELLA_OBJCOPY aarch64-linux-gnu-objcopy)
set(CELLA_LINKER_FLAVOUR bfd)
