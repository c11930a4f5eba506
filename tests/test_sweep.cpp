// Sweeps (core/sweep and `alexnet-lab sweep`): the space is parsed and
// validated before anything runs; ASHA keeps the best 1/reduction at each
// rung; sweep.json reads back and refuses a stranger's tricks; a real sweep of
// tiny variants runs trials side by side, prunes, survives a kill of its
// driver (no trial process outlives it) and is resumed to the end.
#include <QtTest>

#include <csignal>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "data_files.h"
#include "spec/spec_json.h"
#include "sweep/asha.h"
#include "sweep/slurm_array.h"
#include "sweep/sweep_folder.h"
#include "sweep/sweep_space.h"
#include "sweep/sweep_summary.h"
#include "sweep/trial_curves.h"
#include "tensorboard_reader.h"
#include "training_support.h"

#include <set>

using namespace alexnet;

namespace {

// Trial processes of the sweep in `dir` still alive (their command lines name it).
int trial_processes(const QString& dir) {
  int n = 0;
  for (const QString& pid : QDir("/proc").entryList(QDir::Dirs)) {
    QFile f("/proc/" + pid + "/cmdline");
    if (!f.open(QIODevice::ReadOnly)) continue;
    const QByteArray cmd = f.readAll();
    n += cmd.contains("--run-trial") && cmd.contains(dir.toUtf8());
  }
  return n;
}

}  // namespace

