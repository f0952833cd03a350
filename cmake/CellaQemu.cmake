# Booting images in QEMU through tools/run-qemu: the run and debug targets and system tests.
set(CELLA_RUNNER "${CELLA_TOOLS_DIR}/run-qemu")

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

# cella_add_run_targets(<image> <depends> [PASS <re>] [FAIL <re>] [TIMEOUT <s>]
#                       [TEST_ARGS <runner args>...] [RUN_ARGS <runner args>...]):
# the demo, run and debug targets for the platform's main image. The demo plays it through in
# test mode (TEST_ARGS: scripted input, extra QEMU arguments) and ends with the runner's
# verdict: the PASS marker, or without one QEMU powering off with status 0. run and debug
# put the console on this terminal (RUN_ARGS).
function(cella_add_run_targets image depends)
  cmake_parse_arguments(R "" "PASS;FAIL;TIMEOUT" "TEST_ARGS;RUN_ARGS" ${ARGN})
  if(NOT R_TIMEOUT)
    set(R_TIMEOUT 300)
  endif()
  set(verdict --exit-status 0)
  if(R_PASS)
    set(verdict --pass "${R_PASS}")
  endif()
  if(R_FAIL)
    list(APPEND verdict --fail "${R_FAIL}")
  endif()
  set(gdb_script "${CMAKE_BINARY_DIR}/cella.gdb")
  file(GENERATE OUTPUT "${gdb_script}" CONTENT
"# Written by the build: attach to QEMU started by the debug target.
file ${CELLA_KERNEL_ELF}
target remote localhost:1234
set disassemble-next-line on
")
  add_custom_target(demo
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
            --image "${image}" --mode test --timeout ${R_TIMEOUT} ${verdict} ${R_TEST_ARGS}
    DEPENDS ${depends} USES_TERMINAL VERBATIM)
  add_custom_target(run
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
            --image "${image}" --mode run ${R_RUN_ARGS}
    DEPENDS ${depends} USES_TERMINAL VERBATIM)
  add_custom_target(debug
    COMMAND "${Python3_EXECUTABLE}" "${CELLA_RUNNER}" --platform "${CELLA_PLATFORM_JSON}"
            --image "${image}" --mode debug --gdb-script "${gdb_script}" ${R_RUN_ARGS}
    DEPENDS ${depends} USES_TERMINAL VERBATIM)
endfunction()
