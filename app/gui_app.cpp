#include "gui_app.h"

#include <QApplication>
#include <QDir>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "command_line.h"
#include "export_all.h"
#include "main_window.h"
#include "run_history.h"
#include "run_reader.h"
#include "version.h"

namespace alexnet::cli {

const char* const kExportUsage =
    "usage: alexnet-lab export RUN_DIR --png OUT_DIR\n"
    "  Re-draws every plot of a saved run (loss, filters, activations, dead units,\n"
    "  confusion matrices) as PNG files in OUT_DIR.\n";

namespace {

void set_identity() {
  QCoreApplication::setOrganizationName("alexnet-lab");
  QCoreApplication::setApplicationName("AlexNet Lab");
  QCoreApplication::setApplicationVersion(ALEXNET_LAB_VERSION);
}

}  // namespace

bool display_available() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

int run_window(int argc, char** argv) {
  set_identity();
  QApplication app(argc, argv);
  alexnet::ui::MainWindow window;
  window.show();
  return app.exec();
}

std::vector<std::string> export_run_pngs(const std::string& run_dir, const std::string& out_dir) {
  // No display is needed to draw into files.
  if (!display_available()) qputenv("QT_QPA_PLATFORM", "offscreen");
  std::unique_ptr<QApplication> owned;
  if (!QApplication::instance()) {
    static int argc = 1;
    static char name[] = "alexnet-lab";
    static char* argv[] = {name, nullptr};
    set_identity();
    owned = std::make_unique<QApplication>(argc, argv);
  }
  const RunContents run = read_run(run_dir);
  for (const std::string& w : run.warnings) std::cerr << "warning: " << w << "\n";
  alexnet::ui::RunHistory history;
  history.load(run);
  QString error;
  const QStringList files = alexnet::ui::export_all_views(&history, QString::fromStdString(out_dir), &error);
  if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
  std::vector<std::string> written;
  for (const QString& f : files) written.push_back(f.toStdString());
  return written;
}

int run_export(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, {{"png"}, {"help"}}, "export");
  if (parsed.flag("help")) {
    std::cout << kExportUsage;
    return 0;
  }
  if (parsed.positional().size() != 1 || !parsed.has("png")) {
    throw UsageError(std::string("export: expects RUN_DIR and --png OUT_DIR\n") + kExportUsage);
  }
  const auto files = export_run_pngs(parsed.positional()[0], parsed.text("png", ""));
  std::cout << "wrote " << files.size() << " plots to " << parsed.text("png", "") << "\n";
  return 0;
}

}  // namespace alexnet::cli
