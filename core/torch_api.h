// The one way the project includes libtorch.
//
// Qt defines `slots` as a macro, and libtorch's ivalue_inl.h has a member called
// slots(); whichever comes first breaks the other. Saving and restoring the macro
// around the include lets a file include Qt and torch in any order.
#pragma once

// moc need not (and cannot) parse libtorch: it would stop finding Q_OBJECT classes.
#ifndef Q_MOC_RUN
#pragma push_macro("slots")
#undef slots
#include <torch/torch.h>
#pragma pop_macro("slots")
#endif
