# Puts the generated options into the man page template (TEMPLATE), writing
# OUTPUT: TRAIN OPTIONS (OPTIONS) at @TRAIN_OPTIONS@, SWEEP OPTIONS (SWEEP) at
# @SWEEP_OPTIONS@, and each of COMMANDS' (comma-separated) options (DIR/COMMAND-options.roff)
# indented under its entry at @OPTIONS:COMMAND@.
file(READ "${TEMPLATE}" page)
file(READ "${OPTIONS}" options)
file(READ "${SWEEP}" sweep)
string(REPLACE "@TRAIN_OPTIONS@\n" "${options}" page "${page}")
string(REPLACE "@SWEEP_OPTIONS@\n" "${sweep}" page "${page}")
string(REPLACE "," ";" COMMANDS "${COMMANDS}")
foreach(command IN LISTS COMMANDS)
  file(READ "${DIR}/${command}-options.roff" entries)
  string(REPLACE "@OPTIONS:${command}@\n" ".RS\n${entries}.RE\n" page "${page}")
endforeach()
if(page MATCHES "@[A-Z_]+@|@OPTIONS:")
  message(FATAL_ERROR "the man page template has a placeholder nothing filled")
endif()
file(WRITE "${OUTPUT}" "${page}")
