# Puts the generated TRAIN OPTIONS (OPTIONS) into the man page template
# (TEMPLATE) at @TRAIN_OPTIONS@, writing OUTPUT.
file(READ "${TEMPLATE}" page)
file(READ "${OPTIONS}" options)
string(REPLACE "@TRAIN_OPTIONS@\n" "${options}" page "${page}")
file(WRITE "${OUTPUT}" "${page}")
