# Puts the generated TRAIN OPTIONS (OPTIONS) and SWEEP OPTIONS (SWEEP) into the
# man page template (TEMPLATE) at @TRAIN_OPTIONS@ and @SWEEP_OPTIONS@, writing OUTPUT.
file(READ "${TEMPLATE}" page)
file(READ "${OPTIONS}" options)
file(READ "${SWEEP}" sweep)
string(REPLACE "@TRAIN_OPTIONS@\n" "${options}" page "${page}")
string(REPLACE "@SWEEP_OPTIONS@\n" "${sweep}" page "${page}")
file(WRITE "${OUTPUT}" "${page}")
