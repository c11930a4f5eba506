// Writes small data-set files in the formats the loaders read, so the tests
// make their own data instead of downloading any.
#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QString>
#include <zlib.h>

#include <cstdint>
#include <vector>

namespace testdata {

inline void put_u32(QByteArray& b, std::uint32_t v) {
  b.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
}

inline bool write_file(const QString& path, const QByteArray& bytes, bool gzip = false) {
  if (gzip) {
    gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
    if (!f) return false;
    const int n = gzwrite(f, bytes.constData(), unsigned(bytes.size()));
    gzclose(f);
    return n == bytes.size();
  }
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// n images of side x side; pixel value encodes the label so tests can check pairing.
inline QByteArray idx_images(int n, int side, int label_modulus = 10) {
  QByteArray b;
  put_u32(b, 0x00000803);
  put_u32(b, std::uint32_t(n));
  put_u32(b, std::uint32_t(side));
  put_u32(b, std::uint32_t(side));
  for (int i = 0; i < n; ++i) b.append(QByteArray(side * side, char(20 * (i % label_modulus))));
  return b;
}

inline QByteArray idx_labels(int n, int label_modulus = 10) {
  QByteArray b;
  put_u32(b, 0x00000801);
  put_u32(b, std::uint32_t(n));
  for (int i = 0; i < n; ++i) b.append(char(i % label_modulus));
  return b;
}

// A CIFAR-10 binary record: label byte, then 1024 R, 1024 G, 1024 B.
inline QByteArray cifar_records(int n, int label_modulus = 10) {
  QByteArray b;
  for (int i = 0; i < n; ++i) {
    b.append(char(i % label_modulus));
    b.append(QByteArray(1024, char(10 * (i % label_modulus))));  // R encodes the label
    b.append(QByteArray(1024, char(100)));
    b.append(QByteArray(1024, char(200)));
  }
  return b;
}

inline bool write_cifar_folder(const QString& dir, int per_batch) {
  QDir().mkpath(dir);
  bool ok = true;
  for (int k = 1; k <= 5; ++k) ok &= write_file(dir + QString("/data_batch_%1.bin").arg(k), cifar_records(per_batch));
  ok &= write_file(dir + "/test_batch.bin", cifar_records(per_batch));
  ok &= write_file(dir + "/batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
  return ok;
}

// One folder per class with `per_class` PNGs whose colour encodes the class.
inline bool write_image_folder(const QString& dir, const QStringList& classes, int per_class, int side = 20) {
  bool ok = true;
  for (int c = 0; c < classes.size(); ++c) {
    QDir().mkpath(dir + "/" + classes[c]);
    for (int i = 0; i < per_class; ++i) {
      QImage img(side, side, QImage::Format_RGB32);
      img.fill(QColor(40 * c, 255 - 40 * c, (i * 13) % 256));
      ok &= img.save(dir + "/" + classes[c] + QString("/img%1.png").arg(i));
    }
  }
  return ok;
}

}  // namespace testdata
