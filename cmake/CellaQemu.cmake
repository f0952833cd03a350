# Booting images in QEMU through tools/run-qemu: the run and debug targets and system tests.
set(CELLA_RUNNER "${PROJECT_SOURCE_DIR}/tools/run-qemu")

# cella_add_qemu_test(NAME <name> IMAGE <elf> [TIMEOUT <s>] [PASS <re>] [FAIL <re>]
#                     [EXIT_STATUS <n>] [EXPECT <re>...] [FORBID <re>...] [ARGS <runner args>...])
function(cella_add_qemu_test)
  cmake_parse_arguments(T "" "NAME;IMAGE;TIMEOUT;PASS;FAIL;EXIT_STATUS" "EXPECT;FORBID;ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  set(cmd "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
          --image "${T_IMAGE}" --mode test --timeout ${T_TIMEOUT}
          --log "${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}.log")
  if(T_PASS)
    list(APPEND cmd --pass "${T_PASS}")
  endif()
  if(T_FAIL)
    list(APPEND cmd --fail "${T_FAIL}")
  endif()
  if(DEFINED T_EXIT_STATUS)
    list(APPEND cmd --exit-status ${T_EXIT_STATUS})
  endif()
  foreach(e IN LISTS T_EXPECT)
    list(APPEND cmd --expect "${e}")
  endforeach()
  foreach(f IN LISTS T_FORBID)
    list(APPEND cmd --forbid "${f}")
  endforeach()
  add_test(NAME ${T_NAME} COMMAND ${cmd} ${T_ARGS})
  math(EXPR ctest_timeout "${T_TIMEOUT} + 30")
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${ctest_timeout} LABELS qemu)
endfunction()

# The demo, run and debug targets for the platform's main image.
function(cella_add_run_targets image depends)
  set(gdb_script "${CMAKE_BINARY_DIR}/cella.gdb")
  file(GENERATE OUTPUT "${gdb_script}" CONTENT
"# Written by the build: attach to QEMU started by the debug target.
file ${CELLA_KERNEL_ELF}
target remote localhost:1234
set disassemble-next-line on
")
  # The demo plays itself through and ends with the runner's verdict.
  add_custom_target(demo
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
            --image "${image}" --mode test --timeout 300 --exit-status 0
    DEPENDS ${depends} USES_TERMINAL VERBATIM)
  add_custom_target(run
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
            --image "${image}" --mode run
    DEPENDS ${depends} USES_TERMINAL VERBATIM)
  add_custom_target(debug
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
            --image "${image}" --mode debug --gdb-script "${gdb_script}"
    DEPENDS ${depends} USES_TERMINAL VERBATIM)
endfunction()
