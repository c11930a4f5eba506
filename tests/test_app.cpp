// The command line as a user meets it: help, version, describe, and clear
// refusals with the documented exit codes.
#include <QtTest>

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "cli_runner.h"
#include "spec/experiment_config.h"

class TestApp : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  // Small JSON specs (8 filters, one FC layer of 16, input 32) under these
  // names in the temporary folder: their paths joined for --variants, or
  // empty if one could not be written.
  QString write_small_specs(const QStringList& names) {
    QStringList paths;
    for (const QString& name : names) {
      const QString path = tmp_.filePath(name + ".json");
      QFile f(path);
      const QByteArray spec = QString(R"({"name": "%1", "input_size": 32, "dropout": 0.0,
          "conv": [{"filters": 8, "kernel": 5, "stride": 2, "pool": true}], "fc": [16]})")
                                  .arg(name)
                                  .toUtf8();
      if (!f.open(QIODevice::WriteOnly) || f.write(spec) != spec.size()) return QString();
      paths << path;
    }
    return paths.join(',');
  }

 private slots:
  void helpAndVersion() {
    const CliResult help = run_cli({"--help"});
    QCOMPARE(help.exit_code, 0);
    QVERIFY(help.out.contains("alexnet-lab describe VARIANT"));
    const CliResult version = run_cli({"--version"});
    QCOMPARE(version.exit_code, 0);
    QVERIFY(QRegularExpression("^alexnet-lab \\d+\\.\\d+\\.\\d+\\n$").match(version.out).hasMatch());
  }

  // Each train option is defined once: `train --help`, the man page built
  // from the same table and the parser list the same names, the parser
  // accepts every one of them, and the defaults shown are the program's.
  void trainOptionsAgreeInHelpManPageAndParser() {
    QString help, page;
    optionsAgree("train", "TRAIN OPTIONS", 30, help, page);
    // Defaults come from the program's own settings (the man page once said 2,000 iterations).
    const alexnet::ExperimentConfig defaults;
    QVERIFY(help.contains(QString("training iterations (default %1)").arg(defaults.iterations)));
    QVERIFY(page.contains(QString("training iterations (default %1)").arg(defaults.iterations)));
    QVERIFY(help.contains(QString("batch size (default %1)").arg(defaults.batch_size)));
  }

  // The same for the sweep's own options; the trial's internal ones are
  // accepted but shown nowhere.
  void sweepOptionsAgreeInHelpManPageAndParser() {
    QString help, page;
    optionsAgree("sweep", "SWEEP OPTIONS", 15, help, page);
    QVERIFY(!help.contains("--run-trial") && !page.contains("run\\-trial"));
    QVERIFY(help.contains("--grid NAME=V1,V2,...") && help.contains("--max-running M"));
  }

  // Every other command's options come from its table too: its --help, its
  // entry in the man page (the roff of `COMMAND --help-man`, word for word) and
  // its parser agree, and an unknown option is refused.
  void everyCommandsOptionsAgree() {
    QFile man(QFileInfo(QStringLiteral(ALEXNET_BINARY)).absolutePath() + "/../packaging/alexnet-lab.1");
    QVERIFY2(man.open(QIODevice::ReadOnly), qPrintable(man.fileName()));
    const QString page = QString::fromUtf8(man.readAll());
    const QRegularExpression help_line("^  --([a-z0-9-]+)( (\\S+))?", QRegularExpression::MultilineOption);
    for (const QString command : {"describe", "export", "classify", "compare", "diagnose", "open", "window", "bench"}) {
      const CliResult help = run_cli({command, "--help"});
      QCOMPARE(help.exit_code, 0);
      // --help-man with every option --help shows: the parser takes them all
      // (it answers before doing anything), and prints the man page's roff.
      QStringList all{command, "--help-man"};
      QStringList names;
      for (auto it = help_line.globalMatch(help.out); it.hasNext();) {
        const auto m = it.next();
        names << m.captured(1);
        all << "--" + m.captured(1);
        if (!m.captured(3).isEmpty()) all << "1";
      }
      QVERIFY2(names.size() >= 2, qPrintable(help.out));
      const CliResult roff = run_cli(all);
      QVERIFY2(roff.exit_code == 0, qPrintable(command + ": " + roff.err));
      QVERIFY2(page.contains(".RS\n" + roff.out + ".RE\n"), qPrintable(command + ": " + roff.out));
      QCOMPARE(int(roff.out.count(".TP")), names.size());
      for (const QString& name : names) {
        QVERIFY2(roff.out.contains("\\-\\-" + QString(name).replace("-", "\\-")), qPrintable(command + " --" + name));
      }
    }
    QCOMPARE(run_cli({"export", "--help", "--no-such-option"}).exit_code, 2);
  }

 private:
  // COMMAND --help and the man page's SECTION list the same options (at least
  // `at_least`), and COMMAND's parser takes each of them.
  void optionsAgree(const QString& command, const QString& section_name, int at_least, QString& help_text,
                    QString& page) {
    const CliResult help = run_cli({command, "--help"});
    QCOMPARE(help.exit_code, 0);
    help_text = help.out;
    QSet<QString> in_help, with_value;
    const QRegularExpression help_line("^  --([a-z0-9-]+)( (\\S+))?", QRegularExpression::MultilineOption);
    for (auto it = help_line.globalMatch(help.out); it.hasNext();) {
      const auto m = it.next();
      in_help << m.captured(1);
      if (!m.captured(3).isEmpty()) with_value << m.captured(1);
    }
    QVERIFY2(in_help.size() >= at_least, qPrintable(help.out));
    QFile man(QFileInfo(QStringLiteral(ALEXNET_BINARY)).absolutePath() + "/../packaging/alexnet-lab.1");
    QVERIFY2(man.open(QIODevice::ReadOnly), qPrintable(man.fileName()));
    page = QString::fromUtf8(man.readAll());
    const int section = page.indexOf(".SH " + section_name);
    QVERIFY2(section >= 0, qPrintable(section_name));
    const QString options = page.mid(section, page.indexOf(".SH", section + 1) - section);
    QSet<QString> in_man;
    const QRegularExpression man_line("^\\.BI? \"?\\\\-\\\\-([a-z0-9\\\\-]+)", QRegularExpression::MultilineOption);
    for (auto it = man_line.globalMatch(options); it.hasNext();) in_man << it.next().captured(1).remove('\\');
    QCOMPARE(in_man, in_help);
    // The parser takes every one of them (with --help it stops before doing anything).
    QStringList all{command, "--help"};
    for (const QString& name : in_help) {
      if (name == "help") continue;
      all << "--" + name;
      if (with_value.contains(name)) all << "1";
    }
    const CliResult accepted = run_cli(all);
    QVERIFY2(accepted.exit_code == 0, qPrintable(accepted.err));
    QCOMPARE(run_cli({command, "--help", "--no-such-option"}).exit_code, 2);
  }

 private slots:
  // Idle OpenMP threads spin by default, which on shared cores made training
  // steps up to three times slower: the program starts itself again with
  // OMP_WAIT_POLICY=PASSIVE, unless the user chose how threads wait.
  // OMP_DISPLAY_ENV makes libgomp print its settings each time it loads.
  void idleOpenMpThreadsSleepUnlessTheUserChose() {
    const QRegularExpression spin_count("GOMP_SPINCOUNT = '(\\d+)'");
    auto spin_counts = [&](const QString& text) {
      QStringList counts;
      for (auto it = spin_count.globalMatch(text); it.hasNext();) counts << it.next().captured(1);
      return counts;
    };
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("OMP_WAIT_POLICY");
    environment.remove("GOMP_SPINCOUNT");
    environment.insert("OMP_DISPLAY_ENV", "VERBOSE");
    CliResult r = run_cli({"--version"}, 60000, environment);
    QCOMPARE(r.exit_code, 0);
    QVERIFY(r.out.startsWith("alexnet-lab "));
    QStringList counts = spin_counts(r.err);
    QCOMPARE(counts.size(), 2);  // loaded with the default, then restarted
    QVERIFY2(counts[0] != "0", qPrintable(r.err));
    QCOMPARE(counts[1], QString("0"));  // passive: no spinning at all

    environment.insert("OMP_WAIT_POLICY", "ACTIVE");
    r = run_cli({"--version"}, 60000, environment);
    QCOMPARE(r.exit_code, 0);
    counts = spin_counts(r.err);
    QCOMPARE(counts.size(), 1);  // the user's choice: no restart
    QVERIFY2(counts[0].toLongLong() > 300000, qPrintable(r.err));
  }

  void describePrintsLayerTableAndTotal() {
    const CliResult r = run_cli({"describe", "original"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY(r.out.contains("total parameters: 20,719,918"));
    for (const char* layer : {"conv1", "conv5", "fc6", "fc7", "fc8"}) QVERIFY(r.out.contains(layer));
    QVERIFY(r.out.contains("100 x 7 x 7"));
    const CliResult big = run_cli({"describe", "small", "--input-size", "227", "--classes", "10"});
    QCOMPARE(big.exit_code, 0);
    QVERIFY(big.out.contains("total parameters: 6,084,874"));
  }

  void describeReadsAJsonSpec() {
    const QString spec = tmp_.filePath("mine.json");
    QFile f(spec);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "mine", "activation": "gelu", "input_size": 32,
               "conv": [{"filters": 8, "kernel": 3, "pool": true}], "fc": [16]})");
    f.close();
    const CliResult r = run_cli({"describe", spec});
    QCOMPARE(r.exit_code, 0);
    QVERIFY(r.out.contains("gelu"));
    // 8*3*9+8 = 224; 32-3+1 = 30, pooled to 14: 8*14*14 = 1568 features -> 1568*16+16 = 25104; 16*10+10 = 170
    QVERIFY2(r.out.contains("total parameters: 25,498"), qPrintable(r.out));
  }

  void badUsageExitsWithTwo() {
    for (const QStringList& args :
         {QStringList{"--frobnicate"}, QStringList{"describe", "original", "--bogus"}, QStringList{"describe"},
          QStringList{"describe", "original", "--input-size", "x"}}) {
      const CliResult r = run_cli(args);
      QVERIFY2(r.exit_code == 2, qPrintable(args.join(' ') + ": " + r.err));
      QVERIFY(!r.err.isEmpty());
      QVERIFY(r.out.isEmpty() || !r.out.contains("total parameters"));
    }
  }

  void trainRunsHeadlessIntoARunFolder() {
    const QString spec = tmp_.filePath("tiny.json");
    QFile f(spec);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "tiny", "input_size": 32, "dropout": 0.0,
               "conv": [{"filters": 16, "kernel": 5, "stride": 2, "pool": true}], "fc": [32]})");
    f.close();
    const QString out = tmp_.filePath("run");
    const CliResult r =
        run_cli({"train", "--variants",   spec, "--data",         "synthetic", "--iterations",  "30", "--batch",
                 "32",    "--input-size", "32", "--record-every", "10",        "--probe-every", "15", "--probe-size",
                 "100",   "--threads",    "1",  "--out",          out});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY(r.err.contains("BLAS: "));
    QVERIFY(r.err.contains("idle threads "));
    QVERIFY(r.err.contains("run folder: " + out));
    QVERIFY(r.err.contains("tiny") && r.err.contains("30/30"));
    QVERIFY(r.out.contains(
        "variant       test_loss  test_accuracy  iterations   seconds   parameters  val_loss  val_accuracy"));
    QVERIFY(QRegularExpression("\\ntiny +\\d+\\.\\d+ +\\d\\.\\d+ +30 ").match(r.out).hasMatch());
    for (const char* file :
         {"config.json", "metrics.csv", "probes.jsonl", "results.json", "filters/tiny-0000030.png"}) {
      QVERIFY2(QFile::exists(out + "/" + file), file);
    }
  }

  // diagnose: a run that never learns is told so, live and afterwards, with
  // its iterations and the settings to change, as text and in the JSON schema;
  // the stored findings are what diagnose recomputes; a run from before
  // findings is diagnosed from its folder; a healthy run says so in one line;
  // an unreadable run exits 1, bad usage 2.
  void diagnoseSaysWhatWentWrong() {
    const QString specs = write_small_specs({"stuck"});
    QVERIFY(!specs.isEmpty());
    const QStringList common = {"train", "--variants",   specs, "--data",         "synthetic", "--batch",
                                "16",    "--input-size", "32",  "--record-every", "50",        "--probe-every",
                                "50",    "--probe-size", "100", "--threads",      "1"};
    const QString stuck = tmp_.filePath("diag-stuck");
    CliResult r = run_cli(QStringList(common) << "--iterations"
                                              << "400"
                                              << "--lr"
                                              << "1e-9"
                                              << "--out" << stuck);
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("finding: [problem] not_learning stuck (iterations 0-"), qPrintable(r.err));

    r = run_cli({"diagnose", stuck});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY2(
        r.out.startsWith(stuck + ":\n  [problem] not_learning stuck (iterations 0-400): the training loss never left "
                                 "its starting level: "),
        qPrintable(r.out));
    // The steps hardly move the weights: lr_too_low says so, and both findings suggest a larger rate.
    QVERIFY2(r.out.contains("[warning] lr_too_low stuck"), qPrintable(r.out));
    QVERIFY2(!r.out.contains("--lr 1e-10"), qPrintable(r.out));

    r = run_cli({"diagnose", stuck, "--json"});
    QCOMPARE(r.exit_code, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["runs"].toArray().size(), 1);
    const QJsonObject run = j["runs"].toArray()[0].toObject();
    QCOMPARE(run["run"].toString(), stuck);
    const QJsonArray findings = run["findings"].toArray();
    QVERIFY(!findings.isEmpty());
    // In the order they arose: lr_too_low (three records of tiny steps) comes before not_learning.
    QCOMPARE(findings[0].toObject()["kind"].toString(), QString("lr_too_low"));
    QJsonObject first;
    for (const QJsonValue& v : findings) {
      if (v.toObject()["kind"].toString() == "not_learning") first = v.toObject();
    }
    for (const char* key : {"kind", "variant", "layer", "first_iteration", "last_iteration", "found_iteration",
                            "severity", "evidence", "suggestion", "settings"}) {
      QVERIFY2(first.contains(key), key);
    }
    QCOMPARE(first["kind"].toString(), QString("not_learning"));
    QCOMPARE(first["variant"].toString(), QString("stuck"));
    QCOMPARE(first["first_iteration"].toInt(), 0);
    QCOMPARE(first["last_iteration"].toInt(), 400);
    QCOMPARE(first["found_iteration"].toInt(), 300);  // once the loss has sat at ln 10 for 300 iterations
    QCOMPARE(first["severity"].toString(), QString("problem"));
    QVERIFY(first["settings"].toArray()[0].toObject()["lr"].toDouble() > 1e-9);

    // What the run stored as it went (the last line of each finding) is what diagnose recomputes.
    QFile stored(stuck + "/findings.jsonl");
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QMap<QString, QJsonObject> latest;
    for (const QByteArray& line : stored.readAll().split('\n')) {
      if (line.isEmpty()) continue;
      const QJsonObject f = QJsonDocument::fromJson(line).object();
      latest[f["kind"].toString() + "/" + f["variant"].toString() + "/" + f["layer"].toString() + "/" +
             QString::number(f["first_iteration"].toInt())] = f;
    }
    QCOMPARE(latest.size(), findings.size());
    for (const QJsonValue& v : findings) {
      const QJsonObject f = v.toObject();
      const QString key = f["kind"].toString() + "/" + f["variant"].toString() + "/" + f["layer"].toString() + "/" +
                          QString::number(f["first_iteration"].toInt());
      QVERIFY2(latest.contains(key), qPrintable(key));
      QCOMPARE(latest[key], f);
    }
    // A run from before findings existed: recomputed from its records and probes.
    QVERIFY(QFile::remove(stuck + "/findings.jsonl"));
    r = run_cli({"diagnose", stuck});
    QVERIFY2(r.out.contains("[problem] not_learning stuck (iterations 0-400)"), qPrintable(r.out));

    // A healthy run: one line that says so.
    const QString healthy = tmp_.filePath("diag-healthy");
    r = run_cli(QStringList(common) << "--iterations"
                                    << "200"
                                    << "--lr"
                                    << "0.001"
                                    << "--out" << healthy);
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    r = run_cli({"diagnose", healthy});
    QVERIFY2(QRegularExpression("  no problems found \\(stuck \\d+\\.\\d\\d % test, \\d+\\.\\d\\d % validation\\)\\n")
                 .match(r.out)
                 .hasMatch(),
             qPrintable(r.out));

    // Several runs at once, one unreadable: the others are still diagnosed, and the exit status says so.
    r = run_cli({"diagnose", stuck, tmp_.filePath("no-such-run"), healthy});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("no-such-run"), qPrintable(r.err));
    QVERIFY(r.out.contains(stuck + ":") && r.out.contains(healthy + ":"));
    QCOMPARE(run_cli({"diagnose"}).exit_code, 2);
    QCOMPARE(run_cli({"diagnose", stuck, "--variants", "nobody"}).exit_code, 2);
  }

  // compare: a row per (run, variant), exactly the settings that differ, and
  // one overlaid curve per (run, variant).
  void compareShowsResultsAndWhatDiffers() {
    const QString specs = write_small_specs({"one", "two"});
    QVERIFY(!specs.isEmpty());
    const QStringList common = {"train", "--variants",    specs, "--data",       "synthetic", "--iterations",
                                "20",    "--batch",       "16",  "--input-size", "32",        "--record-every",
                                "5",     "--probe-every", "0",   "--threads",    "1"};
    const QString a = tmp_.filePath("cmp-a"), b = tmp_.filePath("cmp-b");
    QCOMPARE(run_cli(QStringList(common) << "--out" << a).exit_code, 0);
    QCOMPARE(run_cli(QStringList(common) << "--out" << b << "--seed"
                                         << "3"
                                         << "--schedule"
                                         << "constant")
                 .exit_code,
             0);
    CliResult r = run_cli({"compare", a, b, "--png", tmp_.filePath("cmp-plots")});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    for (const char* row : {"\ncmp-a +one +synthetic", "\ncmp-a +two ", "\ncmp-b +one ", "\ncmp-b +two "}) {
      QVERIFY2(QRegularExpression(row).match(r.out).hasMatch(), row);
    }
    const QString differs = r.out.section("what differs:\n", 1).section("loss curves:", 0, 0);
    QCOMPARE(differs.section("\nfindings", 0, 0), QString("  schedule: warmup-linear | constant\n  seed: 0 | 3\n"));
    QVERIFY2(r.out.contains("\nfindings (warnings and problems; `alexnet-lab diagnose RUN` for all):\n"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("(4 curves)"), qPrintable(r.out));
    QVERIFY(!QImage(tmp_.filePath("cmp-plots/compare-loss.png")).isNull());
    // JSON, and one variant only.
    r = run_cli({"compare", a, b, "--variants", "two", "--json"});
    QCOMPARE(r.exit_code, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["rows"].toArray().size(), 2);
    QCOMPARE(j["rows"].toArray()[1].toObject()["run"].toString(), QString("cmp-b"));
    QCOMPARE(j["differences"].toArray().size(), 2);
    QVERIFY(j["findings"].toObject().contains("cmp-a") && j["findings"].toObject()["cmp-b"].isArray());
    // One run, a folder that is not a run, an unknown variant.
    QCOMPARE(run_cli({"compare", a}).exit_code, 2);
    r = run_cli({"compare", a, tmp_.filePath("nothing-here")});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("nothing-here"), qPrintable(r.err));
    QCOMPARE(run_cli({"compare", a, b, "--variants", "three"}).exit_code, 2);
    // Comparing changes nothing in the run folders.
    QVERIFY(!QFile::exists(a + "/plots") && !QFile::exists(b + "/compare-loss.png"));
  }

  // bench --side-by-side times one iteration of the variants in the
  // trainer's rounds (two lanes on two threads) and one after the other.
  void benchTimesTheRoundsAndOneAfterTheOther() {
    const QString specs = write_small_specs({"lane-a", "lane-b"});
    QVERIFY(!specs.isEmpty());
    const QStringList args = {"bench", "--variants", specs, "--input-size", "32", "--batch",       "16", "--steps",
                              "3",     "--warmup",   "1",   "--threads",    "2",  "--side-by-side"};
    CliResult r = run_cli(QStringList(args) << "--json");
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    const QJsonObject together = QJsonDocument::fromJson(r.out.toUtf8()).object()["_side_by_side"].toObject();
    QCOMPARE(together["lanes"].toInt(), 2);
    for (const char* key : {"iteration_seconds", "in_turn_seconds", "sum_of_parts_seconds"}) {
      QVERIFY2(together[key].toDouble() > 0, key);
    }
    r = run_cli(args);
    QVERIFY2(QRegularExpression("one iteration of all 2 variants: \\d+\\.\\d ms in the trainer's rounds \\(2 lanes\\), "
                                "\\d+\\.\\d ms one after the other")
                 .match(r.out)
                 .hasMatch(),
             qPrintable(r.out));
  }

  // export: every plot in every format, with the numbers behind them.
  void exportWritesPngPdfSvgAndTheData() {
    const QString run = tmp_.filePath("run");
    QVERIFY2(QFile::exists(run + "/results.json"), "needs the run of trainRunsHeadlessIntoARunFolder");
    const QString out = tmp_.filePath("exported");
    const CliResult r = run_cli({"export", run, "--png", out + "/png", "--pdf", out + "/pdf", "--svg", out + "/svg"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    auto read = [](const QString& path) {
      QFile f(path);
      return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    for (const char* format : {"png", "pdf", "svg"}) {
      const QString dir = out + "/" + format;
      for (const QString& name : {"loss", "filters", "activations-tiny", "dead-units-tiny", "confusion-tiny"}) {
        const QByteArray bytes = read(dir + "/" + name + "." + format);
        QVERIFY2(bytes.size() > 1000, qPrintable(dir + "/" + name));
        if (QString(format) == "pdf") QVERIFY(bytes.startsWith("%PDF") && bytes.trimmed().endsWith("%%EOF"));
        if (QString(format) == "svg") QVERIFY(bytes.contains("<svg") && bytes.trimmed().endsWith("</svg>"));
        if (QString(format) == "png") QVERIFY(!QImage::fromData(bytes, "PNG").isNull());
      }
      QCOMPARE(read(dir + "/metrics.csv"), read(run + "/metrics.csv"));
      QCOMPARE(read(dir + "/results.json"), read(run + "/results.json"));
    }
    QCOMPARE(QImage(out + "/png/loss.png").size(), QSize(1920, 1080));
    QCOMPARE(run_cli({"export", run}).exit_code, 2);  // no format: usage
  }

  void trainRefusesBadSettings() {
    for (const QStringList& args :
         {QStringList{"train", "--batch", "0"}, QStringList{"train", "--lr", "-1"},
          QStringList{"train", "--iterations", "0"}, QStringList{"train", "--optimizer", "rmsprop"},
          QStringList{"train", "--lr-scale", "nobody=2"}, QStringList{"train", "--precision", "half"},
          QStringList{"train", "--bf16"}, QStringList{"train", "--schedule", "step"}}) {
      const CliResult r = run_cli(args);
      QVERIFY2(r.exit_code == 2, qPrintable(args.join(' ') + ": " + r.err));
      QVERIFY(!r.err.isEmpty());
    }
    QVERIFY(run_cli({"train", "--precision", "half"}).err.contains("expected bf16 or float32"));
    QVERIFY(run_cli({"train", "--schedule", "step"}).err.contains("expected warmup-linear, warmup-cosine or constant"));
    const CliResult size = run_cli({"train", "--input-size", "1"});
    QCOMPARE(size.exit_code, 1);
    QVERIFY(size.err.contains("smallest input size that works"));
    const CliResult data = run_cli({"train", "--data", tmp_.filePath("missing"), "--variants", "small"});
    QCOMPARE(data.exit_code, 1);
    QVERIFY2(data.err.contains("no such file or folder"), qPrintable(data.err));
  }

  void badSpecsAreRefusedWithoutACrash() {
    const QString spec = tmp_.filePath("broken.json");
    QFile f(spec);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "broken", "conv": [{"filters": "many", "kernel": 3}]})");
    f.close();
    const CliResult r = run_cli({"describe", spec});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("broken.json") && r.err.contains("conv[0].filters"), qPrintable(r.err));
    const CliResult small = run_cli({"describe", "original", "--input-size", "32"});
    QCOMPARE(small.exit_code, 1);
    QVERIFY(small.err.contains("smallest input size that works is 63"));
    const CliResult missing = run_cli({"describe", tmp_.filePath("none.json")});
    QCOMPARE(missing.exit_code, 1);
    QVERIFY(missing.err.contains("cannot open"));
  }
};

QTEST_GUILESS_MAIN(TestApp)
#include "test_app.moc"
