// Data-parallel training over c10d + Gloo, on loopback: N processes follow
// the one-process run, rank 0 alone writes, a lost rank stops the others with
// a message and the run resumes, and every setup mistake is refused on every
// rank instead of hanging.
#include <QtTest>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "data/batch_stream.h"
#include "dist/cluster.h"
#include "dist/gradient_averager.h"
#include "dist/settings_agreement.h"
#include "run/predictions.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

// No dropout: then N processes and one compute the same steps.
const char* kSpec = R"({"name": "net", "input_size": 32, "activation": "relu", "dropout": 0,
  "conv": [{"name": "conv1", "filters": 16, "kernel": 5, "stride": 2, "pool": true},
           {"name": "conv2", "filters": 32, "kernel": 3, "padding": 1, "pool": true}],
  "fc": [{"name": "fc3", "units": 64}]})";

// Long enough to be killed in the middle, short enough to resume to the end.
constexpr int kKilledRunIterations = 1500;

struct Finished {
  int exit_code = -1;
  QString err;
  qint64 ms = 0;
};

// Runs alexnet-lab with HOME and XDG_DATA_HOME pointing at `home`, so any run
// folder a process made on its own would show there.
class Cli {
 public:
  explicit Cli(const QString& home) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("HOME", home);
    env.insert("XDG_DATA_HOME", home + "/data");
    process_.setProcessEnvironment(env);
  }
  void start(const QStringList& args) {
    timer_.start();
    process_.start(QStringLiteral(ALEXNET_BINARY), args);
    QVERIFY(process_.waitForStarted());
  }
  Finished finish(int timeout_ms = 300000) {
    Finished f;
    if (!process_.waitForFinished(timeout_ms)) {
      process_.kill();
      process_.waitForFinished();
      f.err = "timed out";
      return f;
    }
    f.ms = timer_.elapsed();
    f.exit_code = process_.exitStatus() == QProcess::NormalExit ? process_.exitCode() : -1;
    f.err = QString::fromUtf8(process_.readAllStandardError());
    return f;
  }
  qint64 pid() const { return process_.processId(); }

 private:
  QProcess process_;
  QElapsedTimer timer_;
};

Finished run(const QString& home, const QStringList& args) {
  Cli cli(home);
  cli.start(args);
  return cli.finish();
}

std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// A socket listening on a port of the system's choosing; closed with the object.
class ListeningSocket {
 public:
  ListeningSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t length = sizeof(a);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::listen(fd_, 4);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &length);
    port_ = ntohs(a.sin_port);
  }
  ~ListeningSocket() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port nobody listens on (free when this returns).
int free_port() { return ListeningSocket().port(); }

// The processes whose parent is `pid` (the ranks rank 0 started).
std::vector<int> children_of(qint64 pid) {
  std::vector<int> children;
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  int child = 0;
  while (in >> child) children.push_back(child);
  return children;
}

}  // namespace

