// Run folders and data files from strangers: a path read from inside a run
// folder cannot reach outside it, links leading out are not followed,
// deleting or renaming a run acts on that folder alone, and headers that
// claim absurd sizes are refused before anything large is allocated.
#include <QtTest>

#include <memory>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "data/dataset.h"
#include "data_files.h"
#include "run/checkpoint.h"
#include "run/run_paths.h"
#include "run/run_reader.h"
#include "run/run_removal.h"
#include "run/run_store.h"
#include "training_support.h"

namespace fs = std::filesystem;

namespace {

const char* kSpec = R"({"name": "net", "input_size": 32, "activation": "relu", "dropout": 0,
  "conv": [{"filters": 8, "kernel": 5, "stride": 2, "pool": true}], "fc": [32]})";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool any_contains(const std::vector<std::string>& lines, const std::string& a, const std::string& b) {
  for (const std::string& l : lines) {
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  }
  return false;
}

// Runs `work` in a child process whose address space may grow by only
// `headroom` bytes: an allocation anywhere near what a header claims fails
// there. Returns the child's exit code (work's return value), or -1 when it
// crashed or ran out of memory.
template <typename Work>
int with_memory_limit(std::size_t headroom, Work&& work) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    statm >> pages;
    const rlim_t limit = pages * std::size_t(::sysconf(_SC_PAGESIZE)) + headroom;
    const struct rlimit r = {limit, limit};
    ::setrlimit(RLIMIT_AS, &r);
    int code = 3;
    try {
      code = work();
    } catch (const std::bad_alloc&) {
      code = 4;
    } catch (...) {
      code = 5;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// `header` followed by `zeros` zero bytes, gzip-compressed in memory (a
// gigabyte of zeros is a megabyte of gzip).
std::vector<std::uint8_t> gzip_bomb(const std::string& header, std::size_t zeros) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> block(1 << 20, 0);
  std::vector<std::uint8_t> buffer(1 << 16);
  auto pump = [&](const std::uint8_t* data, std::size_t size, int flush) {
    z.next_in = const_cast<Bytef*>(data);
    z.avail_in = static_cast<uInt>(size);
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, flush);
      out.insert(out.end(), buffer.data(), buffer.data() + (buffer.size() - z.avail_out));
    } while (z.avail_out == 0);
  };
  pump(reinterpret_cast<const std::uint8_t*>(header.data()), header.size(), Z_NO_FLUSH);
  for (std::size_t done = 0; done < zeros; done += block.size()) {
    pump(block.data(), std::min(block.size(), zeros - done), Z_NO_FLUSH);
  }
  pump(nullptr, 0, Z_FINISH);
  deflateEnd(&z);
  return out;
}

std::string idx_header(std::uint32_t n, std::uint32_t h, std::uint32_t w) {
  std::string s = {0, 0, 8, 3};
  for (std::uint32_t v : {n, h, w}) {
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return s;
}

}  // namespace

