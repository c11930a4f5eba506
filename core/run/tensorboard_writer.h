// TensorBoard event files without TensorFlow: TFRecord framing (length, masked
// CRC32C of the length, payload, masked CRC32C of the payload) around Event
// protobufs encoded by hand. Only the fields TensorBoard reads for scalars,
// histograms and images are written:
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; Image image = 4; HistogramProto histo = 5;
//             TensorProto tensor = 8; SummaryMetadata metadata = 9; }
//   TensorProto { DataType dtype = 1 (7: DT_STRING); TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8;
//   } SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; } }  (the text plugin: "text") Image   {
//   int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; } HistogramProto { double
//   min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
//                    repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "train/training_events.h"

namespace alexnet {

// TensorBoard's HParams plugin (tensorboard/plugins/hparams api.proto and
// plugin_data.proto): an experiment's parameters and metrics at the log
// folder's root, and each session's values in its own run folder.
struct HParamValue {
  std::string name;
  enum class Kind { Number, Text, Flag } kind = Kind::Number;
  double number = 0;
  std::string text;
  bool flag = false;
};
struct HParamDomain {
  std::string name;
  bool numeric = true;
  double low = 0, high = 0;         // numeric: the interval
  std::vector<HParamValue> values;  // otherwise (or a grid): the values it takes
};
struct HParamMetric {
  std::string group;  // the metric's run below the session's: "tb"
  std::string tag;    // validation/accuracy/small
  std::string display_name;
};

std::uint32_t crc32c(const void* data, std::size_t size);
std::uint32_t masked_crc32c(const void* data, std::size_t size);  // TFRecord's rotation + constant

// One TFRecord: the framing around `payload`.
std::string tfrecord(const std::string& payload);

class TensorBoardWriter {
 public:
  // Creates folder/events.out.tfevents.<seconds>.alexnet-lab and writes the
  // file_version event. Throws StoreError.
  explicit TensorBoardWriter(const std::string& folder);
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  const std::string& path() const { return path_; }
  void scalar(const std::string& tag, std::int64_t step, double value);
  // Our fixed-edge histogram, with its below/above counts as open end buckets.
  void histogram(const std::string& tag, std::int64_t step, const Histogram& h);
  void image(const std::string& tag, std::int64_t step, int height, int width, int channels, const std::string& png);
  // Markdown for TensorBoard's Text tab.
  void text(const std::string& tag, std::int64_t step, const std::string& markdown);
  // The HParams plugin's experiment, a session's start (its values) and end.
  void hparams_experiment(const std::string& description, const std::vector<HParamDomain>& hparams,
                          const std::vector<HParamMetric>& metrics);
  void hparams_session_start(const std::vector<HParamValue>& values);
  void hparams_session_end(bool success);
  void flush();  // fsync

 private:
  void write_event(std::int64_t step, const std::string& summary_value);

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace alexnet
