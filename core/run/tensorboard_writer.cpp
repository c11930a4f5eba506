#include "run/tensorboard_writer.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>

#include "run/run_paths.h"
#include "run/run_store.h"

namespace alexnet {

namespace {

// Protobuf wire format, just what the messages above need.
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_key(std::string& out, int field, int wire_type) { put_varint(out, std::uint64_t(field) << 3 | wire_type); }

template <typename T>
void put_little_endian(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // x86 and every Debian amd64/arm64 machine are little-endian
  out.append(bytes, sizeof(T));
}

void put_double(std::string& out, int field, double v) {
  put_key(out, field, 1);
  put_little_endian(out, v);
}

void put_float(std::string& out, int field, float v) {
  put_key(out, field, 5);
  put_little_endian(out, v);
}

void put_int(std::string& out, int field, std::int64_t v) {
  put_key(out, field, 0);
  put_varint(out, static_cast<std::uint64_t>(v));
}

void put_bytes(std::string& out, int field, const std::string& bytes) {
  put_key(out, field, 2);
  put_varint(out, bytes.size());
  out += bytes;
}

void put_packed_doubles(std::string& out, int field, const std::vector<double>& values) {
  std::string packed;
  for (double v : values) put_little_endian(packed, v);
  put_bytes(out, field, packed);
}

std::array<std::uint32_t, 256> crc32c_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // Castagnoli, reflected
    table[i] = c;
  }
  return table;
}

// Summary.Value with its tag and one message field (4: image, 5: histogram).
std::string tagged_value(const std::string& tag, int field, const std::string& message) {
  std::string value;
  put_bytes(value, 1, tag);
  put_bytes(value, field, message);
  return value;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size) {
  static const std::array<std::uint32_t, 256> table = crc32c_table();
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::uint32_t masked_crc32c(const void* data, std::size_t size) {
  const std::uint32_t c = crc32c(data, size);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string tfrecord(const std::string& payload) {
  std::string record;
  put_little_endian(record, std::uint64_t(payload.size()));
  put_little_endian(record, masked_crc32c(record.data(), 8));
  record += payload;
  put_little_endian(record, masked_crc32c(payload.data(), payload.size()));
  return record;
}

TensorBoardWriter::TensorBoardWriter(const std::string& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw StoreError("cannot create " + folder + ": " + ec.message());
  // A resumed run gets a file of its own; TensorBoard reads them all in order.
  const long long stamp = static_cast<long long>(now_seconds());
  std::string name = "events.out.tfevents." + std::to_string(stamp) + ".alexnet-lab";
  for (int n = 2; std::filesystem::exists(std::filesystem::path(folder) / name); ++n) {
    name = "events.out.tfevents." + std::to_string(stamp) + ".alexnet-lab." + std::to_string(n);
  }
  path_ = (std::filesystem::path(folder) / name).string();
  file_ = open_for_append(path_, "ab");
  std::string event;
  put_double(event, 1, now_seconds());
  put_bytes(event, 3, "brain.Event:2");
  const std::string record = tfrecord(event);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size() || std::fflush(file_) != 0) {
    throw StoreError("cannot write " + path_ + ": " + std::strerror(errno));
  }
}

TensorBoardWriter::~TensorBoardWriter() {
  if (file_) std::fclose(file_);
}

void TensorBoardWriter::write_event(std::int64_t step, const std::string& summary_value) {
  std::string summary;
  put_bytes(summary, 1, summary_value);
  std::string event;
  put_double(event, 1, now_seconds());
  put_int(event, 2, step);
  put_bytes(event, 5, summary);
  const std::string record = tfrecord(event);
  // Whole records, flushed: a kill leaves at worst a torn last one, which TensorBoard skips.
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size() || std::fflush(file_) != 0) {
    throw StoreError("cannot append to " + path_ + ": " + std::strerror(errno));
  }
}

void TensorBoardWriter::scalar(const std::string& tag, std::int64_t step, double value) {
  std::string v;
  put_bytes(v, 1, tag);
  put_float(v, 2, static_cast<float>(value));
  write_event(step, v);
}

void TensorBoardWriter::histogram(const std::string& tag, std::int64_t step, const Histogram& h) {
  if (h.edges.size() != h.counts.size() + 1 || h.counts.empty()) return;
  std::string histo;
  double num = double(h.below + h.above), sum = 0, sum_squares = 0;
  std::vector<double> limits{h.edges.front()}, buckets{double(h.below)};
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    const double centre = 0.5 * (h.edges[i] + h.edges[i + 1]);
    const double count = double(h.counts[i]);
    num += count;
    sum += count * centre;
    sum_squares += count * centre * centre;
    limits.push_back(h.edges[i + 1]);
    buckets.push_back(count);
  }
  limits.push_back(std::numeric_limits<double>::max());
  buckets.push_back(double(h.above));
  sum += double(h.below) * h.edges.front() + double(h.above) * h.edges.back();
  put_double(histo, 1, h.edges.front());
  put_double(histo, 2, h.edges.back());
  put_double(histo, 3, num);
  put_double(histo, 4, sum);
  put_double(histo, 5, sum_squares);
  put_packed_doubles(histo, 6, limits);
  put_packed_doubles(histo, 7, buckets);
  write_event(step, tagged_value(tag, 5, histo));
}

