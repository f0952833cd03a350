# The Linux guest of the work persona: Debian 12's arm64 kernel and busybox, fetched once per
# machine into a cache outside the build tree (tools/fetch-guest), Cella's helpers built as static
# Linux programs against musl, and an initramfs of them all (tools/make-initramfs).
# Outputs in the build tree: guest/Image and guest/initramfs.cpio.gz. See docs/linux-guest.md.
set(CELLA_LINUX_GUEST_KERNEL "cloud-arm64" CACHE STRING
    "The Linux guest's kernel: a Debian flavour (cloud-arm64, arm64) or linux-image-...-unsigned[=VERSION]")
set(CELLA_LINUX_GUEST_BUSYBOX "busybox-static" CACHE STRING "The Linux guest's busybox package[=VERSION]")
set(CELLA_LINUX_GUEST_CACHE "" CACHE PATH
    "Where fetched guest packages are kept (empty: \${XDG_CACHE_HOME:-~/.cache}/cella/guest)")
set(CELLA_LINUX_GUEST_MODULES virtio_mmio virtio_console virtio_blk CACHE STRING
    "Kernel modules the guest's init loads (with what they depend on)")

# The guest of personas that show a screen: Debian's generic arm64 flavour, which has the
# simple-framebuffer driver and the framebuffer console built in (the cloud flavour has neither),
# with the virtio keyboard's driver and evdev. Its files are named apart (Image-screen,
# initramfs-screen.cpio.gz), since a manifest names a persona's kernel by file name.
set(CELLA_LINUX_SCREEN_GUEST_KERNEL "arm64" CACHE STRING
    "The kernel of personas with a screen: a Debian flavour with FB_SIMPLE and fbcon (arm64)")
set(CELLA_LINUX_SCREEN_GUEST_MODULES virtio_mmio virtio_console virtio_blk virtio_input evdev CACHE STRING
    "Kernel modules the screen guest's init loads (with what they depend on)")
set(CELLA_LINUX_SCREEN_GUEST_DIR "${CMAKE_BINARY_DIR}/guest-screen")
set(CELLA_LINUX_SCREEN_GUEST_IMAGE "${CELLA_LINUX_SCREEN_GUEST_DIR}/Image-screen")
set(CELLA_LINUX_SCREEN_GUEST_INITRAMFS "${CELLA_LINUX_SCREEN_GUEST_DIR}/initramfs-screen.cpio.gz")

set(CELLA_LINUX_GUEST_DIR "${CMAKE_BINARY_DIR}/guest")
set(CELLA_LINUX_GUEST_IMAGE "${CELLA_LINUX_GUEST_DIR}/Image")
set(CELLA_LINUX_GUEST_INITRAMFS "${CELLA_LINUX_GUEST_DIR}/initramfs.cpio.gz")
# The bare guest's command line; cella.test=1 makes init power off instead of starting a shell.
set(CELLA_LINUX_GUEST_APPEND "console=ttyAMA0")

set(CELLA_MUSL_LIBDIR "/usr/lib/aarch64-linux-musl")
set(CELLA_LINUX_CRT_BEGIN "${CELLA_MUSL_LIBDIR}/crt1.o" "${CELLA_MUSL_LIBDIR}/crti.o")
set(CELLA_LINUX_CRT_END "${CELLA_MUSL_LIBDIR}/crtn.o")
foreach(f IN LISTS CELLA_LINUX_CRT_BEGIN CELLA_LINUX_CRT_END)
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "${f} is missing: install musl-dev:arm64 (tools/install-deps does)")
  endif()
endforeach()

# cella_add_linux_program(<target> SOURCES <file>... [OUTPUT_NAME <name>]): a static AArch64 Linux
# executable linked with musl.
function(cella_add_linux_program target)
  cmake_parse_arguments(P "" "OUTPUT_NAME" "SOURCES" ${ARGN})
  if(NOT P_OUTPUT_NAME)
    set(P_OUTPUT_NAME ${target})
  endif()
  add_executable(${target} ${P_SOURCES})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${P_OUTPUT_NAME})
  target_compile_options(${target} PRIVATE ${CELLA_USER_FLAGS} $<$<COMPILE_LANGUAGE:C>:${CELLA_WARNINGS}>)
  target_link_options(${target} PRIVATE ${CELLA_STATIC_LINK_FLAGS} ${CELLA_LINUX_CRT_BEGIN})
  target_link_libraries(${target} PRIVATE "${CELLA_MUSL_LIBC}" "${CELLA_LIBGCC}" ${CELLA_LINUX_CRT_END})
endfunction()

# A stripped copy of a program target, guest/bin/<output name>, for the initramfs; sets <out_var>.
function(_cella_guest_binary target out_var)
  get_target_property(name ${target} OUTPUT_NAME)
  set(out "${CELLA_LINUX_GUEST_DIR}/bin/${name}")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${CELLA_LINUX_GUEST_DIR}/bin"
    COMMAND ${CELLA_OBJCOPY} --strip-all $<TARGET_FILE:${target}> "${out}"
    DEPENDS ${target} VERBATIM)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# _cella_fetch_guest(<dir> <kernel> <image name> <modules> <out_var>): the command that fetches a
