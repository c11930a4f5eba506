// The engine's plain values travel between threads inside queued signals.
#pragma once

#include <QMetaType>

#include "train/training_events.h"

Q_DECLARE_METATYPE(alexnet::RecordPoint)
Q_DECLARE_METATYPE(alexnet::ProbeResult)
Q_DECLARE_METATYPE(alexnet::VariantResult)
Q_DECLARE_METATYPE(alexnet::ProgressUpdate)
Q_DECLARE_METATYPE(alexnet::RunState)
Q_DECLARE_METATYPE(alexnet::Finding)
Q_DECLARE_METATYPE(alexnet::GradientRecord)

namespace alexnet::ui {
void register_event_types();  // once, before the first queued connection
}
