// The experiment's settings as a form: data set, variants, sizes, optimiser,
// intervals. Remembers the last choices (QSettings).
#pragma once

#include <QWidget>

#include "experiment_config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QVBoxLayout;

namespace alexnet::ui {

class ExperimentPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentPanel(QWidget* parent = nullptr);

  // Throws SpecError / std::invalid_argument with a message for the user.
  ExperimentConfig config() const;
  void saveSettings() const;
  void restoreSettings();
  void addVariant(const QString& name_or_path, bool checked);

 private:
  QComboBox* data_;
  QVBoxLayout* variant_box_;
  QList<QCheckBox*> variants_;
  QSpinBox* input_size_;
  QSpinBox* iterations_;
  QSpinBox* batch_;
  QDoubleSpinBox* learning_rate_;
  QDoubleSpinBox* momentum_;
  QDoubleSpinBox* weight_decay_;
  QComboBox* init_;
  QComboBox* schedule_;
  QCheckBox* augment_;
  QCheckBox* bf16_;
  QSpinBox* seed_;
  QSpinBox* threads_;
  QSpinBox* processes_;
  QLabel* threads_warning_;
  QSpinBox* record_every_;
  QSpinBox* probe_every_;
};

}  // namespace alexnet::ui