void TensorBoardWriter::image(const std::string& tag, std::int64_t step, int height, int width, int channels,
                              const std::string& png) {
  std::string image;
  put_int(image, 1, height);
  put_int(image, 2, width);
  put_int(image, 3, channels);
  put_bytes(image, 4, png);
  write_event(step, tagged_value(tag, 4, image));
}

void TensorBoardWriter::text(const std::string& tag, std::int64_t step, const std::string& markdown) {
  std::string plugin_data, metadata, tensor, value;
  put_bytes(plugin_data, 1, "text");
  put_bytes(metadata, 1, plugin_data);
  put_int(tensor, 1, 7);     // DT_STRING
  put_bytes(tensor, 2, "");  // a scalar: a shape without dimensions
  put_bytes(tensor, 8, markdown);
  put_bytes(value, 1, tag);
  put_bytes(value, 8, tensor);
  put_bytes(value, 9, metadata);
  write_event(step, value);
}

namespace {

// google.protobuf.Value { number_value = 2; string_value = 3; bool_value = 4; }
std::string proto_value(const HParamValue& v) {
  std::string out;
  switch (v.kind) {
    case HParamValue::Kind::Number:
      put_double(out, 2, v.number);
      break;
    case HParamValue::Kind::Text:
      put_bytes(out, 3, v.text);
      break;
    case HParamValue::Kind::Flag:
      put_int(out, 4, v.flag ? 1 : 0);
      break;
  }
  return out;
}

// A Summary.Value of the hparams plugin: HParamsPluginData { version = 1 (0); `field` = data }
// in its metadata, and the empty float tensor TensorBoard expects beside it.
std::string hparams_value(const std::string& tag, int field, const std::string& data) {
  std::string plugin_data_content, plugin_data, metadata, shape, tensor, value;
  put_bytes(plugin_data_content, field, data);
  put_bytes(plugin_data, 1, "hparams");
  put_bytes(plugin_data, 2, plugin_data_content);
  put_bytes(metadata, 1, plugin_data);
  put_int(tensor, 1, 1);        // DT_FLOAT
  put_bytes(tensor, 2, shape);  // a scalar
  put_float(tensor, 5, 0.0f);   // float_val
  put_bytes(value, 1, tag);
  put_bytes(value, 8, tensor);
  put_bytes(value, 9, metadata);
  return value;
}

}  // namespace

void TensorBoardWriter::hparams_experiment(const std::string& description, const std::vector<HParamDomain>& hparams,
                                           const std::vector<HParamMetric>& metrics) {
  std::string experiment;
  put_bytes(experiment, 1, description);
  put_double(experiment, 3, now_seconds());
  for (const HParamDomain& d : hparams) {
    std::string info;  // HParamInfo { name = 1; type = 4; domain_discrete = 5; domain_interval = 6; }
    put_bytes(info, 1, d.name);
    const bool text = !d.values.empty() && d.values.front().kind == HParamValue::Kind::Text;
    const bool flag = !d.values.empty() && d.values.front().kind == HParamValue::Kind::Flag;
    put_int(info, 4, text ? 1 : flag ? 2 : 3);  // DATA_TYPE_STRING, _BOOL, _FLOAT64
    if (!d.values.empty()) {
      std::string list;
      for (const HParamValue& v : d.values) put_bytes(list, 1, proto_value(v));
      put_bytes(info, 5, list);
    } else {
      std::string interval;
      put_double(interval, 1, d.low);
      put_double(interval, 2, d.high);
      put_bytes(info, 6, interval);
    }
    put_bytes(experiment, 4, info);
  }
  for (const HParamMetric& m : metrics) {
    std::string name,
        info;  // MetricInfo { MetricName name = 1 { group = 1; tag = 2; } display_name = 3; dataset_type = 5; }
    put_bytes(name, 1, m.group);
    put_bytes(name, 2, m.tag);
    put_bytes(info, 1, name);
    put_bytes(info, 3, m.display_name);
    put_int(info, 5, 2);  // DATASET_VALIDATION
    put_bytes(experiment, 5, info);
  }
  write_event(0, hparams_value("_hparams_/experiment", 2, experiment));
}

void TensorBoardWriter::hparams_session_start(const std::vector<HParamValue>& values) {
  std::string start;  // SessionStartInfo { map<string, Value> hparams = 1; double start_time_secs = 5; }
  for (const HParamValue& v : values) {
    std::string entry;
    put_bytes(entry, 1, v.name);
    put_bytes(entry, 2, proto_value(v));
    put_bytes(start, 1, entry);
  }
  put_double(start, 5, now_seconds());
  write_event(0, hparams_value("_hparams_/session_start_info", 3, start));
}

void TensorBoardWriter::hparams_session_end(bool success) {
  std::string end;                   // SessionEndInfo { Status status = 1; double end_time_secs = 2; }
  put_int(end, 1, success ? 1 : 2);  // STATUS_SUCCESS, STATUS_FAILURE
  put_double(end, 2, now_seconds());
  write_event(0, hparams_value("_hparams_/session_end_info", 4, end));
}

void TensorBoardWriter::flush() {
  if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) {
    throw StoreError("cannot flush " + path_ + ": " + std::strerror(errno));
  }
}

}  // namespace alexnet
