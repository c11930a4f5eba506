#include "gui_app.h"

#include "compare_plot.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTabWidget>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "option_table.h"
#include "export_all.h"
#include "main_window.h"
#include "inspect_view.h"
#include "mistakes_view.h"
#include "runs_view.h"
#include "training_worker.h"
#include "run_history.h"
#include "run/run_reader.h"
#include "version.h"

namespace alexnet::cli {

const CommandDoc& window_doc() {
  static const CommandDoc doc{"usage: alexnet-lab window [options]\n  The window.\n",
                              {{"",
                                {{"start", "", "start an experiment with the last settings at once"},
                                 {"screenshots", "DIR",
                                  "save every view during (at the first probe a fifth of the way through) and after "
                                  "the experiment into DIR, then quit"}}}}};
  return doc;
}

const CommandDoc& open_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab open RUN_DIR [options]\n  The window with a saved run.\n",
      {{"",
        {{"screenshots", "DIR", "save every view of the window with the run into DIR, then quit"},
         {"compare", "RUN_DIR,...",
          "with --screenshots: also compare the run with those (the Compare view's picture)"}}}}};
  return doc;
}

namespace {

void set_identity() {
  QCoreApplication::setOrganizationName("alexnet-lab");
  QCoreApplication::setApplicationName("AlexNet Lab");
  QCoreApplication::setApplicationVersion(ALEXNET_LAB_VERSION);
}

// Saves each view of the real window as PREFIX-VIEW.png; returns how many.
int save_view_screenshots(alexnet::ui::MainWindow& window, const QDir& out, const QString& prefix) {
  QDir().mkpath(out.path());
  const int shown = window.tabs()->currentIndex();
  int written = 0;
  for (int i = 0; i < window.tabs()->count(); ++i) {
    window.tabs()->setCurrentIndex(i);
    for (int k = 0; k < 20; ++k) QCoreApplication::processEvents();  // let queued replots land
    // A view whose pictures are loading (test images, models) shows them before its picture is taken.
    QWidget* view = window.tabs()->widget(i);
    const auto* mistakes = qobject_cast<alexnet::ui::MistakesView*>(view);
    const auto* inspect = qobject_cast<alexnet::ui::InspectView*>(view);
    const auto loading = [&] { return (mistakes && mistakes->loading()) || (inspect && inspect->busy()); };
    QElapsedTimer waited;
    waited.start();
    while (loading() && waited.elapsed() < 60000) QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    for (int k = 0; k < 20; ++k) QCoreApplication::processEvents();
    const QString name = prefix + "-" + window.tabs()->tabText(i).toLower().remove('&') + ".png";
    if (!window.grab().save(out.filePath(name)))
      throw std::runtime_error("cannot write " + out.filePath(name).toStdString());
    ++written;
  }
  window.tabs()->setCurrentIndex(shown);
  return written;
}

}  // namespace

bool display_available() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

int run_window(int argc, char** argv, const std::string& run_dir) {
  set_identity();
  QApplication app(argc, argv);
  alexnet::ui::MainWindow window;
  window.show();
  if (!run_dir.empty()) window.openRun(QString::fromStdString(run_dir));
  return app.exec();
}

int run_window_command(int argc, char** argv, const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(window_doc()), "window");
  if (answered_help(parsed, window_doc())) return 0;
  if (!parsed.positional().empty()) throw UsageError("window: unexpected argument " + parsed.positional()[0]);
  set_identity();
  QApplication app(argc, argv);
  alexnet::ui::MainWindow window;
  window.resize(1600, 1000);
  window.show();
  const QDir out(QString::fromStdString(parsed.text("screenshots", "")));
  const bool screenshots = parsed.has("screenshots");
  if (screenshots) {
    // "during": once every variant has reported a probe a fifth of the way
    // through the run (iteration 500 of the default's 2,400, probing every 100), so the
    // histograms over time have a few columns to show.
    auto taken = std::make_shared<bool>(false);
    QObject::connect(window.history(), &alexnet::ui::RunHistory::probeAdded, &window, [&window, out, taken] {
      if (*taken) return;
      const std::int64_t fifth = std::max<std::int64_t>(1, window.runConfig().iterations / 5);
      for (const QString& v : window.history()->variants()) {
        const auto probes = window.history()->probes(v);
        if (probes.empty() || probes.back()->iteration < fifth) return;
      }
      *taken = true;
      save_view_screenshots(window, out, "during");
    });
    QObject::connect(window.worker(), &alexnet::ui::TrainingWorker::finished, &window, [&window, &app, out] {
      save_view_screenshots(window, out, "after");
      app.quit();
    });
  }
  if (parsed.flag("start") && !window.startExperiment()) return 1;
  return app.exec();
}

int run_open(int argc, char** argv, const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(open_doc()), "open");
  if (answered_help(parsed, open_doc())) return 0;
  if (parsed.positional().size() != 1) throw UsageError("open: expects RUN_DIR\n" + command_help(open_doc()));
  const std::string run_dir = parsed.positional()[0];
  if (!parsed.has("screenshots")) return run_window(argc, argv, run_dir);
  // Screenshots of the real window, one per view, for the README.
  set_identity();
  QApplication app(argc, argv);
  alexnet::ui::MainWindow window;
  window.resize(1600, 1000);
  window.show();
  if (!window.openRun(QString::fromStdString(run_dir))) return 1;
  if (parsed.has("compare")) {
    QStringList dirs{QString::fromStdString(run_dir)};
    for (const std::string& d : split_list(parsed.text("compare", ""))) dirs << QString::fromStdString(d);
    QString error;
    if (!window.compareRuns(dirs, &error)) {
      std::cerr << "alexnet-lab open: cannot compare: " << error.toStdString() << "\n";
      return 1;
    }
    window.runsView()->selectRuns(dirs);
  }
  const QDir out(QString::fromStdString(parsed.text("screenshots", "")));
  const int written = save_view_screenshots(window, out, "window");
  std::cout << "wrote " << written << " screenshots to " << out.path().toStdString() << "\n";
  return 0;
}

namespace {

// Drawing into files needs an application object but no display.
std::unique_ptr<QApplication> headless_application() {
  if (QApplication::instance()) return nullptr;
  if (!display_available()) qputenv("QT_QPA_PLATFORM", "offscreen");
  static int argc = 1;
  static char name[] = "alexnet-lab";
  static char* argv[] = {name, nullptr};
  set_identity();
  return std::make_unique<QApplication>(argc, argv);
}

}  // namespace

int export_comparison_pictures(const Comparison& comparison, const std::string& out_dir, const std::string& format) {
  const std::unique_ptr<QApplication> owned = headless_application();
  QString error;
  const int curves = alexnet::ui::export_compared_losses(comparison, QString::fromStdString(out_dir),
                                                         QString::fromStdString(format), &error);
  if (curves < 0) throw std::runtime_error(error.toStdString());
  return curves;
}

std::vector<std::string> export_run_pictures(const std::string& run_dir, const std::string& out_dir,
                                             const std::string& format) {
  const std::unique_ptr<QApplication> owned = headless_application();
  const RunContents run = read_run(run_dir);
  for (const std::string& w : run.warnings) std::cerr << "warning: " << w << "\n";
  alexnet::ui::RunHistory history;
  history.load(run);
  QString error;
  const QStringList files =
      alexnet::ui::export_all_views(&history, QString::fromStdString(out_dir), &error, QString::fromStdString(format));
  if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
  std::vector<std::string> written;
  for (const QString& f : files) written.push_back(f.toStdString());
  return written;
}

}  // namespace alexnet::cli
