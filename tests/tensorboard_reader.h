// Reads TensorBoard event files for the tests, independently of the writer:
// its own bit-by-bit CRC32C, TFRecord framing and a generic protobuf walker
// (field number -> raw values), as TensorBoard's reader would see the bytes.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tbread {

inline std::uint32_t crc32c_bitwise(const char* data, std::size_t n) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= static_cast<std::uint8_t>(data[i]);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline std::uint32_t masked(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

template <typename T>
T little_endian(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Every record's payload; throws on a bad length or CRC.
inline std::vector<std::string> read_records(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot open " + path.toStdString());
  const QByteArray all = f.readAll();
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < std::size_t(all.size())) {
    if (at + 12 > std::size_t(all.size())) throw std::runtime_error("truncated header");
    const char* p = all.constData() + at;
    const auto length = little_endian<std::uint64_t>(p);
    if (little_endian<std::uint32_t>(p + 8) != masked(crc32c_bitwise(p, 8))) throw std::runtime_error("length CRC");
    if (at + 16 + length > std::size_t(all.size())) throw std::runtime_error("truncated record");
    const std::string payload(p + 12, length);
    if (little_endian<std::uint32_t>(p + 12 + length) != masked(crc32c_bitwise(payload.data(), length))) {
      throw std::runtime_error("payload CRC");
    }
    out.push_back(payload);
    at += 16 + length;
  }
  return out;
}

// A protobuf message as field number -> values: varints as integers, fixed64
// and fixed32 as raw bytes, length-delimited as bytes.
struct Field {
  int wire_type;
  std::uint64_t varint = 0;
  std::string bytes;
  double as_double() const { return little_endian<double>(bytes.data()); }
  float as_float() const { return little_endian<float>(bytes.data()); }
};
using Message = std::multimap<int, Field>;

inline Message parse(const std::string& b) {
  Message m;
  std::size_t i = 0;
  auto varint = [&]() {
    std::uint64_t v = 0;
    for (int shift = 0; i < b.size(); shift += 7) {
      const auto byte = static_cast<std::uint8_t>(b[i++]);
      v |= std::uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    throw std::runtime_error("truncated varint");
  };
  while (i < b.size()) {
    const std::uint64_t key = varint();
    Field f{int(key & 7)};
    switch (f.wire_type) {
      case 0:
        f.varint = varint();
        break;
      case 1:
        f.bytes = b.substr(i, 8);
        i += 8;
        break;
      case 5:
        f.bytes = b.substr(i, 4);
        i += 4;
        break;
      case 2: {
        const std::uint64_t n = varint();
        f.bytes = b.substr(i, n);
        i += n;
        break;
      }
      default:
        throw std::runtime_error("unknown wire type");
    }
    if (i > b.size()) throw std::runtime_error("field past the end");
    m.emplace(int(key >> 3), f);
  }
  return m;
}

inline std::vector<double> packed_doubles(const std::string& bytes) {
  std::vector<double> v(bytes.size() / 8);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = little_endian<double>(bytes.data() + 8 * k);
  return v;
}

}  // namespace tbread