class TestSweep : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString spec_;
  QString grid_dir_;  // the sweep aGridSweepRunsAndPrunes made

  QStringList quick_sweep(const QString& out) const {
    return {"sweep",     "--variants",     spec_, "--data",
            "synthetic", "--input-size",   "32",  "--batch",
            "16",        "--optimizer",    "sgd", "--label-smoothing",
            "0",         "--record-every", "10",  "--probe-every",
            "10",        "--probe-size",   "100", "--checkpoint-every",
            "0",         "--out",          out};
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    spec_ = tmp_.filePath("tiny.json");
    QVERIFY(
        testdata::write_file(spec_, QByteArray::fromStdString(spec_to_json(testsupport::tiny_spec("tiny")).dump())));
  }

  void gridsMultiplyAndRangesDrawSeeded() {
    SweepSpace space;
    space.grid = {parse_grid("lr=0.1,0.01"), parse_grid("init=kaiming,paper")};
    QCOMPARE(expand(space).size(), std::size_t(4));
    QCOMPARE(expand(space)[3]["init"].get<std::string>(), std::string("paper"));
    QCOMPARE(expand(space)[3]["lr"].get<double>(), 0.01);
    space.random = {parse_range("weight-decay=loguniform(1e-5,1e-2)"), parse_range("small.fc7.units=uniform(64,512)"),
                    parse_range("small.activation=choice(relu,tanh)")};
    space.samples = 3;
    space.seed = 7;
    const auto trials = expand(space);
    QCOMPARE(trials.size(), std::size_t(12));
    for (const auto& t : trials) {
      const double wd = t["weight-decay"].get<double>();
      QVERIFY(wd >= 1e-5 && wd <= 1e-2);
      QVERIFY(t["small.fc7.units"].is_number_integer());  // whole bounds draw whole numbers
      const int units = t["small.fc7.units"].get<int>();
      QVERIFY(units >= 64 && units <= 512);
    }
    QCOMPARE(expand(space), trials);  // the same seed draws the same trials
    ExperimentConfig base;
    base.variants = {testsupport::tiny_spec("small")};
    base.variants[0].hidden_fc[0].name = "fc7";
    validate_space(space, base);
    const ExperimentConfig c = trial_config(base, trials[0]);
    QCOMPARE(c.variants[0].hidden_fc[0].units, trials[0]["small.fc7.units"].get<int>());
  }

  void badSpacesAreRefusedNamingTheProblem() {
    ExperimentConfig base;
    base.variants = {testsupport::tiny_spec("small")};
    const auto refused = [&](const std::vector<std::string>& grids, const std::vector<std::string>& ranges, int samples,
                             const QString& why) {
      try {
        SweepSpace s;
        for (const auto& g : grids) s.grid.push_back(parse_grid(g));
        for (const auto& r : ranges) s.random.push_back(parse_range(r));
        s.samples = samples;
        validate_space(s, base);
        QFAIL(qPrintable("accepted: " + why));
      } catch (const std::invalid_argument& e) {
        QVERIFY2(QString(e.what()).contains(why), e.what());
      }
    };
    refused({"learning-rate=0.1"}, {}, 0, "unknown setting");
    refused({"lr=0.1,-1"}, {}, 0, "learning rate must be positive");
    refused({"small.fc9.units=10"}, {}, 0, "small has no layer fc9 (it has conv1, conv2, fc3)");
    refused({"big.activation=tanh"}, {}, 0, "no variant big");
    refused({"small.conv1.units=10"}, {}, 0, "is a convolution");
    refused({"lr="}, {}, 0, "gives lr no value");
    refused({}, {"lr=loguniform(1e-2,1e-4)"}, 3, "empty or inverted");
    refused({}, {"lr=loguniform(0,1)"}, 3, "positive bounds");
    refused({}, {"lr=normal(0,1)"}, 3, "unknown distribution normal");
    refused({}, {"lr=uniform(0.1,x)"}, 3, "x is not a number");
    refused({}, {"lr=loguniform(1e-4,1e-2)"}, 0, "say how many trials with --random N");
    refused({}, {}, 0, "the sweep has no space");
    refused({"lr=0.1,0.01", "lr=0.001"}, {}, 0, "names lr twice");
  }

  void ashaKeepsTheBestThirdAtEachRung() {
    AshaSettings a;
    a.on = true;
    a.min_iterations = 100;
    a.reduction = 3;
    QCOMPARE(asha_rungs(a, 2400), (std::vector<std::int64_t>{100, 300, 900}));
    QCOMPARE(asha_rungs(a, 100), std::vector<std::int64_t>{});
    a.min_iterations = 0;  // a ninth of the run
    QCOMPARE(asha_rungs(a, 900), (std::vector<std::int64_t>{100, 300}));
    QVERIFY(asha_promotes({0.5}, 0.5, 3));                            // the first at a rung goes on
    QVERIFY(!asha_promotes({0.9, 0.5}, 0.5, 3));                      // 1 of 2 kept: the better one
    QVERIFY(asha_promotes({0.9, 0.5, 0.7, 0.95, 0.6, 0.8}, 0.9, 3));  // 2 of 6 kept: 0.95 and 0.9
    QVERIFY(!asha_promotes({0.9, 0.5, 0.7, 0.95, 0.6, 0.8}, 0.8, 3));
  }

  void aStrangersSweepFolderIsRefusedByName() {
    Sweep s;
    s.dir = tmp_.filePath("stranger").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(s.dir)));
    s.base = config_to_json(testsupport::quick_config(""));
    s.space.grid = {parse_grid("lr=0.1")};
    s.variant = "relu-net";
    TrialRecord t;
    t.run = "trial-000";
    s.trials = {t};
    write_sweep(s);
    QCOMPARE(read_sweep(s.dir).trials.size(), std::size_t(1));
    const std::string good = sweep_to_json(s).dump();
    for (const auto& [from, to, why] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"\"trial-000\"", "\"../../etc\"", "not a trial's name; refused"},
             {"\"state\":\"queued\"", "\"state\":\"sleeping\"", "unknown trial state"},
             {"alexnet-lab sweep 1", "something else", "is not an AlexNet Lab sweep"}}) {
      std::string text = good;
      QVERIFY2(text.find(from) != std::string::npos, from.c_str());
      text.replace(text.find(from), from.size(), to);
      try {
        parse_sweep(text, s.dir, "sweep.json");
        QFAIL(("accepted: " + why).c_str());
      } catch (const StoreError& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(why)), e.what());
      }
    }
    QVERIFY(testdata::write_file(QString::fromStdString(s.dir) + "/sweep.json", "{\"format\": [[[[[[[["));
    const CliResult shown = run_cli({"sweep", "--show", QString::fromStdString(s.dir)});
    QCOMPARE(shown.exit_code, 1);
    QVERIFY2(shown.err.contains("sweep.json is damaged"), qPrintable(shown.err));
  }

  void theSlurmScriptRunsOneTrialPerTask() {
    SlurmArraySettings s;
    s.program = "/opt/alexnet lab/alexnet-lab";
    s.sweep_dir = "/shared/sweeps/a";
    s.trials = {0, 1, 2, 3};
    s.max_running = 2;
    s.partition = "short";
    s.time = "00:30:00";
    const std::string script = sbatch_script(s);
    QVERIFY(script.rfind("#!/bin/bash\n", 0) == 0);
    for (const char* line : {"#SBATCH --array=0-3%2\n", "#SBATCH --partition=short\n", "#SBATCH --time=00:30:00\n",
                             "#SBATCH --cpus-per-task=1\n",
                             "exec '/opt/alexnet lab/alexnet-lab' sweep --run-trial '/shared/sweeps/a' --trial "
                             "\"$SLURM_ARRAY_TASK_ID\""}) {
      QVERIFY2(script.find(line) != std::string::npos, line);
    }
    QCOMPARE(array_spec({3, 5, 7}, 0), std::string("3,5,7"));
    s.partition = "short\n#SBATCH --mem=1T";
    try {
      sbatch_script(s);
      QFAIL("a partition that writes script lines");
    } catch (const std::invalid_argument& e) {
      QVERIFY(QString(e.what()).contains("--partition"));
    }
  }

  // A 2 x 2 grid of tiny variants, two trials at a time, ASHA at 20 of 60
  // iterations; the cases after it look at the folder it leaves.
  void aGridSweepRunsAndPrunes() {
    const QString dir = tmp_.filePath("grid");
    const CliResult r = run_cli(QStringList(quick_sweep(dir)) << "--iterations"
                                                              << "60"
                                                              << "--grid"
                                                              << "lr=0.002,0.05"
                                                              << "--grid"
                                                              << "tiny.fc3.units=16,64"
                                                              << "--early-stop"
                                                              << "asha"
                                                              << "--asha-min"
                                                              << "20"
                                                              << "--parallel"
                                                              << "2");
    QVERIFY2(r.exit_code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.err.contains("4 trials in") && r.err.contains("2 at once on 1 thread(s) each") &&
                 r.err.contains("ASHA rungs at 20"),
             qPrintable(r.err));
    const Sweep s = read_sweep(dir.toStdString());
    int finished = 0, pruned = 0;
    for (const TrialRecord& t : s.trials) {
      QVERIFY2(t.state == TrialState::Finished || t.state == TrialState::Pruned,
               qPrintable(QString::fromStdString(t.reason)));
      QCOMPARE(t.rungs.size(), std::size_t(1));
      QCOMPARE(t.rungs[0].iteration, std::int64_t(20));
      // Every trial is a normal run folder.
      const QString run = dir + "/" + QString::fromStdString(t.run);
      QVERIFY(QFile::exists(run + "/results.json"));
      if (t.state == TrialState::Finished) {
        ++finished;
        QCOMPARE(t.iterations, std::int64_t(60));
        QCOMPARE(testsupport::read_json(run + "/results.json")["variants"][0]["iterations"].get<int>(), 60);
      } else {
        ++pruned;
        QCOMPARE(t.pruned_at, std::int64_t(20));
        QCOMPARE(t.iterations, std::int64_t(20));
        QVERIFY2(t.reason.find("pruned at 20") == 0, t.reason.c_str());
      }
    }
    QVERIFY(finished >= 1);
    QVERIFY(pruned >= 1);
    QVERIFY2(r.out.contains("ranked by tiny's validation_accuracy") && r.out.contains("best: trial "),
             qPrintable(r.out));
    const CliResult diagnosed = run_cli({"diagnose", dir + "/trial-000"});
    QCOMPARE(diagnosed.exit_code, 0);
    grid_dir_ = dir;
  }

  // The loss curves the Sweep tab draws: the best trials' once none runs (a
  // pruned trial's ends at its rung), the running trials' while some do.
  void theLossCurvesOfItsTrialsAreRead() {
    if (grid_dir_.isEmpty()) QSKIP("needs the sweep aGridSweepRunsAndPrunes made");
    const QString dir = grid_dir_;
    const Sweep s = read_sweep(dir.toStdString());
    const TrialCurves done = read_trial_curves(s);
    QVERIFY(!done.running);
    QCOMPARE(done.curves.size(), s.trials.size());
    QVERIFY2(done.warnings.empty(), done.warnings.empty() ? "" : done.warnings.front().c_str());
    for (const TrialCurve& c : done.curves) {
      const TrialRecord& t = s.trials[std::size_t(c.trial)];
      QCOMPARE(c.iterations.back(), t.iterations);
      QCOMPARE(c.iterations.size(), std::size_t(t.iterations / 10));
      QVERIFY(c.settings.find("lr=") != std::string::npos);
    }
    Sweep live = s;
    live.trials[1].state = TrialState::Running;
    const TrialCurves running = read_trial_curves(live);
    QVERIFY(running.running);
    QCOMPARE(running.curves.size(), std::size_t(1));
    QCOMPARE(running.curves[0].trial, 1);
    // A metrics.csv that leads out of its run folder is named, not read.
    const QString metrics = dir + "/" + QString::fromStdString(s.trials[1].run) + "/metrics.csv";
    QVERIFY(QFile::rename(metrics, metrics + ".kept"));
    QVERIFY(QFile::link("/etc/passwd", metrics));
    const TrialCurves refused = read_trial_curves(live);
    QCOMPARE(refused.warnings.size(), std::size_t(1));
    QVERIFY2(refused.warnings[0].find(s.trials[1].run) == 0, refused.warnings[0].c_str());
    QVERIFY(refused.curves[0].iterations.empty());
    QVERIFY(QFile::remove(metrics) && QFile::rename(metrics + ".kept", metrics));
  }

  // sweep --show --json: every trial with its settings and metrics, best first.
  void itsTableListsTheBestFirst() {
    if (grid_dir_.isEmpty()) QSKIP("needs the sweep aGridSweepRunsAndPrunes made");
    const QString dir = grid_dir_;
    const Sweep s = read_sweep(dir.toStdString());
    const CliResult shown = run_cli({"sweep", "--show", dir, "--json"});
    QCOMPARE(shown.exit_code, 0);
    const nlohmann::json j = nlohmann::json::parse(shown.out.toStdString());
    QCOMPARE(j["sweep"].get<std::string>(), s.dir);
    QCOMPARE(j["trials"].size(), std::size_t(4));
    double previous = 2;
    for (const auto& t : j["trials"]) {
      for (const char* key : {"trial", "run", "state", "settings", "metrics"}) QVERIFY2(t.contains(key), key);
      QCOMPARE(t["settings"].size(), std::size_t(2));
      const double v = t["metrics"]["validation_accuracy"].get<double>();
      if (t["state"] == "finished") {
        QVERIFY(v <= previous);  // finished ones ranked best first
        previous = v;
      }
    }
  }

  // TensorBoard's HParams tab: the experiment at the sweep's root, each trial a session with its values.
  void tensorBoardShowsItsParameters() {
    if (grid_dir_.isEmpty()) QSKIP("needs the sweep aGridSweepRunsAndPrunes made");
    const QString dir = grid_dir_;
    const Sweep s = read_sweep(dir.toStdString());
    const auto hparams = [](const QString& folder, const std::string& tag) {
      std::vector<tbread::Message> found;  // the HParamsPluginData of each summary with `tag`
      for (const QString& file : QDir(folder).entryList({"events.out.tfevents.*"}, QDir::Files)) {
        for (const std::string& record : tbread::read_records(folder + "/" + file)) {
          const tbread::Message event = tbread::parse(record);
          if (!event.count(5)) continue;
          const tbread::Message value = tbread::parse(tbread::parse(event.find(5)->second.bytes).find(1)->second.bytes);
          if (value.find(1)->second.bytes != tag) continue;
          const tbread::Message plugin =
              tbread::parse(tbread::parse(value.find(9)->second.bytes).find(1)->second.bytes);
          if (plugin.find(1)->second.bytes != "hparams") continue;
          found.push_back(tbread::parse(plugin.find(2)->second.bytes));
        }
      }
      return found;
    };
    const auto experiment = hparams(dir, "_hparams_/experiment");
    QCOMPARE(int(experiment.size()), 1);
    const tbread::Message e = tbread::parse(experiment[0].find(2)->second.bytes);
    QCOMPARE(int(e.count(4)), 2);  // lr and tiny.fc3.units
    QVERIFY(e.count(5) >= 1);      // the metrics
    const tbread::Message metric = tbread::parse(tbread::parse(e.find(5)->second.bytes).find(1)->second.bytes);
    QCOMPARE(metric.find(1)->second.bytes, std::string("tb"));
    QCOMPARE(metric.find(2)->second.bytes, std::string("validation/accuracy/tiny"));
    for (const TrialRecord& t : s.trials) {
      const QString run = dir + "/" + QString::fromStdString(t.run);
      const auto start = hparams(run, "_hparams_/session_start_info");
      QCOMPARE(int(start.size()), 1);
      const tbread::Message info = tbread::parse(start[0].find(3)->second.bytes);
      std::set<std::string> names;
      for (auto [it, end] = info.equal_range(1); it != end; ++it)
        names.insert(tbread::parse(it->second.bytes).find(1)->second.bytes);
      QCOMPARE(names, (std::set<std::string>{"lr", "tiny.fc3.units"}));
      QCOMPARE(int(hparams(run, "_hparams_/session_end_info").size()), t.state == TrialState::Finished ? 1 : 0);
    }
  }

  // A second sweep in the same folder is refused; so is changing the space on
  // resume; a bad name fails before anything starts, naming it.
  void aSecondSweepOrABadNameIsRefused() {
    if (grid_dir_.isEmpty()) QSKIP("needs the sweep aGridSweepRunsAndPrunes made");
    const QString dir = grid_dir_;
    const CliResult again = run_cli(QStringList(quick_sweep(dir)) << "--grid"
                                                                  << "lr=0.1");
    QCOMPARE(again.exit_code, 1);
    QVERIFY2(again.err.contains("already holds a sweep"), qPrintable(again.err));
    QCOMPARE(run_cli({"sweep", "--resume", dir, "--grid", "lr=0.1"}).exit_code, 2);
    const CliResult bad = run_cli(QStringList(quick_sweep(tmp_.filePath("bad"))) << "--grid"
                                                                                 << "tiny.fc9.units=8");
    QCOMPARE(bad.exit_code, 2);
    QVERIFY2(bad.err.contains("tiny has no layer fc9"), qPrintable(bad.err));
    QVERIFY(!QFile::exists(tmp_.filePath("bad/sweep.json")));
  }

  // Kill the driver mid-trial: its trial process stops with it, the trial stays
  // resumable, a second driver meanwhile is refused, and --resume finishes all.
  void aKilledSweepIsResumedToTheEnd() {
    const QString dir = tmp_.filePath("killed");
    QProcess driver;
    driver.start(QStringLiteral(ALEXNET_BINARY), quick_sweep(dir) << "--iterations"
                                                                  << "400"
                                                                  << "--grid"
                                                                  << "lr=0.01,0.02"
                                                                  << "--parallel"
                                                                  << "1");
    QVERIFY(driver.waitForStarted());
    // Wait until the first trial has written some metrics rows.
    QTRY_VERIFY_WITH_TIMEOUT(QFile(dir + "/trial-000/metrics.csv").size() > 200, 120000);
    const CliResult second = run_cli({"sweep", "--resume", dir});
    QCOMPARE(second.exit_code, 1);
    QVERIFY2(second.err.contains("another sweep is running in"), qPrintable(second.err));
    QCOMPARE(trial_processes(dir), 1);
    driver.kill();  // SIGKILL: no chance to clean up
    driver.waitForFinished();
    QTRY_COMPARE_WITH_TIMEOUT(trial_processes(dir), 0, 60000);  // it died with the driver
    const CliResult resumed = run_cli({"sweep", "--resume", dir});
    QVERIFY2(resumed.exit_code == 0, qPrintable(resumed.err));
    const Sweep s = read_sweep(dir.toStdString());
    for (const TrialRecord& t : s.trials) {
      QCOMPARE(trial_state_name(t.state), std::string("finished"));
      QCOMPARE(t.iterations, std::int64_t(400));
    }
    // The interrupted trial went on from a checkpoint rather than starting over.
    QVERIFY2(QFile::exists(dir + "/trial-000/tb") && QDir(dir + "/trial-000/tb").entryList(QDir::Files).size() >= 2,
             "a resumed run adds a second event file");
  }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
