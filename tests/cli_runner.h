// Runs the alexnet-lab binary as a user would and captures what it says.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

struct CliResult {
  int exit_code = -1;
  QString out;
  QString err;
};

// `environment`: the program's environment (default: the test's own).
inline CliResult run_cli(const QStringList& args, int timeout_ms = 600000,
                         const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
  QProcess p;
  p.setProcessEnvironment(environment);
  p.start(QStringLiteral(ALEXNET_BINARY), args);
  CliResult r;
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out";
    return r;
  }
  r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}
