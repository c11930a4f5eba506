// The one way the window runs work off the GUI thread (loading a run's models
// or test images, exporting ONNX files): `work` runs on a thread of its own,
// touching no widget; then `done` runs on `context`'s thread (the GUI's),
// where it may. The returned thread deletes itself after `done`; an owner
// that goes away first wait()s for it, so `work` never outlives its inputs.
#pragma once

#include <QObject>
#include <QThread>
#include <functional>

namespace alexnet::ui {

inline QThread* run_off_gui_thread(QObject* context, std::function<void()> work, std::function<void()> done) {
  QThread* thread = QThread::create(std::move(work));
  QObject::connect(thread, &QThread::finished, context, [thread, done = std::move(done)] {
    thread->deleteLater();
    done();
  });
  thread->start();
  return thread;
}

}  // namespace alexnet::ui