# guest's kernel, busybox and modules into <dir>; sets <out_var> to what it writes.
function(_cella_fetch_guest dir kernel image modules out_var)
  set(tools "${PROJECT_SOURCE_DIR}/tools")
  set(fetched "${dir}/${image}" "${dir}/busybox" "${dir}/modules/load-order" "${dir}/guest.json")
  set(fetch_args --out "${dir}" --kernel "${kernel}" --image-name "${image}"
                 --busybox "${CELLA_LINUX_GUEST_BUSYBOX}")
  if(CELLA_LINUX_GUEST_CACHE)
    list(APPEND fetch_args --cache "${CELLA_LINUX_GUEST_CACHE}")
  endif()
  foreach(m IN LISTS modules)
    list(APPEND fetch_args --module ${m})
  endforeach()
  add_custom_command(OUTPUT ${fetched}
    COMMAND "${Python3_EXECUTABLE}" "${tools}/fetch-guest" ${fetch_args}
    DEPENDS "${tools}/fetch-guest" "${tools}/cellatools/guest.py" "${tools}/cellatools/debcache.py"
            "${tools}/cellatools/linuxkernel.py" "${tools}/cellatools/elf.py"
    COMMENT "Linux guest: Debian 12 arm64 kernel (${kernel}) and busybox (downloaded once per machine)"
    VERBATIM)
  set(${out_var} ${fetched} PARENT_SCOPE)
endfunction()

# _cella_guest_initramfs(<dir> <initramfs> <fetched> <init> <binaries>): the command that packs
# <initramfs> from a fetched guest in <dir> and Cella's programs (/init, /bin/*).
function(_cella_guest_initramfs dir initramfs fetched init binaries)
  set(tools "${PROJECT_SOURCE_DIR}/tools")
  set(program_args)
  foreach(binary IN LISTS binaries)
    get_filename_component(name "${binary}" NAME)
    list(APPEND program_args --program "${name}=${binary}")
  endforeach()
  add_custom_command(OUTPUT "${initramfs}"
    COMMAND "${Python3_EXECUTABLE}" "${tools}/make-initramfs" --out "${initramfs}"
            --busybox "${dir}/busybox" --modules "${dir}/modules" --init "${init}" ${program_args}
    DEPENDS ${fetched} "${init}" ${binaries} "${tools}/make-initramfs"
            "${tools}/cellatools/initramfs.py" "${tools}/cellatools/cpio.py"
    VERBATIM)
endfunction()

# cella_linux_guest(INIT <program target> [PROGRAMS <program target>...]): the linux-guest target,
# which fetches the kernel and busybox and assembles guest/initramfs.cpio.gz with INIT as /init
# and each program as /bin/<its output name>; and the linux-screen-guest target, the same
# programs with the screen guest's kernel and modules (guest-screen/).
function(cella_linux_guest)
  cmake_parse_arguments(G "" "INIT" "PROGRAMS" ${ARGN})
  _cella_guest_binary(${G_INIT} init)
  set(binaries)
  foreach(p IN LISTS G_PROGRAMS)
    _cella_guest_binary(${p} binary)
    list(APPEND binaries "${binary}")
  endforeach()

  _cella_fetch_guest("${CELLA_LINUX_GUEST_DIR}" "${CELLA_LINUX_GUEST_KERNEL}" Image
                     "${CELLA_LINUX_GUEST_MODULES}" fetched)
  _cella_guest_initramfs("${CELLA_LINUX_GUEST_DIR}" "${CELLA_LINUX_GUEST_INITRAMFS}" "${fetched}"
                         "${init}" "${binaries}")
  add_custom_target(linux-guest ALL DEPENDS "${CELLA_LINUX_GUEST_IMAGE}" "${CELLA_LINUX_GUEST_INITRAMFS}")

  get_filename_component(screen_image "${CELLA_LINUX_SCREEN_GUEST_IMAGE}" NAME)
  _cella_fetch_guest("${CELLA_LINUX_SCREEN_GUEST_DIR}" "${CELLA_LINUX_SCREEN_GUEST_KERNEL}" "${screen_image}"
                     "${CELLA_LINUX_SCREEN_GUEST_MODULES}" fetched)
  _cella_guest_initramfs("${CELLA_LINUX_SCREEN_GUEST_DIR}" "${CELLA_LINUX_SCREEN_GUEST_INITRAMFS}"
                         "${fetched}" "${init}" "${binaries}")
  add_custom_target(linux-screen-guest ALL
    DEPENDS "${CELLA_LINUX_SCREEN_GUEST_IMAGE}" "${CELLA_LINUX_SCREEN_GUEST_INITRAMFS}")
endfunction()

# cella_add_linux_bare_test(NAME <name> APPEND <kernel command line> [any cella_add_qemu_test
# argument]): boots guest/Image with guest/initramfs.cpio.gz on the board, without Cella.
function(cella_add_linux_bare_test)
  cmake_parse_arguments(T "" "NAME;APPEND" "ARGS" ${ARGN})
  cella_add_qemu_test(NAME ${T_NAME} IMAGE "${CELLA_LINUX_GUEST_IMAGE}" ${T_UNPARSED_ARGUMENTS}
    ARGS --initrd "${CELLA_LINUX_GUEST_INITRAMFS}" --append "${T_APPEND}" ${T_ARGS})
endfunction()
