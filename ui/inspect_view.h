// Inside a trained variant: pick a test image from a strip (with its class)
// or open any picture file, and see for every variant of the run, side by
// side, its five most probable classes (bars) and the feature maps of a conv
// layer (a grid, like the filter view). The models come from the run's last
// checkpoint and run on a thread of their own; nothing in the run changes.
#pragma once

#include <QImage>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <utility>
#include <vector>

#include "spec/experiment_config.h"
#include "inference/run_classifier.h"
#include "inspect_pictures.h"

class QComboBox;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QListWidget;
class QSpinBox;
class QScrollArea;
class QThread;
class QTimer;

#include "run/weights_choice.h"

namespace alexnet {
class TestImageSource;
}

namespace alexnet::ui {

// What one picture gave, in plain values.
struct InspectedVariant {
  QString variant;
  std::vector<std::pair<int, double>> top;  // (class, probability), most probable first
  std::vector<FeatureMaps> maps;            // conv1 ... conv5
  qint64 iteration = 0;                     // the iteration its weights are from
};

struct InspectedPicture {
  QString what;    // "test image 17" or the file's path
  int truth = -1;  // the test image's class; -1 for a file
  QImage seen;     // the network's input, back in colours (what the network sees)
  std::vector<InspectedVariant> variants;
  double milliseconds = 0;  // all variants, preparation included
};

// How a run's variants are laid out side by side: `per_row` columns of
// `width` pixels (shrunk to fit, then wrapped onto more rows).
struct VariantColumns {
  int per_row = 1;
  int width = 0;
};
VariantColumns variant_columns(int variants, int available_width, int spacing);

class InspectView : public QWidget {
  Q_OBJECT
 public:
  explicit InspectView(QWidget* parent = nullptr);
  ~InspectView() override;

  // A finished or stopped run (its last checkpoint); loaded when first needed.
  void setRun(const QString& dir, const ExperimentConfig& config, const QStringList& class_names);
  // Each loads the models first when needed and answers through inspected()/failed().
  void inspectTest(qint64 index);
  void inspectFile(const QString& path);

  bool busy() const { return job_ != nullptr; }
  const InspectedPicture& last() const { return last_; }
  QString message() const;  // the status line
  QListWidget* strip() const { return strip_; }
  void showLayer(const QString& layer);
  // Which weights the variants use: the last checkpoint's (default) or each one's best by validation accuracy.
  void setWeights(Weights weights);
  Weights weights() const;

 signals:
  void inspected();
  void failed(const QString& message);

 protected:
  void showEvent(QShowEvent* event) override;      // loads the run when first looked at
  void resizeEvent(QResizeEvent* event) override;  // the columns fit the new width

 private:
  struct Request {
    qint64 test_index = -1;
    QString file;
  };
  void submit(const Request& request);
  void runNext();
  void fillStrip();
  void draw();
  void clearColumns();
  VariantColumns columnLayout() const;  // for the last picture's variants at the present width
  QString className(int c) const;

  QString dir_;
  ExperimentConfig config_;
  QStringList class_names_;
  // Made on the worker thread, used only there (one job at a time).
  std::shared_ptr<RunClassifier> classifier_;
  std::shared_ptr<TestImageSource> images_;
  QString images_problem_;
  QThread* job_ = nullptr;
  std::unique_ptr<Request> pending_;  // the latest request while a job runs
  std::unique_ptr<Request> shown_;    // what the last picture was, to show again with other weights
  InspectedPicture last_;
  bool strip_filled_ = false;

  QComboBox* weights_;
  QComboBox* class_filter_;
  QSpinBox* first_;
  QListWidget* strip_;
  QLabel* picture_;
  QLabel* status_;
  QComboBox* layer_;
  QGridLayout* columns_;
  QScrollArea* scroll_;
  QTimer* redraw_timer_;
  int drawn_width_ = 0;
  std::vector<QCustomPlot*> bars_;
  std::vector<QLabel*> map_labels_;
};

}  // namespace alexnet::ui
