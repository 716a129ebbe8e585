# Builds report_chart_library.cpp for `trainplan report` (run by cli/CMakeLists.txt at build
# time): `npm ci` of the pinned packages into WORK_DIR, then embed_chart_library.js. Where npm
# cannot fetch them (an offline machine), the build goes on without the chart library: the
# report command then says so. Delete WORK_DIR to try again.
# Variables: NPM, NODE, SOURCE_DIR (report/), WORK_DIR, OUTPUT, FALLBACK.
file(COPY ${SOURCE_DIR}/package.json ${SOURCE_DIR}/package-lock.json DESTINATION ${WORK_DIR})
execute_process(
  COMMAND ${NPM} ci --ignore-scripts --no-audit --no-fund --loglevel=error
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE npm_result)
set(node_result 1)
if(npm_result EQUAL 0)
  execute_process(
    COMMAND ${NODE} ${SOURCE_DIR}/embed_chart_library.js ${WORK_DIR}/node_modules ${OUTPUT}
    RESULT_VARIABLE node_result)
endif()
if(NOT node_result EQUAL 0)
  message(STATUS "trainplan report: could not fetch or embed the chart libraries (npm ci: "
                 "${npm_result}); building without them (delete ${WORK_DIR} to try again)")
  configure_file(${FALLBACK} ${OUTPUT} COPYONLY)
endif()