class TestUntrustedRuns : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string run_;      // a real run, trained once
  std::string outside_;  // a folder beside it that nothing may touch

  std::string fresh_copy(const std::string& name) {
    const std::string copy = (fs::path(tmp_.path().toStdString()) / name).string();
    fs::copy(run_, copy, fs::copy_options::recursive);
    return copy;
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    const QString spec = tmp_.filePath("net.json");
    QVERIFY(testdata::write_file(spec, kSpec));
    run_ = tmp_.filePath("run").toStdString();
    const CliResult r = run_cli({"train",
                                 "--variants",
                                 spec,
                                 "--data",
                                 "synthetic",
                                 "--iterations",
                                 "20",
                                 "--batch",
                                 "16",
                                 "--input-size",
                                 "32",
                                 "--record-every",
                                 "5",
                                 "--probe-every",
                                 "10",
                                 "--probe-size",
                                 "32",
                                 "--checkpoint-every",
                                 "10",
                                 "--threads",
                                 "1",
                                 "--out",
                                 QString::fromStdString(run_)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    outside_ = tmp_.filePath("outside").toStdString();
    fs::create_directories(outside_);
    QVERIFY(testdata::write_file(QString::fromStdString(outside_ + "/outside.png"), "precious"));
    QVERIFY(testdata::write_file(QString::fromStdString(outside_ + "/config.json"), "{\"precious\": true}"));
  }

  void pathsAreCheckedLexically() {
    for (const char* good : {"filters/net-0000010.png", "config.json", "a/b/c"}) {
      QVERIFY2(alexnet::is_plain_relative_path(good), good);
    }
    for (const char* bad : {"../outside.png", "/etc/passwd", "filters/../../x", "", "a//b", "./x", "a\\b", "x/.."}) {
      QVERIFY2(!alexnet::is_plain_relative_path(bad), bad);
    }
  }

  // probes.jsonl names "../outside.png": the probe is kept, its picture refused by name.
  void probeNamingAFileOutsideIsRefused() {
    const std::string run = fresh_copy("probe-escape");
    std::string probes = slurp(run + "/probes.jsonl");
    const std::size_t at = probes.find("filters/net-");
    QVERIFY(at != std::string::npos);
    probes.replace(at, probes.find('"', at) - at, "../outside/outside.png");
    QVERIFY(testdata::write_file(QString::fromStdString(run + "/probes.jsonl"), QByteArray::fromStdString(probes)));
    const alexnet::RunContents contents = alexnet::read_run(run);
    QVERIFY(!contents.probes.empty());
    QVERIFY(contents.probes.front().filters.rgb.empty());
    QVERIFY(any_contains(contents.warnings, "probes.jsonl", "../outside/outside.png"));
    QVERIFY(any_contains(contents.warnings, "not a path inside the run folder", ""));
  }

  // A filter picture that is a link to a file outside: not read, named.
  void symlinkedFilterFileIsRefused() {
    const std::string run = fresh_copy("filter-link");
    const std::string png = run + "/filters/net-0000010.png";
    QVERIFY(fs::exists(png));
    fs::remove(png);
    fs::create_symlink(outside_ + "/outside.png", png);
    const alexnet::RunContents contents = alexnet::read_run(run);
    QVERIFY(any_contains(contents.warnings, "net-0000010.png", "leads outside the run folder"));
    // A link that stays inside the run is fine.
    fs::remove(png);
    fs::create_symlink("net-0000020.png", png);
    const alexnet::RunContents inside = alexnet::read_run(run);
    QVERIFY(!any_contains(inside.warnings, "net-0000010.png", ""));
  }

  // config.json itself a link out: the run is refused naming it, for reading and for --resume.
  void symlinkedConfigIsRefused() {
    const std::string run = fresh_copy("config-link");
    fs::remove(run + "/config.json");
    fs::create_symlink(outside_ + "/config.json", run + "/config.json");
    try {
      (void)alexnet::read_run(run);
      QFAIL("a config.json leading outside was read");
    } catch (const alexnet::StoreError& e) {
      QVERIFY2(QString(e.what()).contains("config.json") && QString(e.what()).contains("outside"), e.what());
    }
    const CliResult r = run_cli({"train", "--resume", QString::fromStdString(run), "--threads", "1"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("config.json") && r.err.contains("outside the run folder"), qPrintable(r.err));
  }

  // latest.json points out of checkpoints/, or the checkpoint folder is a link out.
  void checkpointPointerLeadingOutIsRefused() {
    const std::string run = fresh_copy("checkpoint-escape");
    const QString latest = QString::fromStdString(run + "/checkpoints/latest.json");
    QVERIFY(testdata::write_file(latest, "{\"iteration\": 20, \"folder\": \"../../outside\"}"));
    try {
      (void)alexnet::find_checkpoint(run);
      QFAIL("a checkpoint folder outside was accepted");
    } catch (const alexnet::StoreError& e) {
      QVERIFY2(QString(e.what()).contains("latest.json") && QString(e.what()).contains("../../outside"), e.what());
    }
    const CliResult resumed = run_cli({"train", "--resume", QString::fromStdString(run), "--threads", "1"});
    QCOMPARE(resumed.exit_code, 1);
    QVERIFY2(resumed.err.contains("latest.json"), qPrintable(resumed.err));

    QVERIFY(testdata::write_file(latest, "{\"iteration\": 20, \"folder\": \"0000020\"}"));
    fs::rename(run + "/checkpoints/0000020", outside_ + "/0000020");
    fs::create_symlink(outside_ + "/0000020", run + "/checkpoints/0000020");
    const CliResult exported = run_cli({"export", QString::fromStdString(run), "--onnx", tmp_.filePath("onnx-out")});
    QCOMPARE(exported.exit_code, 1);
    QVERIFY2(exported.err.contains("0000020") && exported.err.contains("outside the run folder"),
             qPrintable(exported.err));
  }

  // Resuming a run whose metrics.csv is a link to a file elsewhere: refused, and that file is unchanged.
  void appendsDoNotFollowLinks() {
    const std::string run = fresh_copy("append-link");
    const std::string victim = outside_ + "/victim.csv";
    QVERIFY(testdata::write_file(QString::fromStdString(victim), "mine\n"));
    fs::remove(run + "/results.json");  // as if stopped: resumable
    fs::remove(run + "/metrics.csv");
    fs::create_symlink(victim, run + "/metrics.csv");
    const CliResult r = run_cli({"train", "--resume", QString::fromStdString(run), "--threads", "1"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("metrics.csv"), qPrintable(r.err));
    QCOMPARE(slurp(victim), std::string("mine\n"));
    // The TensorBoard folder a link to a folder elsewhere: nothing is written there.
    fs::remove(run + "/metrics.csv");
    fs::copy_file(run_ + "/metrics.csv", run + "/metrics.csv");
    const std::string elsewhere = outside_ + "/tb";
    fs::create_directories(elsewhere);
    fs::remove_all(run + "/tb");
    fs::create_symlink(elsewhere, run + "/tb");
    const CliResult tb = run_cli({"train", "--resume", QString::fromStdString(run), "--threads", "1"});
    QCOMPARE(tb.exit_code, 1);
    QVERIFY2(tb.err.contains("tb") && tb.err.contains("symbolic link"), qPrintable(tb.err));
    QVERIFY(fs::is_empty(elsewhere));
  }

  void deletingASymlinkedRunRemovesTheLinkOnly() {
    const std::string run = fresh_copy("linked-target");
    const std::string link = tmp_.filePath("runs-link").toStdString();
    fs::create_symlink(run, link);
    qputenv("XDG_DATA_HOME", tmp_.filePath("xdg").toLocal8Bit());
    QCOMPARE(alexnet::move_run_to_trash(link), std::string());
    QVERIFY(!fs::exists(fs::symlink_status(link)));
    QVERIFY(fs::exists(run + "/config.json"));  // what it led to is untouched

    // A real run goes to the trash, with the .trashinfo a file manager needs to restore it.
    const std::string trashed = alexnet::move_run_to_trash(run);
    QVERIFY(!fs::exists(run));
    QVERIFY(fs::exists(trashed + "/config.json"));
    const std::string info = slurp(tmp_.filePath("xdg/Trash/info/linked-target.trashinfo").toStdString());
    QVERIFY2(info.find("[Trash Info]\nPath=/") == 0 && info.find("linked-target\nDeletionDate=") != std::string::npos,
             info.c_str());

    // Something that is not a run is not deleted.
    const std::string not_a_run = tmp_.filePath("not-a-run").toStdString();
    fs::create_directories(not_a_run);
    QVERIFY(testdata::write_file(QString::fromStdString(not_a_run + "/notes.txt"), "mine"));
    try {
      (void)alexnet::move_run_to_trash(not_a_run);
      QFAIL("a folder without config.json was deleted");
    } catch (const alexnet::StoreError& e) {
      QVERIFY2(QString(e.what()).contains("not a run folder"), e.what());
    }
    QVERIFY(fs::exists(not_a_run + "/notes.txt"));
  }

  // The same through the command line, as a user does it.
  void deleteAndRenameCommands() {
    qputenv("XDG_DATA_HOME", tmp_.filePath("xdg-cli").toLocal8Bit());
    const std::string run = fresh_copy("cli-run");
    const std::string link = tmp_.filePath("cli-link").toStdString();
    fs::create_symlink(run, link);
    const CliResult unlinked = run_cli({"delete", QString::fromStdString(link)});
    QVERIFY2(unlinked.exit_code == 0, qPrintable(unlinked.err));
    QVERIFY2(unlinked.out.contains("the link was removed"), qPrintable(unlinked.out));
    QVERIFY(fs::exists(run + "/config.json"));
    const CliResult renamed = run_cli({"rename", QString::fromStdString(run), "cli-renamed"});
    QVERIFY2(renamed.exit_code == 0, qPrintable(renamed.err));
    const std::string moved = tmp_.filePath("cli-renamed").toStdString();
    QVERIFY(fs::exists(moved + "/config.json"));
    QCOMPARE(run_cli({"rename", QString::fromStdString(moved), "../escape"}).exit_code, 1);
    const CliResult trashed = run_cli({"delete", QString::fromStdString(moved)});
    QVERIFY2(trashed.exit_code == 0, qPrintable(trashed.err));
    QVERIFY(!fs::exists(moved));
    QVERIFY(fs::exists(tmp_.filePath("xdg-cli/Trash/files/cli-renamed/config.json").toStdString()));
    const CliResult refused = run_cli({"delete", QString::fromStdString(outside_ + "/..")});
    QCOMPARE(refused.exit_code, 1);
    QVERIFY2(refused.err.contains("not a run folder"), qPrintable(refused.err));
    QCOMPARE(run_cli({"delete"}).exit_code, 2);
  }

  void renamingStaysInTheRunsFolder() {
    const std::string run = fresh_copy("to-rename");
    const std::string renamed = alexnet::rename_run(run, "renamed");
    QCOMPARE(renamed, (fs::path(tmp_.path().toStdString()) / "renamed").string());
    QVERIFY(fs::exists(renamed + "/config.json"));
    for (const char* bad : {"../escaped", "a/b", "..", ""}) {
      try {
        (void)alexnet::rename_run(renamed, bad);
        QFAIL(bad);
      } catch (const alexnet::StoreError&) {
      }
    }
    const std::string link = tmp_.filePath("rename-link").toStdString();
    fs::create_symlink(renamed, link);
    const std::string moved_link = alexnet::rename_run(link, "renamed-link");
    QVERIFY(fs::is_symlink(moved_link));
    QVERIFY(fs::exists(renamed + "/config.json"));
  }

  // A gzip file of a few megabytes whose header claims a huge set, or that
  // inflates to far more than its header says, is refused under a memory
  // limit of 256 MB: nothing near the claim is ever allocated.
  void absurdHeadersAreRefusedBeforeAllocating() {
    const std::vector<std::uint8_t> labels = gunzip_free_labels();
    struct Case {
      std::string name;
      std::vector<std::uint8_t> images;
      std::string expected;
    };
    const std::vector<Case> cases = {
        {"claims 4 TB", gzip_bomb(idx_header(4000000, 1000, 1000), 1000), "more than this machine can hold"},
        {"1 GB of zeros after a 10-image header", gzip_bomb(idx_header(10, 28, 28), std::size_t(1) << 30),
         "unexpected bytes after the data"},
        {"1 GB of zeros, no header", gzip_bomb(std::string(), std::size_t(1) << 30), "is not supported"},
    };
    for (const Case& c : cases) {
      QVERIFY(c.images.size() < (std::size_t(8) << 20));
      const int code = with_memory_limit(std::size_t(256) << 20, [&] {
        try {
          (void)alexnet::parse_idx_pair(c.images, "images.gz", labels, "labels", 0);
          return 1;
        } catch (const alexnet::DataError& e) {
          return std::string(e.what()).find(c.expected) != std::string::npos ? 0 : 2;
        }
      });
      QVERIFY2(code == 0, qPrintable(QString::fromStdString(c.name) + ": child ended with " + QString::number(code)));
    }
  }

  // Lines and nesting no file of ours has: skipped or refused, named.
  void absurdLinesAndNestingAreRefused() {
    const std::string run = fresh_copy("long-lines");
    std::string metrics = slurp(run + "/metrics.csv");
    metrics += std::string(3 << 20, 'x') + "\n";
    QVERIFY(testdata::write_file(QString::fromStdString(run + "/metrics.csv"), QByteArray::fromStdString(metrics)));
    QVERIFY(testdata::write_file(QString::fromStdString(run + "/results.json"), QByteArray(100000, '[')));
    const alexnet::RunContents contents = alexnet::read_run(run);
    QVERIFY(any_contains(contents.warnings, "metrics.csv", "longer than 1 MiB"));
    QVERIFY(any_contains(contents.warnings, "results.json", "nested deeper than 64"));
    QVERIFY(!contents.records.empty());  // the good lines are still there
  }

 private:
  static std::vector<std::uint8_t> gunzip_free_labels() {
    std::string s = {0, 0, 8, 1, 0, 0, 0, 10};
    s.append(10, '\1');
    return std::vector<std::uint8_t>(s.begin(), s.end());
  }
};

std::unique_ptr<QObject> make_run_untrusted_suite() { return std::make_unique<TestUntrustedRuns>(); }
#include "test_run_untrusted.moc"
