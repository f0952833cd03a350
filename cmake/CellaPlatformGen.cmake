# cella_generate_platform(<platform.toml> <out_dir>): writes a board's generated files at
# configure time (tools/platformgen.py) and reconfigures when the board folder changes.
function(cella_generate_platform toml out_dir)
  execute_process(
    COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/tools/platformgen.py" "${toml}" "${out_dir}"
    RESULT_VARIABLE result ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${err}")
  endif()
  get_filename_component(dir "${toml}" DIRECTORY)
  file(GLOB sources "${dir}/*")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${sources}
               "${PROJECT_SOURCE_DIR}/tools/platformgen.py")
endfunction()
