// A run survives what a user's machine does to it: SIGKILL at any moment, a
// full disk, a read-only folder, damaged run folders and broken input files.
// Every refusal is an exit code other than 0 with a message naming the file,
// never a crash.
#include <QtTest>

#include <memory>

#include <sys/mount.h>
#include <unistd.h>

#include "cli_runner.h"
#include "data_files.h"
#include "run/run_reader.h"
#include "run/findings_file.h"
#include "training_support.h"

namespace {

// Unmounts on every way out of a test, failures included.
struct Mount {
  QByteArray point;
  bool ok = false;
  Mount(const QString& where, unsigned long flags, const char* options) : point(where.toLocal8Bit()) {
    ok = ::mount("tmpfs", point.constData(), "tmpfs", flags, options) == 0;
  }
  ~Mount() {
    if (ok) ::umount(point.constData());
  }
};

// Two small nets with dropout (so the RNG matters) and frequent checkpoints.
const char* kSpecTemplate = R"({"name": "%1", "input_size": 32, "activation": "%2", "dropout": 0.5,
  "conv": [{"filters": 16, "kernel": 5, "stride": 2, "pool": true}, {"filters": 32, "kernel": 3, "padding": 1, "pool": true}],
  "fc": [64]})";

QStringList train_args(const QString& variants, const QString& out, int iterations) {
  return {"train",
          "--variants",
          variants,
          "--data",
          "synthetic",
          "--iterations",
          QString::number(iterations),
          "--batch",
          "16",
          "--input-size",
          "32",
          "--lr",
          "0.02",
          "--record-every",
          "5",
          "--probe-every",
          "40",
          "--probe-size",
          "64",
          "--checkpoint-every",
          "10",
          "--threads",
          "2",
          "--out",
          out};
}

// metrics.csv without the timing columns: what must match between runs.
QStringList loss_rows(const QString& run) {
  QStringList rows;
  for (const QString& line : testsupport::read_lines(run + "/metrics.csv")) {
    rows << line.section(',', 0, 3);
  }
  return rows;
}

// Rows of metrics.csv so far (0 before there is one), read as the run writes it.
int metrics_rows(const QString& run) {
  QFile f(run + "/metrics.csv");
  return f.open(QIODevice::ReadOnly) ? int(f.readAll().count('\n')) : 0;
}

QStringList probe_summaries(const QString& run) {
  QStringList rows;
  for (const QString& line : testsupport::read_lines(run + "/probes.jsonl")) {
    const nlohmann::json j = nlohmann::json::parse(line.toStdString());
    QString row =
        QString::fromStdString(j["variant"].get<std::string>()) + " " + QString::number(j["iteration"].get<int>());
    for (const auto& layer : j["layers"]) row += " " + QString::number(layer["dead_fraction"].get<double>(), 'g', 9);
    rows << row;
  }
  return rows;
}

}  // namespace

