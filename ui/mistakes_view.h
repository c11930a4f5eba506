// The test images a variant got wrong, as thumbnails with "true → predicted
// (confidence)", filterable by true and predicted class; from the
// predictions the run stored at evaluation, so no model runs.
#pragma once

#include <QWidget>
#include <map>
#include <memory>
#include <vector>

#include "analysis/test_images.h"
#include "spec/experiment_config.h"
#include "run/predictions.h"

class QComboBox;
class QLabel;
class QListWidget;

#include "run/weights_choice.h"

namespace alexnet::ui {

// Which of a variant's mistakes come first (and which are shown when there
// are more than fit): those it was surest of, or in the test set's order.
enum class MistakeOrder { MostConfidentFirst, TestSetOrder };
// Keeps the first `keep` in that order; `predictions` come in test-set order.
void order_predictions(std::vector<const Prediction*>& predictions, MistakeOrder order, std::size_t keep);

class MistakesView : public QWidget {
  Q_OBJECT
 public:
  explicit MistakesView(QWidget* parent = nullptr);
  ~MistakesView() override;

  // The run whose predictions to show (a finished or stopped run).
  void setRun(const QString& dir, const ExperimentConfig& config, const QStringList& class_names);
  void setWeights(Weights weights);
  // Exactly the images of one confusion cell (true == predicted: the ones it got right).
  void showCell(const QString& variant, int truth, int predicted);
  int shownCount() const;  // thumbnails in the gallery now
  int matchingCount() const { return matching_; }
  bool loading() const { return loader_ != nullptr; }  // the test images are still on their way

 signals:
  void imageClicked(qint64 test_index);  // a thumbnail, to be inspected

 protected:
  void showEvent(QShowEvent* event) override;  // the gallery is filled when first looked at

 private:
  void refresh();
  void loadImages();
  const std::vector<Prediction>* predictionsOf(const QString& variant);

  QString dir_;
  ExperimentConfig config_;
  QStringList class_names_;
  std::map<std::pair<QString, int>, std::vector<Prediction>> predictions_;  // (variant, Weights) -> read
  std::shared_ptr<TestImageSource> images_;                                 // loaded on first use, off the GUI thread
  class QThread* loader_ = nullptr;                                         // while the test images load
  int matching_ = 0;
  QComboBox* variant_;
  QComboBox* truth_;
  QComboBox* predicted_;
  QComboBox* order_;
  QComboBox* weights_;  // last, or best (whose predictions runs made with --early-stop keep)
  QLabel* status_;
  QListWidget* gallery_;
};

}  // namespace alexnet::ui
