// Every loader on files the test writes, every kind of bad input refused with a
// message naming the file, reproducible batches, and a learnable synthetic set.
#include <QtTest>

#include <unistd.h>

#include <fstream>
#include <set>

#include "model/alexnet_model.h"
#include "data/batch_stream.h"
#include "data_files.h"
#include "data/dataset.h"
#include "data/picture_header.h"
#include "data/validation_split.h"
#include "spec/experiment_config.h"
#include "spec/spec_json.h"

using namespace alexnet;
using namespace testdata;

class TestData : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  QString path(const QString& name) const { return tmp_.filePath(name); }

  static QString refusal(const QString& what) {
    try {
      load_dataset(what.toStdString());
    } catch (const DataError& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }

  void writeIdxFolder(const QString& dir, bool gz, int train = 60, int test = 20) {
    QDir().mkpath(dir);
    const QString ext = gz ? ".gz" : "";
    QVERIFY(write_file(dir + "/train-images-idx3-ubyte" + ext, idx_images(train, 28), gz));
    QVERIFY(write_file(dir + "/train-labels-idx1-ubyte" + ext, idx_labels(train), gz));
    QVERIFY(write_file(dir + "/t10k-images-idx3-ubyte" + ext, idx_images(test, 28), gz));
    QVERIFY(write_file(dir + "/t10k-labels-idx1-ubyte" + ext, idx_labels(test), gz));
  }

  static void checkLabelsMatchPixels(const ImageSet& set, int pixel_step) {
    for (std::int64_t i = 0; i < set.size(); ++i) {
      QCOMPARE(int(set.images[i][0][0][0].item<std::uint8_t>()), pixel_step * int(set.labels[i].item<std::int64_t>()));
    }
  }

 private slots:
  void idxFolderRawAndGzipped_data() {
    QTest::addColumn<bool>("gz");
    QTest::newRow("raw") << false;
    QTest::newRow("gzipped") << true;
  }

  void idxFolderRawAndGzipped() {
    QFETCH(bool, gz);
    const QString dir = path(gz ? "idx-gz" : "idx-raw");
    writeIdxFolder(dir, gz);
    const Dataset d = load_dataset(dir.toStdString());
    QCOMPARE(d.train.size(), int64_t(60));
    QCOMPARE(d.test.size(), int64_t(20));
    QCOMPARE(d.train.images.sizes().vec(), (std::vector<int64_t>{60, 1, 28, 28}));
    QCOMPARE(d.train.images.scalar_type(), torch::kUInt8);
    QCOMPARE(d.classes(), 10);
    checkLabelsMatchPixels(d.train, 20);
    checkLabelsMatchPixels(d.test, 20);
  }

  // Labels that leave class ids unused: the data set loads, and says which are missing.
  void missingClassIdsAreNoted() {
    const QString dir = path("idx-sparse");
    writeIdxFolder(dir, false);
    QByteArray labels = idx_labels(60, 5);  // 0..4
    labels[8 + 3] = char(9);                // and one 9: ids 5..8 never occur
    QVERIFY(write_file(dir + "/train-labels-idx1-ubyte", labels));
    const Dataset d = load_dataset(dir.toStdString());
    QCOMPARE(d.classes(), 10);
    bool noted = false;
    for (const std::string& note : d.notes) {
      const QString n = QString::fromStdString(note);
      noted |=
          n.contains("train-labels-idx1-ubyte") && n.contains("only 6 of the 10 class ids") && n.contains("5, 6, 7, 8");
    }
    QVERIFY2(noted, d.notes.empty() ? "no note" : d.notes.front().c_str());
  }

  void idxSingleFileHoldsSomeOut() {
    const QString dir = path("idx-single");
    QDir().mkpath(dir);
    QVERIFY(write_file(dir + "/my-images-idx3-ubyte", idx_images(120, 8)));
    QVERIFY(write_file(dir + "/my-labels-idx1-ubyte", idx_labels(120)));
    const Dataset d = load_dataset((dir + "/my-images-idx3-ubyte").toStdString());
    QCOMPARE(d.train.size() + d.test.size(), int64_t(120));
    QCOMPARE(d.test.size(), int64_t(20));  // one in six of each class
    QVERIFY(!d.notes.empty());
    checkLabelsMatchPixels(d.test, 20);
  }

  void fashionMnistIsTheDefault() {
    if (!QFile::exists(QString(kFashionMnistDir) + "/train-images-idx3-ubyte.gz")) {
      QSKIP("dataset-fashion-mnist is not installed");
    }
    const Dataset d = load_dataset("fashion-mnist");
    QCOMPARE(d.train.size(), int64_t(60000));
    QCOMPARE(d.test.size(), int64_t(10000));
    QCOMPARE(QString::fromStdString(d.class_names[9]), QString("Ankle boot"));
    QVERIFY(d.notes.empty());
  }

  void missingFashionMnistFallsBackToSyntheticAndSaysSo() {
    LoadOptions options;
    options.fashion_mnist_dir = path("no-such-folder").toStdString();
    const Dataset d = load_dataset("fashion-mnist", options);
    QCOMPARE(QString::fromStdString(d.name), QString("synthetic"));
    QCOMPARE(int(d.notes.size()), 1);
    QVERIFY(QString::fromStdString(d.notes[0]).contains("fell back to the synthetic data set"));
  }

  void cifarFolder() {
    const QString dir = path("cifar");
    QVERIFY(write_cifar_folder(dir, 30));
    const Dataset d = load_dataset(dir.toStdString());
    QCOMPARE(QString::fromStdString(d.name), QString("cifar-10"));
    QCOMPARE(d.train.size(), int64_t(150));
    QCOMPARE(d.test.size(), int64_t(30));
    QCOMPARE(d.train.images.sizes().vec(), (std::vector<int64_t>{150, 3, 32, 32}));
    QCOMPARE(QString::fromStdString(d.class_names[3]), QString("cat"));
    checkLabelsMatchPixels(d.train, 10);
    QCOMPARE(int(d.train.images[0][1][5][5].item<std::uint8_t>()), 100);    // G plane
    QCOMPARE(int(d.train.images[0][2][31][31].item<std::uint8_t>()), 200);  // B plane
  }

  void imageFolderWithHeldOutSplit() {
    const QString dir = path("images-flat");
    QVERIFY(write_image_folder(dir, {"cats", "dogs", "owls"}, 12));
    QVERIFY(write_file(dir + "/dogs/broken.png", "this is not a png"));
    LoadOptions options;
    options.image_size = 16;
    const Dataset d = load_dataset(dir.toStdString(), options);
    QCOMPARE(d.classes(), 3);
    QCOMPARE(QString::fromStdString(d.class_names[1]), QString("dogs"));
    QCOMPARE(d.train.size() + d.test.size(), int64_t(36));
    QCOMPARE(d.train.images.sizes().vec(), (std::vector<int64_t>{d.train.size(), 3, 16, 16}));
    // The broken file is skipped and counted, not fatal.
    bool warned = false;
    for (const auto& n : d.notes) warned |= QString::fromStdString(n).contains("skipped 1 file");
    QVERIFY(warned);
    // Colours survive decoding in RGB order: class c has red 40c.
    for (std::int64_t i = 0; i < d.train.size(); ++i) {
      QCOMPARE(int(d.train.images[i][0][8][8].item<std::uint8_t>()), 40 * int(d.train.labels[i].item<std::int64_t>()));
    }
  }

  // A small file whose header claims 30,000 x 30,000 pixels is skipped and
  // counted without being decoded (decoding it would take gigabytes).
  void picturesClaimingTooManyPixelsAreSkippedUndecoded() {
    const QString dir = path("images-huge");
    QVERIFY(write_image_folder(dir, {"cats", "dogs"}, 6));
    QByteArray png("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
    put_u32(png, 30000);
    put_u32(png, 30000);
    png.append("\x08\x02\x00\x00\x00", 5);
    png.append(QByteArray(4, '\0'));  // the CRC: never looked at, nothing is decoded
    QVERIFY(write_file(dir + "/cats/huge.png", png));
    LoadOptions options;
    options.image_size = 16;
    const Dataset d = load_dataset(dir.toStdString(), options);
    QCOMPARE(d.train.size() + d.test.size(), int64_t(12));
    bool warned = false;
    for (const auto& n : d.notes) {
      const QString note = QString::fromStdString(n);
      warned |= note.contains("skipped 1 picture(s) whose header claims more than 50000000 pixels") &&
                note.contains("huge.png");
    }
    QVERIFY(warned);
    // Streamed from disk, it is skipped the same way: never listed, so never decoded.
    LoadOptions streamed = options;
    streamed.cache_budget_bytes = 1;
    const Dataset s = load_dataset(dir.toStdString(), streamed);
    QVERIFY(s.train.streamed());
    QCOMPARE(s.train.size() + s.test.size(), int64_t(12));
    for (const ImageSet* set : {&s.train, &s.test}) {
      for (const std::string& p : set->pictures->paths) QVERIFY2(p.find("huge.png") == std::string::npos, p.c_str());
    }
    // A lower limit applies to every picture: with none left, the folder is refused by name.
    options.max_picture_pixels = 100;  // the pictures are 20 x 20
    try {
      (void)load_dataset(dir.toStdString(), options);
      QFAIL("a folder with no picture under the limit was accepted");
    } catch (const DataError& e) {
      QVERIFY2(QString(e.what()).contains("at most 100 pixels"), e.what());
    }
  }

  // A folder of textured pictures (so that crops and flips show), PNG or JPEG.
  static bool write_textured_folder(const QString& dir, const QStringList& classes, int per_class, int side,
                                    const char* format = "png") {
    bool ok = true;
    for (int c = 0; c < classes.size(); ++c) {
      QDir().mkpath(dir + "/" + classes[c]);
      for (int i = 0; i < per_class; ++i) {
        QImage img(side + i % 7, side, QImage::Format_RGB32);  // sizes vary: resizing matters too
        for (int y = 0; y < img.height(); ++y) {
          for (int x = 0; x < img.width(); ++x)
            img.setPixel(x, y, qRgb((x * 7 + i) % 256, (y * 5 + 40 * c) % 256, (x * y + i) % 256));
        }
        ok &= img.save(dir + "/" + classes[c] + QString("/img%1.%2").arg(i).arg(format), format);
      }
    }
    return ok;
  }

  static std::int64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * ::sysconf(_SC_PAGESIZE);
  }

  // An image folder over its memory budget is streamed from disk: the same
  // images, labels, normalisation and batches as when it is decoded up front,
  // sharded or not, whatever the number of loader threads.
  void streamedFolderGivesTheSameBatches() {
    const QString dir = path("images-stream");
    QVERIFY(write_textured_folder(dir, {"a", "b", "c"}, 30, 30));
    LoadOptions whole;
    whole.image_size = 24;
    LoadOptions streamed = whole;
    streamed.cache_budget_bytes = 1;
    const Dataset m = load_dataset(dir.toStdString(), whole);
    const Dataset s = load_dataset(dir.toStdString(), streamed);
    QVERIFY(!m.train.streamed());
    QVERIFY(s.train.streamed() && s.test.streamed());
    bool said = false;
    for (const auto& n : s.notes) said |= QString::fromStdString(n).startsWith("streaming 90 pictures from disk");
    QVERIFY(said);
    QVERIFY(torch::equal(m.train.labels, s.train.labels));
    QVERIFY(torch::equal(m.test.labels, s.test.labels));
    QVERIFY(torch::equal(m.test.images, s.test.pixels(0, s.test.size(), 2)));
    const Normalisation nm = compute_normalisation(m.train), ns = compute_normalisation(s.train);
    QCOMPARE(nm.mean, ns.mean);
    QCOMPARE(nm.std, ns.std);
    TransformOptions t;
    t.input_size = 24;
    t.random_crop = true;
    t.horizontal_flip = true;
    t.normalisation = nm;
    BatchStream in_memory(m.train, 16, t, 5);
    BatchStream from_disk(s.train, 16, t, 5, 0, 4, BatchShard{}, 3);
    BatchStream second_half(s.train, 16, t, 5, 0, 3, BatchShard{1, 2});
    const std::int64_t batches = 3 * (s.train.size() / 16);  // three epochs
    for (std::int64_t k = 0; k < batches; ++k) {
      const Batch a = in_memory.next(), b = from_disk.next(), h = second_half.next();
      QCOMPARE(b.number, k);
      QVERIFY(torch::equal(a.labels, b.labels));
      QVERIFY(torch::equal(a.images, b.images));
      QVERIFY(torch::equal(a.images.narrow(0, 8, 8), h.images));
    }
    QCOMPARE(s.train.pictures->decode_failures.load(), std::int64_t(0));
  }

  // Streaming keeps only a few batches in memory: resident memory does not
  // grow with the pictures read, on a folder many times its memory budget.
  void streamingMemoryStaysFlat() {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
    // AddressSanitizer holds freed memory in quarantine: resident memory grows
    // by design there and says nothing about the loader (`make sanitize`).
    QSKIP("resident memory is not the loader's under AddressSanitizer");
#endif
#endif
    const QString dir = path("images-large");
    QVERIFY(write_textured_folder(dir, {"a", "b", "c", "d"}, 400, 96, "jpg"));
    LoadOptions o;
    o.image_size = 128;
    o.cache_budget_bytes = 4 << 20;  // decoded, the folder takes 78 MiB
    const Dataset d = load_dataset(dir.toStdString(), o);
    QVERIFY(d.train.streamed());
    TransformOptions t;
    t.input_size = 128;
    t.random_crop = true;
    BatchStream stream(d.train, 32, t, 1);
    const std::int64_t per_epoch = d.train.size() / 32;
    for (std::int64_t k = 0; k < per_epoch; ++k) (void)stream.next();  // allocators settle over the first epoch
    const std::int64_t warm = resident_bytes();
    for (std::int64_t k = 0; k < 3 * per_epoch; ++k) (void)stream.next();  // every picture read three times more
    const std::int64_t grown = resident_bytes() - warm;
    const std::int64_t decoded = d.train.size() * 3 * 128 * 128;
    qInfo("streaming: resident memory grew by %lld KB over three epochs (%lld MB decoded)",
          static_cast<long long>(grown >> 10), static_cast<long long>(decoded >> 20));
    QVERIFY2(grown < decoded / 4, qPrintable(QString("resident memory grew by %1 MB over three epochs (%2 MB decoded)")
                                                 .arg(grown >> 20)
                                                 .arg(decoded >> 20)));
  }

  // The sizes pictures claim are read from their headers, for every format the loader takes.
  void pictureHeadersGiveTheirSizes() {
    int formats = 0;
    for (const QFileInfo& file :
         QDir(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus/fuzz_picture_header").entryInfoList(QDir::Files)) {
      if (!file.fileName().startsWith("picture-37x23")) continue;
      QFile f(file.filePath());
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QByteArray bytes = f.readAll();
      const auto header =
          read_picture_header(reinterpret_cast<const std::uint8_t*>(bytes.data()), std::size_t(bytes.size()));
      QVERIFY2(header.has_value(), qPrintable(file.fileName()));
      QVERIFY2(header->width == 37 && header->height == 23,
               qPrintable(file.fileName() + QString(": %1 x %2").arg(header->width).arg(header->height)));
      ++formats;
    }
    QCOMPARE(formats, 10);  // PNG, 2 JPEG, BMP, GIF, 2 WebP, PPM, PGM, TIFF
    const char* text = "not a picture";
    QVERIFY(!read_picture_header(reinterpret_cast<const std::uint8_t*>(text), 13).has_value());
  }

  void imageFolderWithTrainAndTest() {
    const QString dir = path("images-split");
    QVERIFY(write_image_folder(dir + "/train", {"a", "b"}, 5));
    QVERIFY(write_image_folder(dir + "/test", {"a", "b"}, 2));
    const Dataset d = load_dataset(dir.toStdString());
    QCOMPARE(d.train.size(), int64_t(10));
    QCOMPARE(d.test.size(), int64_t(4));
  }

  void badInputIsRefusedNamingTheFile_data() {
    QTest::addColumn<QString>("target");  // what load_dataset is given
    QTest::addColumn<QString>("file");    // the file the message must name
    QTest::addColumn<QString>("problem");

    auto idx_case = [&](const char* row, const QString& dir, const QString& bad_name, const QByteArray& bytes, bool gz,
                        const QString& problem) {
      writeIdxFolder(path(dir), false);
      QVERIFY(write_file(path(dir) + "/" + bad_name, bytes, gz));
      QTest::newRow(row) << path(dir) << bad_name << problem;
    };
    QByteArray bad_magic = idx_images(60, 28);
    bad_magic[0] = char(0x12);
    idx_case("bad magic", "bad-magic", "train-images-idx3-ubyte", bad_magic, false, "bad magic number");
    idx_case("truncated", "truncated", "train-images-idx3-ubyte", idx_images(60, 28).left(5000), false, "truncated");
    idx_case("empty", "empty", "t10k-labels-idx1-ubyte", QByteArray(), false, "empty or truncated");
    QByteArray bad_label = idx_labels(20);
    bad_label[8 + 7] = char(42);
    idx_case("label out of range", "label-range", "t10k-labels-idx1-ubyte", bad_label, false,
             "label 42 of item 7 is out of range");
    idx_case("count mismatch", "count", "train-labels-idx1-ubyte", idx_labels(59), false, "59 labels");
    QByteArray one_class = idx_labels(60);
    for (int i = 0; i < 60; ++i) one_class[8 + i] = char(200);
    idx_case("every label the same", "one-class", "train-labels-idx1-ubyte", one_class, false, "every label is 200");

    const QString gzdir = path("corrupt-gz");
    writeIdxFolder(gzdir, true);
    QByteArray gz_bytes;
    {
      QFile f(gzdir + "/train-images-idx3-ubyte.gz");
      QVERIFY(f.open(QIODevice::ReadOnly));
      gz_bytes = f.readAll();
    }
    QVERIFY(write_file(gzdir + "/train-images-idx3-ubyte.gz", gz_bytes.left(gz_bytes.size() / 2)));
    QTest::newRow("truncated gzip") << gzdir << "train-images-idx3-ubyte.gz"
                                    << "corrupt compressed data";

    const QString cifar_trunc = path("cifar-trunc");
    QVERIFY(write_cifar_folder(cifar_trunc, 4));
    QVERIFY(write_file(cifar_trunc + "/data_batch_3.bin", cifar_records(4).left(3073 * 3 + 100)));
    QTest::newRow("cifar truncated record") << cifar_trunc << "data_batch_3.bin"
                                            << "truncated record";

    const QString cifar_label = path("cifar-label");
    QVERIFY(write_cifar_folder(cifar_label, 4));
    QVERIFY(write_file(cifar_label + "/test_batch.bin", cifar_records(12, 12)));
    QTest::newRow("cifar label out of range") << cifar_label << "test_batch.bin"
                                              << "label 10 of record 10";

    const QString cifar_one = path("cifar-one-class");
    QVERIFY(write_cifar_folder(cifar_one, 4));
    for (int i = 1; i <= 5; ++i) {
      QVERIFY(write_file(cifar_one + QString("/data_batch_%1.bin").arg(i), cifar_records(4, 1)));
    }
    QTest::newRow("cifar with one class") << cifar_one << "cifar-one-class"
                                          << "every label is 0";

    const QString cifar_empty = path("cifar-empty");
    QVERIFY(write_cifar_folder(cifar_empty, 4));
    QVERIFY(write_file(cifar_empty + "/data_batch_1.bin", QByteArray()));
    QTest::newRow("cifar empty") << cifar_empty << "data_batch_1.bin"
                                 << "empty file";

    const QString no_images = path("no-images");
    QDir().mkpath(no_images + "/a");
    QDir().mkpath(no_images + "/b");
    QVERIFY(write_file(no_images + "/a/notes.txt", "hello"));
    QVERIFY(write_file(no_images + "/b/notes.txt", "hello"));
    QTest::newRow("folder of non-images") << no_images << "no-images/a"
                                          << "decodes as an image";

    const QString empty_class = path("empty-class");
    QVERIFY(write_image_folder(empty_class, {"a"}, 3));
    QDir().mkpath(empty_class + "/b");
    QTest::newRow("empty class folder") << empty_class << "empty-class/b"
                                        << "empty class folder";

    QTest::newRow("missing path") << path("nowhere") << "nowhere"
                                  << "no such file or folder";
  }

  void badInputIsRefusedNamingTheFile() {
    QFETCH(QString, target);
    QFETCH(QString, file);
    QFETCH(QString, problem);
    const QString message = refusal(target);
    QVERIFY2(!message.isEmpty(), "the bad input was accepted");
    QVERIFY2(message.contains(file), qPrintable(message));
    QVERIFY2(message.contains(problem), qPrintable(message));
  }

  // The validation split: stratified, seeded, disjoint from what is trained
  // on, and refused where it would leave a class nothing to train on.
  void validationSplitIsStratifiedSeededAndDisjoint() {
    // 1,200 images whose first pixel is their row (mod 256) and second row / 256; classes of 3:2:1 shares.
    const std::int64_t n = 1200;
    ImageSet all;
    all.images = torch::zeros({n, 1, 4, 4}, torch::kUInt8);
    all.labels = torch::zeros({n}, torch::kInt64);
    for (std::int64_t i = 0; i < n; ++i) {
      all.images[i][0][0][0] = int(i % 256);
      all.images[i][0][0][1] = int(i / 256);
      all.labels[i] = i % 6 < 3 ? 0 : (i % 6 < 5 ? 1 : 2);
    }
    QCOMPARE(validation_count(kAutomaticValidation, 60000, 10), std::int64_t(5000));  // Fashion-MNIST's
    QCOMPARE(validation_count(kAutomaticValidation, n, 3), std::int64_t(100));        // 1/12 of smaller sets
    QCOMPARE(validation_count(kAutomaticValidation, 24, 10), std::int64_t(10));       // at least one per class
    QCOMPARE(validation_count(0.25, n, 3), std::int64_t(300));
    QCOMPARE(validation_count(120, n, 3), std::int64_t(120));
    QCOMPARE(validation_count(0, n, 3), std::int64_t(0));

    const ValidationSplit split = split_validation(all, 300, 3, 7);
    QCOMPARE(split.validation.size(), std::int64_t(300));
    QCOMPARE(split.train.size(), n - 300);
    const torch::Tensor held_counts = torch::bincount(split.validation.labels, {}, 3);
    QCOMPARE(held_counts[0].item<std::int64_t>(), std::int64_t(150));  // each class its share
    QCOMPARE(held_counts[1].item<std::int64_t>(), std::int64_t(100));
    QCOMPARE(held_counts[2].item<std::int64_t>(), std::int64_t(50));
    auto rows_of = [](const ImageSet& set) {
      std::set<std::int64_t> rows;
      for (std::int64_t i = 0; i < set.size(); ++i) {
        const std::int64_t row =
            set.images[i][0][0][0].item<std::int64_t>() + 256 * set.images[i][0][0][1].item<std::int64_t>();
        rows.insert(row);
        const std::int64_t label = row % 6 < 3 ? 0 : (row % 6 < 5 ? 1 : 2);
        if (set.labels[i].item<std::int64_t>() != label)
          return std::set<std::int64_t>{};  // labels travel with their images
      }
      return rows;
    };
    const std::set<std::int64_t> trained = rows_of(split.train), held_out = rows_of(split.validation);
    QCOMPARE(std::int64_t(trained.size()), n - 300);
    QCOMPARE(std::int64_t(held_out.size()), std::int64_t(300));
    for (std::int64_t r : held_out) QVERIFY2(!trained.count(r), "a validation image is in the training split");
    // The training rows keep their order; the held-out ones are mixed, so a prefix (the probe set) has every class.
    const torch::Tensor train_rows = split.train.images.select(1, 0).select(1, 0).to(torch::kInt64);
    const torch::Tensor order = (train_rows.select(1, 0) + 256 * train_rows.select(1, 1)).contiguous();
    QVERIFY(order.narrow(0, 1, order.size(0) - 1).gt(order.narrow(0, 0, order.size(0) - 1)).all().item<bool>());
    QCOMPARE(torch::bincount(split.validation.labels.narrow(0, 0, 30), {}, 3).gt(0).sum().item<int>(), 3);

    // The same seed, the same images; another seed, others.
    QVERIFY(torch::equal(split_validation(all, 300, 3, 7).validation.images, split.validation.images));
    QVERIFY(!torch::equal(split_validation(all, 300, 3, 8).validation.images, split.validation.images));

    try {
      validation_count(1199, n, 3);
      QFAIL("holding out all but one image was accepted");
    } catch (const DataError& e) {
      QVERIFY2(QString(e.what()).contains("--validation"), e.what());
    }
    ExperimentConfig c;
    c.variants = {VariantSpec{}};
    c.validation = 1.5;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.validate());
    c.validation = -0.5;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.validate());
    c.validation = 0.1;
    c.validate();
  }

  void transformsMakeNormalisedThreeChannelInputs() {
    const QString dir = path("idx-transform");
    writeIdxFolder(dir, false);
    const Dataset d = load_dataset(dir.toStdString());
    TransformOptions t;
    t.input_size = 64;
    t.normalisation = compute_normalisation(d.train);
    QCOMPARE(int(t.normalisation.mean.size()), 1);
    const torch::Tensor x = prepare_images(d.train.images, t, nullptr);
    QCOMPARE(x.sizes().vec(), (std::vector<int64_t>{60, 3, 64, 64}));
    QVERIFY(torch::equal(x.select(1, 0), x.select(1, 2)));  // grey replicated
    QVERIFY(std::abs(x.mean().item<double>()) < 1e-3);
    QVERIFY(std::abs(x.std().item<double>() - 1.0) < 0.05);
  }

  void sameSeedSameBatches() {
    const Dataset d = make_synthetic({});
    TransformOptions t;
    t.input_size = 40;
    t.random_crop = true;
    t.horizontal_flip = true;
    t.normalisation = compute_normalisation(d.train);
    std::vector<Batch> first, second;
    {
      BatchStream a(d.train, 32, t, 7);
      for (int i = 0; i < 5; ++i) first.push_back(a.next());
    }
    {
      BatchStream b(d.train, 32, t, 7);
      for (int i = 0; i < 5; ++i) second.push_back(b.next());
    }
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(first[i].number, int64_t(i));
      QVERIFY(torch::equal(first[i].labels, second[i].labels));
      QVERIFY(torch::equal(first[i].images, second[i].images));
    }
    // A stream started at batch 3 (a resumed run) continues the same sequence.
    BatchStream resumed(d.train, 32, t, 7, 3);
    QVERIFY(torch::equal(resumed.next().images, first[3].images));
    // Another seed gives another order.
    BatchStream other(d.train, 32, t, 8);
    QVERIFY(!torch::equal(other.next().labels, first[0].labels));
    // An epoch visits every image exactly once.
    std::vector<int> seen(size_t(d.train.size()), 0);
    const std::int64_t per_epoch = d.train.size() / 32;
    for (std::int64_t k = 0; k < per_epoch; ++k) {
      for (std::int64_t i : batch_indices(d.train.size(), 32, 7, k)) seen[size_t(i)]++;
    }
    QCOMPARE(*std::max_element(seen.begin(), seen.end()), 1);
  }

  void syntheticSetIsLearnable() {
    torch::manual_seed(0);
    const Dataset d = make_synthetic({});
    QCOMPARE(d.classes(), 10);
    const nlohmann::json tiny = {{"name", "tiny"},
                                 {"input_size", 32},
                                 {"conv",
                                  {{{"filters", 16}, {"kernel", 5}, {"stride", 2}, {"pool", true}},
                                   {{"filters", 32}, {"kernel", 3}, {"padding", 1}, {"pool", true}}}},
                                 {"fc", {64}},
                                 {"dropout", 0.0}};
    AlexNet model(spec_from_json(tiny, "tiny"));
    TransformOptions t;
    t.input_size = 32;
    t.normalisation = compute_normalisation(d.train);
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.02).momentum(0.9));
    BatchStream stream(d.train, 64, t, 1);
    for (int step = 0; step < 150; ++step) {
      const Batch b = stream.next();
      sgd.zero_grad();
      torch::nn::functional::cross_entropy(model->forward(b.images), b.labels).backward();
      sgd.step();
    }
    model->eval();
    torch::NoGradGuard no_grad;
    std::int64_t correct = 0;
    for_each_batch(d.test, 250, t, [&](const torch::Tensor& x, const torch::Tensor& y) {
      correct += model->forward(x).argmax(1).eq(y).sum().item<std::int64_t>();
    });
    const double accuracy = double(correct) / double(d.test.size());
    QVERIFY2(accuracy > 0.8, qPrintable(QString("test accuracy %1 after 150 steps").arg(accuracy)));
  }
};

QTEST_GUILESS_MAIN(TestData)
#include "test_data.moc"