class TestReliability : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString variants_;

  QString dir(const QString& name) const { return tmp_.filePath(name); }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    QStringList files;
    for (auto [name, activation] : {std::pair{"relu-net", "relu"}, std::pair{"tanh-net", "tanh"}}) {
      const QString path = dir(QString(name) + ".json");
      QVERIFY(testdata::write_file(path, QString(kSpecTemplate).arg(name, activation).toUtf8()));
      files << path;
    }
    variants_ = files.join(',');
  }

  // Kill -9 at random moments, check the folder each time, resume; the end
  // result equals a run that was never interrupted.
  void killedRunsResumeToTheSameResult() {
    const int iterations = 400;
    const QString reference = dir("reference");
    const CliResult full = run_cli(train_args(variants_, reference, iterations));
    QVERIFY2(full.exit_code == 0, qPrintable(full.err));

    const QString run = dir("killed");
    const quint32 seed = QRandomGenerator::global()->generate();
    QRandomGenerator random(seed);
    qInfo("kill moments drawn with seed %u", seed);
    int kills = 0, resumed_from_checkpoint = 0;
    for (int attempt = 0; attempt < 40 && kills < 10; ++attempt) {
      const bool started = QFile::exists(run + "/config.json");
      QProcess p;
      p.start(QStringLiteral(ALEXNET_BINARY), started ? QStringList{"train", "--resume", run, "--threads", "2"}
                                                      : train_args(variants_, run, iterations));
      QVERIFY(p.waitForStarted());
      // Every third kill lands at a random moment of start-up (loading, the first
      // files); the others after the run has gone 5-30 iterations past where this
      // attempt began, at a random point between records, probes and checkpoints.
      // Measured in rows, not milliseconds, so a slow or busy machine moves the
      // kills along with it.
      bool finished = false;
      if (attempt % 3 == 2) {
        finished = p.waitForFinished(50 + int(random.bounded(800)));
      } else {
        const int target = metrics_rows(run) + 2 * (1 + int(random.bounded(6)));
        while (!(finished = p.waitForFinished(10)) && metrics_rows(run) < target) {
        }
        if (!finished) finished = p.waitForFinished(int(random.bounded(150)));
      }
      if (finished) {
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAllStandardError().constData());
        break;  // it finished before the kill
      }
      p.kill();  // SIGKILL
      p.waitForFinished();
      ++kills;
      if (QString(p.readAllStandardError()).contains("resuming from the checkpoint")) ++resumed_from_checkpoint;
      if (!QFile::exists(run + "/config.json")) continue;  // killed while starting: nothing written yet
      // What a kill leaves is a valid run folder: it opens, at worst with a torn last line.
      const alexnet::RunContents contents = alexnet::read_run(run.toStdString());
      QVERIFY(contents.warnings.size() <= 2);
      QCOMPARE(int(contents.config.iterations), iterations);
      for (const QString& file : QDir(run).entryList({"*.tmp"}, QDir::Files)) QFAIL(qPrintable("left over: " + file));
    }
    // Finish it.
    if (!QFile::exists(run + "/results.json")) {
      const CliResult last = QFile::exists(run + "/config.json") ? run_cli({"train", "--resume", run, "--threads", "2"})
                                                                 : run_cli(train_args(variants_, run, iterations));
      QVERIFY2(last.exit_code == 0, qPrintable(last.err));
    }
    qInfo("%d kills, %d of the resumes started from a checkpoint", kills, resumed_from_checkpoint);
    QVERIFY(kills >= 3);
    QVERIFY(resumed_from_checkpoint >= 1);

    QCOMPARE(loss_rows(run), loss_rows(reference));
    QCOMPARE(loss_rows(run).size(), 1 + 2 * iterations / 5);
    QCOMPARE(probe_summaries(run), probe_summaries(reference));
    // The gradient instruments too: trimmed to the checkpoint on resume, then measured again to the same numbers.
    QCOMPARE(testsupport::read_lines(run + "/gradients.jsonl"),
             testsupport::read_lines(reference + "/gradients.jsonl"));
    QCOMPARE(testsupport::read_lines(run + "/gradients.jsonl").size(), 2 * iterations / 5);
    const nlohmann::json a = testsupport::read_json(run + "/results.json");
    const nlohmann::json b = testsupport::read_json(reference + "/results.json");
    for (int i = 0; i < 2; ++i) {
      QCOMPARE(a["variants"][i]["test_loss"].get<double>(), b["variants"][i]["test_loss"].get<double>());
      QCOMPARE(a["variants"][i]["confusion"], b["variants"][i]["confusion"]);
    }
    // Its findings too: what was found before each kill is kept (replayed to
    // the checkpoint on resume), and the end holds what an uninterrupted run found.
    const auto findings = [](const QString& folder) {
      QFile f(folder + "/findings.jsonl");
      std::vector<std::string> warnings;
      const std::vector<alexnet::Finding> found =
          f.open(QIODevice::ReadOnly) ? alexnet::parse_findings(f.readAll().toStdString(), "findings.jsonl", &warnings)
                                      : std::vector<alexnet::Finding>{};
      QStringList lines;
      for (const alexnet::Finding& x : found) lines << QString::fromStdString(alexnet::finding_to_json(x).dump());
      if (!warnings.empty()) lines << "damaged";
      return lines;
    };
    QCOMPARE(findings(run), findings(reference));
    // A finished run is not resumed again.
    const CliResult again = run_cli({"train", "--resume", run});
    QCOMPARE(again.exit_code, 1);
    QVERIFY(again.err.contains("nothing to resume"));
  }

  void damagedRunFoldersAreRefusedByName() {
    const QString run = dir("damaged");
    const CliResult made = run_cli(train_args(variants_, run, 20));
    QVERIFY2(made.exit_code == 0, qPrintable(made.err));
    QVERIFY(QFile::remove(run + "/results.json"));  // as if killed before the end

    // Training into a folder that already holds a run would mix two runs.
    const CliResult twice = run_cli(train_args(variants_, run, 20));
    QCOMPARE(twice.exit_code, 1);
    QVERIFY2(twice.err.contains("already holds a run"), qPrintable(twice.err));
    // Other settings cannot be changed on resume.
    QCOMPARE(run_cli({"train", "--resume", run, "--lr", "1"}).exit_code, 2);

    struct Damage {
      QString file;
      QByteArray bytes;  // empty: delete the file
      QString expected;
    };
    const QString checkpoint = run + "/checkpoints/0000020";
    const QList<Damage> damages = {
        {checkpoint + "/relu-net/model.pt", "not a torch archive", "model.pt"},
        {checkpoint + "/tanh-net/optimizer.pt", {}, "optimizer.pt"},
        {checkpoint + "/state.json", "{\"iteration\": 20, \"rate_scale\": \"fast\"", "state.json"},
        {checkpoint + "/rng.pt", "\x01\x02", "rng.pt"},
        {run + "/checkpoints/latest.json", "{\"iteration\": 99, \"folder\": \"0000099\"}", "latest.json"},
        {run + "/config.json", "{\"variants\": 3}", "config.json"},
        {run + "/config.json", {}, "no config.json"},
    };
    for (const Damage& d : damages) {
      const QString backup = d.file + ".bak";
      QVERIFY(QFile::copy(d.file, backup));
      if (d.bytes.isEmpty()) QVERIFY(QFile::remove(d.file));
      else QVERIFY(testdata::write_file(d.file, d.bytes));
      const CliResult r = run_cli({"train", "--resume", run, "--threads", "1"});
      QVERIFY2(r.exit_code == 1, qPrintable(d.file + ": " + r.err));
      QVERIFY2(r.err.contains(d.expected), qPrintable(d.expected + " not in: " + r.err));
      QFile::remove(d.file);
      QVERIFY(QFile::rename(backup, d.file));
    }
    // Undamaged again, it resumes and finishes.
    const CliResult ok = run_cli({"train", "--resume", run, "--threads", "1"});
    QVERIFY2(ok.exit_code == 0, qPrintable(ok.err));

    // Reopening a damaged run for export: refused with the file named, or drawn with what is readable.
    QVERIFY(testdata::write_file(run + "/metrics.csv", "variant,iteration\ngarbage,,\n\x00\xff"));
    QVERIFY(testdata::write_file(run + "/probes.jsonl", "{\"variant\": 7}\n[1,2\n"));
    const CliResult exported = run_cli({"export", run, "--png", dir("damaged-plots")});
    QVERIFY2(exported.exit_code == 0, qPrintable(exported.err));
    QVERIFY2(exported.err.contains("metrics.csv") && exported.err.contains("probes.jsonl"), qPrintable(exported.err));
    QVERIFY(testdata::write_file(run + "/config.json", "{"));
    const CliResult refused = run_cli({"export", run, "--png", dir("damaged-plots")});
    QCOMPARE(refused.exit_code, 1);
    QVERIFY2(refused.err.contains("config.json"), qPrintable(refused.err));
  }

  // A disk that fills up mid-run: a clear message, a clean stop, and what was
  // already written still reads back.
  void fullDiskStopsCleanly() {
    if (geteuid() != 0) QSKIP("mounting a small tmpfs needs root");
    const QString mount_point = dir("tiny-disk");
    QVERIFY(QDir().mkpath(mount_point));
    const Mount disk(mount_point, 0, "size=160k");
    if (!disk.ok) QSKIP("cannot mount a tmpfs here");
    const QString run = mount_point + "/run";
    const CliResult r = run_cli(train_args(variants_, run, 4000));
    QVERIFY2(r.exit_code == 1, qPrintable(r.err));
    QVERIFY2(r.err.contains("No space left on device"), qPrintable(r.err));
    QVERIFY(!r.err.contains("Aborted") && !r.err.contains("terminate"));
    // Everything written before the disk filled up reads back.
    alexnet::RunContents contents;
    try {
      contents = alexnet::read_run(run.toStdString());
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
    QCOMPARE(int(contents.config.iterations), 4000);
    QVERIFY(contents.records.size() >= 2);
    QVERIFY(contents.warnings.size() <= 1);
  }

  void readOnlyFolderIsRefused() {
    const QString parent = dir("read-only");
    QVERIFY(QDir().mkpath(parent));
    const bool root = geteuid() == 0;
    // Root ignores permissions; a read-only mount stops root too.
    std::unique_ptr<Mount> read_only;
    if (root) {
      read_only = std::make_unique<Mount>(parent, MS_RDONLY, "size=64k");
      if (!read_only->ok) QSKIP("cannot mount a read-only tmpfs here");
    } else {
      QVERIFY(QFile::setPermissions(parent, QFile::ReadOwner | QFile::ExeOwner));
    }
    const CliResult r = run_cli(train_args(variants_, parent + "/run", 20));
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains(parent + "/run") && (r.err.contains("Read-only") || r.err.contains("Permission")),
             qPrintable(r.err));
  }

  // Broken data files: exit 1, the file and the problem named, no crash.
  void brokenDataIsRefusedByName() {
    using namespace testdata;
    struct Case {
      QString data;
      QString expected;
    };
    QList<Case> cases;
    auto idx_folder = [&](const QString& name, const QByteArray& images, const QByteArray& labels) {
      const QString d = dir(name);
      QDir().mkpath(d);
      QVERIFY(write_file(d + "/train-images-idx3-ubyte", images));
      QVERIFY(write_file(d + "/train-labels-idx1-ubyte", labels));
      QVERIFY(write_file(d + "/t10k-images-idx3-ubyte", idx_images(20, 28)));
      QVERIFY(write_file(d + "/t10k-labels-idx1-ubyte", idx_labels(20)));
      cases.append({d, "train-"});
    };
    idx_folder("idx-empty", {}, idx_labels(40));
    idx_folder("idx-truncated", idx_images(40, 28).left(2000), idx_labels(40));
    QByteArray bad_magic = idx_images(40, 28);
    bad_magic[2] = char(0x0c);
    idx_folder("idx-bad-type", bad_magic, idx_labels(40));
    idx_folder("idx-count-mismatch", idx_images(40, 28), idx_labels(39));
    QByteArray huge = idx_images(1, 28);
    huge[4] = char(0x7f);  // claims two billion images
    idx_folder("idx-huge-count", huge, idx_labels(1));
    QVERIFY(write_file(dir("corrupt-images-idx3-ubyte.gz"), QByteArray("\x1f\x8b\x08\x00garbage", 12)));
    cases.append({dir("corrupt-images-idx3-ubyte.gz"), "corrupt-images-idx3-ubyte.gz"});

    const QString cifar = dir("cifar-truncated");
    QVERIFY(write_cifar_folder(cifar, 10));
    QVERIFY(write_file(cifar + "/data_batch_3.bin", cifar_records(10).left(5000)));
    cases.append({cifar, "data_batch_3.bin"});
    const QString cifar_empty = dir("cifar-empty");
    QVERIFY(write_cifar_folder(cifar_empty, 10));
    QVERIFY(write_file(cifar_empty + "/test_batch.bin", {}));
    cases.append({cifar_empty, "test_batch.bin"});
    QByteArray bad_label = cifar_records(10);
    bad_label[3073] = char(42);
    const QString cifar_label = dir("cifar-bad-label");
    QVERIFY(write_cifar_folder(cifar_label, 10));
    QVERIFY(write_file(cifar_label + "/data_batch_1.bin", bad_label));
    cases.append({cifar_label, "data_batch_1.bin"});

    const QString not_images = dir("not-images");
    for (const char* cls : {"cats", "dogs"}) {
      QDir().mkpath(not_images + "/" + cls);
      for (int i = 0; i < 3; ++i)
        QVERIFY(write_file(not_images + "/" + cls + QString("/%1.png").arg(i), "text, not a PNG"));
    }
    cases.append({not_images, "not-images"});

    for (const Case& c : cases) {
      const CliResult r = run_cli({"train", "--data", c.data, "--variants", variants_.section(',', 0, 0),
                                   "--input-size", "32", "--iterations", "2", "--out", c.data + "-run"});
      QVERIFY2(r.exit_code == 1, qPrintable(c.data + ": exit " + QString::number(r.exit_code) + " " + r.err));
      QVERIFY2(r.err.contains(c.expected), qPrintable(c.expected + " not in: " + r.err));
      QVERIFY2(r.err.contains("error: "), qPrintable(r.err));
    }
  }
};

std::unique_ptr<QObject> make_run_reliability_suite() { return std::make_unique<TestReliability>(); }
#include "test_run_reliability.moc"
