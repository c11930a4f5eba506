// The experiment's settings as a form: data set, variants, sizes, optimiser,
// intervals. Remembers the last choices (QSettings).
#pragma once

#include <QWidget>

#include "spec/experiment_config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
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

  // An opened run's settings, read only, with "New experiment from these
  // settings" to edit them; settings the form has no field for are listed and
  // carried into a new experiment.
  void showRun(const ExperimentConfig& config, const QString& run_name);
  void makeEditable();
  bool readOnly() const { return read_only_; }
  double learningRate() const;  // the form's peak rate, where a run starts from

 signals:
  void learningRateChanged(double rate);

 private:
  void addSpecVariant(const VariantSpec& spec, bool checked);
  void setInputsEnabled(bool enabled);

  ExperimentConfig base_;  // what a new experiment starts from besides the form (an opened run's settings)
  bool read_only_ = false;
  QLabel* run_banner_;
  QPushButton* new_from_run_;
  QLabel* other_settings_;
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
  QComboBox* optimizer_;
  QDoubleSpinBox* label_smoothing_;
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