class TestDist : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString spec_;

  QStringList experiment(const QString& out, int iterations) const {
    return {"train",
            "--data",
            "synthetic",
            "--variants",
            spec_,
            "--input-size",
            "32",
            "--batch",
            "16",
            "--iterations",
            QString::number(iterations),
            "--lr",
            "0.005",
            "--augment",
            "--record-every",
            "5",
            "--probe-every",
            "0",
            "--out",
            out};
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    spec_ = dir_.filePath("net.json");
    std::ofstream(spec_.toStdString()) << kSpec;
  }

  // Each rank's slice of a batch, augmentation included, is exactly that part
  // of the batch one process would train on.
  void shardsMakeUpTheGlobalBatch() {
    ImageSet set;
    set.images = torch::randint(0, 256, {64, 1, 28, 28}, torch::kUInt8);
    set.labels = torch::arange(64, torch::kInt64) % 10;
    TransformOptions t;
    t.input_size = 32;
    t.random_crop = true;
    t.horizontal_flip = true;
    BatchStream whole(set, 16, t, 7);
    BatchStream first(set, 16, t, 7, 0, 3, BatchShard{0, 2});
    BatchStream second(set, 16, t, 7, 0, 3, BatchShard{1, 2});
    for (int n = 0; n < 5; ++n) {
      const Batch w = whole.next(), a = first.next(), b = second.next();
      QCOMPARE(a.images.size(0), 8);
      QVERIFY(torch::equal(torch::cat({a.images, b.images}), w.images));
      QVERIFY(torch::equal(torch::cat({a.labels, b.labels}), w.labels));
    }
  }

  // Two ranks in one process (threads): the averaged gradient is the mean of
  // theirs, the loss too, and rank 0's bytes reach rank 1.
  void gradientsAreAveragedOverTheRanks() {
    DistSettings settings;
    settings.world_size = 2;
    settings.timeout_seconds = 20;
    std::unique_ptr<Cluster> rank1;
    std::thread joiner;
    std::unique_ptr<Cluster> rank0 = Cluster::join(settings, [&](int port) {
      DistSettings other = settings;
      other.rank = 1;
      other.master_port = port;
      joiner = std::thread([&rank1, other] { rank1 = Cluster::join(other); });
    });
    joiner.join();
    QVERIFY(rank1);
    QCOMPARE(rank0->size(), 2);
    QCOMPARE(rank1->rank(), 1);

    // Three parameters in three units: c and b share a bucket (at most 10
    // values), a is summed in place (6 values or more), and the loss has a
    // bucket of its own. c is unreached by backward: its gradient averages as zero.
    auto parameters = [] {
      return std::vector<torch::Tensor>{torch::zeros({3, 2}, torch::requires_grad()),
                                        torch::zeros({5}, torch::requires_grad()),
                                        torch::zeros({4}, torch::requires_grad())};
    };
    const std::vector<torch::Tensor> p0 = parameters(), p1 = parameters();
    GradientAverager a0(*rank0, p0, 6, 10), a1(*rank1, p1, 6, 10);
    QCOMPARE(a0.units(), std::size_t(3));
    QCOMPARE(a0.bytes_per_call(), (6 + 5 + 4 + 1) * 4);
    // Twice: the second step's gradients replace the first's.
    for (double scale : {1.0, 10.0}) {
      const torch::Tensor loss0 = (p0[0] * scale).sum() + (p0[1] * 2.0 * scale).sum();
      const torch::Tensor loss1 = (p1[0] * 3.0 * scale).sum() + (p1[1] * 4.0 * scale).sum();
      double mean0 = 0, mean1 = 0;
      std::thread other([&] { mean1 = a1.backward(loss1, 3.0 * scale); });
      mean0 = a0.backward(loss0, 1.0 * scale);
      other.join();
      for (const std::vector<torch::Tensor>* p : {&p0, &p1}) {
        QVERIFY(torch::equal((*p)[0].grad(), torch::full({3, 2}, 2.0 * scale)));
        QVERIFY(torch::equal((*p)[1].grad(), torch::full({5}, 3.0 * scale)));
        QVERIFY(torch::equal((*p)[2].grad(), torch::zeros({4})));
      }
      QCOMPARE(mean0, 2.0 * scale);
      QCOMPARE(mean1, 2.0 * scale);
    }

    std::string received;
    std::thread receiver([&] { received = rank1->broadcast_bytes(""); });
    QCOMPARE(rank0->broadcast_bytes("rank 0's state"), std::string("rank 0's state"));
    receiver.join();
    QCOMPARE(received, std::string("rank 0's state"));
  }

  void differingSettingsAreNamed() {
    ExperimentConfig a, b;
    a.iterations = 2000;
    b.iterations = 30;
    b.seed = 4;
    b.threads = 7;  // a process's own: not compared
    const std::string text = differing_settings(config_to_json(a).dump(), config_to_json(b).dump());
    QVERIFY2(text.find("iterations (rank 0: 2000, here: 30)") != std::string::npos, text.c_str());
    QVERIFY2(text.find("seed (rank 0: 0, here: 4)") != std::string::npos, text.c_str());
    QVERIFY2(differing_settings(config_to_json(a).dump(), config_to_json(a).dump()).empty(), text.c_str());
  }

  // The acceptance test: same batches, same losses at every record, same test
  // results, and only rank 0's folder on disk. In float32: with bf16 products
  // each rank rounds its own conv2 weight gradient to bf16 before the average,
  // so the runs agree only to bf16's rounding (README).
  void twoProcessesFollowOneProcess() {
    const QString one = dir_.filePath("one"), two = dir_.filePath("two"), home = dir_.filePath("home");
    const Finished a = run(home, experiment(one, 30) << "--threads"
                                                     << "2"
                                                     << "--precision"
                                                     << "float32");
    QVERIFY2(a.exit_code == 0, qPrintable(a.err));
    const Finished b = run(home, experiment(two, 30) << "--processes"
                                                     << "2"
                                                     << "--precision"
                                                     << "float32");
    QVERIFY2(b.exit_code == 0, qPrintable(b.err));
    QVERIFY2(b.err.contains("allreduce of net"), qPrintable(b.err));

    const auto rows_one = csv_rows(one.toStdString() + "/metrics.csv");
    const auto rows_two = csv_rows(two.toStdString() + "/metrics.csv");
    QCOMPARE(rows_one.size(), std::size_t(6));
    QCOMPARE(rows_two.size(), rows_one.size());  // one writer: no row twice
    for (std::size_t i = 0; i < rows_one.size(); ++i) {
      QCOMPARE(rows_two[i][1], rows_one[i][1]);  // iteration
      const double l1 = std::stod(rows_one[i][2]), l2 = std::stod(rows_two[i][2]);
      QVERIFY2(std::abs(l1 - l2) <= 1e-4 * std::abs(l1),
               qPrintable(QString("iteration %1: %2 against %3").arg(rows_one[i][1].c_str()).arg(l1).arg(l2)));
    }
    const nlohmann::json r1 = read_json(one.toStdString() + "/results.json")["variants"][0];
    const nlohmann::json r2 = read_json(two.toStdString() + "/results.json")["variants"][0];
    QVERIFY(std::abs(r1["test_loss"].get<double>() - r2["test_loss"].get<double>()) <=
            1e-4 * r1["test_loss"].get<double>());
    QCOMPARE(r2["test_accuracy"].get<double>(), r1["test_accuracy"].get<double>());
    // The ranks' shares of the test predictions reach rank 0's file whole.
    const auto confusion = r2["confusion"].get<std::vector<std::vector<std::int64_t>>>();
    const auto predictions = read_predictions(two.toStdString(), "net", int(confusion.size()));
    QCOMPARE(int(predictions.size()), 1000);
    QCOMPARE(confusion_of(predictions, int(confusion.size())), confusion);
    QCOMPARE(read_json(two.toStdString() + "/config.json")["world_size"].get<int>(), 2);
    QCOMPARE(read_json(one.toStdString() + "/config.json")["world_size"].get<int>(), 1);
    // Ranks other than 0 made no run folder of their own.
    QVERIFY(!fs::exists(home.toStdString() + "/data/alexnet-lab"));
  }

  // kill -9 of rank 1: rank 0 stops within the timeout (+10 s) naming it, and
  // --resume with two processes finishes the run.
  void aKilledRankStopsTheRunAndResumeFinishesIt() {
    const QString out = dir_.filePath("killed"), home = dir_.filePath("home");
    Cli cli(home);
    cli.start(experiment(out, kKilledRunIterations) << "--processes"
                                                    << "2"
                                                    << "--timeout"
                                                    << "10"
                                                    << "--checkpoint-every"
                                                    << "20");
    const std::string checkpoint = out.toStdString() + "/checkpoints/latest.json";
    for (int i = 0; i < 600 && !fs::exists(checkpoint); ++i) QTest::qWait(100);
    QVERIFY(fs::exists(checkpoint));
    const std::vector<int> ranks = children_of(cli.pid());
    QCOMPARE(ranks.size(), std::size_t(1));
    QElapsedTimer since_kill;
    since_kill.start();
    QCOMPARE(::kill(ranks[0], SIGKILL), 0);
    const Finished f = cli.finish(60000);
    QVERIFY2(f.exit_code == 1, qPrintable(f.err));
    QVERIFY2(since_kill.elapsed() < (10 + 10) * 1000, qPrintable(QString::number(since_kill.elapsed())));
    QVERIFY2(f.err.contains("rank 1 of 2 stopped answering"), qPrintable(f.err));
    QVERIFY2(f.err.contains("--resume " + out), qPrintable(f.err));

    QVERIFY(!fs::exists(out.toStdString() + "/results.json"));

    // --resume finishes it, here with another number of processes: every record once, in order.
    const Finished r = run(home, {"train", "--resume", out, "--processes", "4", "--timeout", "10"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY(fs::exists(out.toStdString() + "/results.json"));
    const auto rows = csv_rows(out.toStdString() + "/metrics.csv");
    QCOMPARE(rows.size(), std::size_t(kKilledRunIterations / 5));
    for (std::size_t i = 0; i < rows.size(); ++i) QCOMPARE(std::stoi(rows[i][1]), int(5 * (i + 1)));
  }

  void ranksWithDifferentSettingsAreRefusedOnEveryRank() {
    const QString home = dir_.filePath("home");
    const QString master = QString("127.0.0.1:%1").arg(free_port());
    Cli rank0(home), rank1(home);
    rank0.start(experiment(dir_.filePath("mismatch"), 20) << "--world-size"
                                                          << "2"
                                                          << "--rank"
                                                          << "0"
                                                          << "--master" << master << "--timeout"
                                                          << "20");
    rank1.start(experiment(dir_.filePath("unused"), 30) << "--world-size"
                                                        << "2"
                                                        << "--rank"
                                                        << "1"
                                                        << "--master" << master << "--timeout"
                                                        << "20");
    const Finished a = rank0.finish(60000), b = rank1.finish(60000);
    QVERIFY2(a.exit_code == 1, qPrintable(a.err));
    QVERIFY2(b.exit_code == 1, qPrintable(b.err));
    for (const QString& err : {a.err, b.err}) {
      QVERIFY2(err.contains("different settings") && err.contains("iterations (rank 0: 20, here: 30)"),
               qPrintable(err));
    }
    QVERIFY(!fs::exists(dir_.filePath("unused").toStdString()));
  }

  void setupMistakesAreClearErrors() {
    const QString home = dir_.filePath("home");
    // A batch that does not split.
    Finished f = run(home, experiment(dir_.filePath("odd"), 10) << "--batch"
                                                                << "15"
                                                                << "--processes"
                                                                << "2");
    QCOMPARE(f.exit_code, 1);
    QVERIFY2(f.err.contains("a batch of 15 does not split evenly between 2 processes"), qPrintable(f.err));
    // Nobody listening at the master.
    f = run(home, {"train", "--world-size", "2", "--rank", "1", "--master", QString("127.0.0.1:%1").arg(free_port()),
                   "--timeout", "2"});
    QCOMPARE(f.exit_code, 1);
    QVERIFY2(f.err.contains("cannot reach the master at 127.0.0.1:"), qPrintable(f.err));
    QVERIFY2(!f.err.contains("InitGoogleLogging"), qPrintable(f.err));
    // The master's port is taken.
    ListeningSocket taken;
    f = run(home, experiment(dir_.filePath("taken"), 10)
                      << "--world-size"
                      << "2"
                      << "--rank"
                      << "0"
                      << "--master" << QString("127.0.0.1:%1").arg(taken.port()) << "--timeout"
                      << "5");
    QCOMPARE(f.exit_code, 1);
    QVERIFY2(f.err.contains("cannot host the rendezvous on port"), qPrintable(f.err));
    // Usage.
    f = run(home, {"train", "--world-size", "2", "--rank", "1"});
    QCOMPARE(f.exit_code, 2);
    QVERIFY2(f.err.contains("--master"), qPrintable(f.err));
    f = run(home, {"train", "--processes", "2", "--rank", "1"});
    QCOMPARE(f.exit_code, 2);
  }
};

QTEST_MAIN(TestDist)
#include "test_dist.moc"
