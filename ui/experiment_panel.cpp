#include "experiment_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <QAbstractButton>
#include <QAbstractSpinBox>

#include <nlohmann/json.hpp>

#include "spec/presets.h"
#include "spec/spec_json.h"
#include "platform/system_info.h"

namespace alexnet::ui {

namespace {

QSpinBox* spin(const QString& name, int min, int max, int value) {
  auto* s = new QSpinBox();
  s->setObjectName(name);
  s->setRange(min, max);
  s->setValue(value);
  return s;
}

QDoubleSpinBox* real(const QString& name, double min, double max, double value, int decimals, double step) {
  auto* s = new QDoubleSpinBox();
  s->setObjectName(name);
  s->setDecimals(decimals);
  s->setRange(min, max);
  s->setSingleStep(step);
  s->setValue(value);
  return s;
}

// Probe every: a number of iterations, "never" (0) or "auto" (about 20
// probes a run, from its length), typed or stepped to.
class ProbeEveryBox : public QSpinBox {
 public:
  ProbeEveryBox() {
    setObjectName("probeEvery");
    setRange(kAutomaticProbes, 1000000);
    setValue(kAutomaticProbes);
    setToolTip(
        QObject::tr("auto: every iterations / %1, so any run gets at least %1 probes").arg(kAutomaticProbeCount));
  }

 protected:
  QString textFromValue(int value) const override {
    if (value == kAutomaticProbes) return QObject::tr("auto");
    if (value == 0) return QObject::tr("never");
    return QSpinBox::textFromValue(value);
  }
  int valueFromText(const QString& text) const override {
    const QString t = text.trimmed().toLower();
    if (t == QObject::tr("auto")) return kAutomaticProbes;
    if (t == QObject::tr("never")) return 0;
    return QSpinBox::valueFromText(text);
  }
  QValidator::State validate(QString& text, int& pos) const override {
    const QString t = text.trimmed().toLower();
    for (const QString& word : {QObject::tr("auto"), QObject::tr("never")}) {
      if (t == word) return QValidator::Acceptable;
      if (!t.isEmpty() && word.startsWith(t)) return QValidator::Intermediate;
    }
    return QSpinBox::validate(text, pos);
  }
};

// QSettings keys of the spin boxes. Probe every has a key of its own since
// it became automatic: the fixed 500 that older versions remembered for
// everyone is not a choice to keep.
QString settings_key(const QSpinBox* box) {
  return box->objectName() == "probeEvery" ? QStringLiteral("probeInterval") : box->objectName();
}

}  // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent) {
  const ExperimentConfig defaults;
  auto* layout = new QVBoxLayout(this);
  run_banner_ = new QLabel();
  run_banner_->setObjectName("runBanner");
  run_banner_->setWordWrap(true);
  run_banner_->setVisible(false);
  layout->addWidget(run_banner_);
  new_from_run_ = new QPushButton(tr("New experiment from these settings"));
  new_from_run_->setObjectName("newFromRun");
  new_from_run_->setVisible(false);
  layout->addWidget(new_from_run_);
  connect(new_from_run_, &QPushButton::clicked, this, &ExperimentPanel::makeEditable);
  auto* form = new QFormLayout();
  auto* data_row = new QHBoxLayout();
  data_ = new QComboBox();
  data_->setObjectName("dataCombo");
  data_->setEditable(true);
  data_->addItems({"fashion-mnist", "synthetic"});
  data_row->addWidget(data_, 1);
  auto* open_data = new QPushButton(tr("Open…"));
  open_data->setToolTip(tr("A CIFAR-10 binary folder, a folder of IDX files or an image folder"));
  data_row->addWidget(open_data);
  form->addRow(tr("Data"), data_row);
  layout->addLayout(form);

  auto* variant_group = new QGroupBox(tr("Variants"));
  variant_box_ = new QVBoxLayout(variant_group);
  for (const std::string& name : preset_names()) {
    const bool report_variant = name == "original" || name == "tanh" || name == "small";
    addVariant(QString::fromStdString(name), report_variant);
  }
  auto* add_spec = new QPushButton(tr("Add from JSON spec…"));
  layout->addWidget(variant_group);
  layout->addWidget(add_spec);

  auto* settings = new QFormLayout();
  input_size_ = spin("inputSize", 32, 512, defaults.input_size);
  iterations_ = spin("iterations", 1, 10000000, int(defaults.iterations));
  batch_ = spin("batch", 1, 4096, defaults.batch_size);
  learning_rate_ = real("learningRate", 1e-6, 10, defaults.learning_rate, 5, 0.001);
  connect(learning_rate_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          &ExperimentPanel::learningRateChanged);
  momentum_ = real("momentum", 0, 0.999, defaults.momentum, 3, 0.05);
  weight_decay_ = real("weightDecay", 0, 1, defaults.weight_decay, 5, 1e-4);
  init_ = new QComboBox();
  init_->setObjectName("init");
  init_->addItems({"kaiming", "paper"});
  schedule_ = new QComboBox();
  schedule_->setObjectName("schedule");
  schedule_->addItems({"warmup-linear", "warmup-cosine", "constant"});
  schedule_->setCurrentText(QString::fromStdString(schedule_name(defaults.schedule)));
  optimizer_ = new QComboBox();
  optimizer_->setObjectName("optimizer");
  optimizer_->addItems({"sgd", "adam"});
  optimizer_->setCurrentText(QString::fromStdString(optimizer_name(defaults.optimizer)));
  optimizer_->setToolTip(tr("SGD uses the momentum below; Adam its usual betas (0.9, 0.999)"));
  label_smoothing_ = real("labelSmoothing", 0, 0.5, defaults.label_smoothing, 2, 0.05);
  label_smoothing_->setToolTip(tr("Train against (1 − x)·one-hot + x/classes: the loss cannot reach 0"));
  augment_ = new QCheckBox(tr("random crops and flips"));
  seed_ = spin("seed", 0, 1000000, 0);
  threads_ = spin("threads", 0, 256, 0);
  threads_->setSpecialValueText(tr("all %1 cores").arg(QThread::idealThreadCount()));
  threads_->setToolTip(
      tr("With two or more, a step's variants train side by side, each on its share: on two "
         "cores original and tanh one core each, then small on both"));
  processes_ = spin("processes", 1, 64, 1);
  processes_->setToolTip(
      tr("Data-parallel training (PyTorch's c10d with Gloo): this many processes on this "
         "machine each take a share of every batch and of the cores. The batch must divide."));
  record_every_ = spin("recordEvery", 1, 1000000, defaults.record_every);
  probe_every_ = new ProbeEveryBox();
  settings->addRow(tr("Input size S"), input_size_);
  settings->addRow(tr("Iterations"), iterations_);
  settings->addRow(tr("Batch"), batch_);
  settings->addRow(tr("Optimizer"), optimizer_);
  settings->addRow(tr("Learning rate"), learning_rate_);
  settings->addRow(tr("Schedule"), schedule_);
  settings->addRow(tr("Momentum"), momentum_);
  settings->addRow(tr("Weight decay"), weight_decay_);
  settings->addRow(tr("Label smoothing"), label_smoothing_);
  settings->addRow(tr("Init"), init_);
  settings->addRow(tr("Augment"), augment_);
  bf16_ = new QCheckBox(tr("bfloat16 products in large layers"));
  bf16_->setObjectName("bf16");
  bf16_->setChecked(defaults.bf16);
  bf16_->setToolTip(tr("fc7 and conv2-conv5 multiply in bfloat16 with float32 weights: about 25 % faster per "
                       "step on CPUs with AVX512-BF16 (this one: %1); elsewhere, or unticked, training is float32 "
                       "throughout")
                        .arg(cpu_has_avx512_bf16() ? tr("yes") : tr("no")));
  settings->addRow(tr("Precision"), bf16_);
  settings->addRow(tr("Seed"), seed_);
  settings->addRow(tr("Threads"), threads_);
  // More threads than cores only makes the threads wait for each other: say so.
  threads_warning_ = new QLabel(tr("more than the %1 cores: slower, not faster").arg(QThread::idealThreadCount()));
  threads_warning_->setObjectName("threadsWarning");
  threads_warning_->setStyleSheet("color: #b35900;");
  threads_warning_->setVisible(false);
  settings->addRow(QString(), threads_warning_);
  connect(threads_, qOverload<int>(&QSpinBox::valueChanged), threads_warning_,
          [this](int value) { threads_warning_->setVisible(value > QThread::idealThreadCount()); });
  settings->addRow(tr("Processes"), processes_);
  settings->addRow(tr("Record every"), record_every_);
  settings->addRow(tr("Probe every"), probe_every_);
  layout->addLayout(settings);
  other_settings_ = new QLabel();
  other_settings_->setObjectName("otherSettings");
  other_settings_->setWordWrap(true);
  other_settings_->setVisible(false);
  layout->addWidget(other_settings_);
  layout->addStretch();

  connect(open_data, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a data set folder"));
    if (!dir.isEmpty()) data_->setCurrentText(dir);
  });
  connect(add_spec, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Add a variant"), {}, tr("JSON specs (*.json)"));
    if (!file.isEmpty()) addVariant(file, true);
  });
}

void ExperimentPanel::addVariant(const QString& name_or_path, bool checked) {
  for (QCheckBox* box : variants_) {
    if (box->property("variant").toString() == name_or_path) {
      box->setChecked(checked);
      return;
    }
  }
  auto* box = new QCheckBox(QFileInfo(name_or_path).isFile() ? QFileInfo(name_or_path).fileName() : name_or_path);
  box->setObjectName("variant-" + name_or_path);
  box->setProperty("variant", name_or_path);
  box->setToolTip(name_or_path);
  box->setChecked(checked);
  variant_box_->addWidget(box);
  variants_ << box;
}

void ExperimentPanel::addSpecVariant(const VariantSpec& spec, bool checked) {
  const QString name = QString::fromStdString(spec.name);
  for (QCheckBox* box : variants_) {
    if (box->property("variant").toString() == name) {
      box->setProperty("spec", QString::fromStdString(spec_to_json(spec).dump()));
      box->setChecked(checked);
      return;
    }
  }
  auto* box = new QCheckBox(name);
  box->setObjectName("variant-" + name);
  box->setProperty("variant", name);
  box->setProperty("spec", QString::fromStdString(spec_to_json(spec).dump()));  // from the run, not from a file
  box->setToolTip(tr("%1, as the opened run defined it").arg(name));
  box->setChecked(checked);
  variant_box_->addWidget(box);
  variants_ << box;
}

void ExperimentPanel::setInputsEnabled(bool enabled) {
  for (QWidget* w : findChildren<QWidget*>()) {
    if (w == new_from_run_ || w == run_banner_ || w == other_settings_) continue;
    if (qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractButton*>(w)) {
      w->setEnabled(enabled);
    }
  }
}

void ExperimentPanel::showRun(const ExperimentConfig& config, const QString& run_name) {
  base_ = config;
  base_.out_dir.clear();
  data_->setCurrentText(QString::fromStdString(config.data));
  for (QCheckBox* box : variants_) box->setChecked(false);
  for (const VariantSpec& spec : config.variants) {
    if (is_preset(spec.name)) {
      addVariant(QString::fromStdString(spec.name), true);
    } else {
      addSpecVariant(spec, true);
    }
  }
  input_size_->setValue(config.input_size);
  iterations_->setValue(int(std::min<std::int64_t>(config.iterations, iterations_->maximum())));
  batch_->setValue(config.batch_size);
  learning_rate_->setValue(config.learning_rate);
  momentum_->setValue(config.momentum);
  weight_decay_->setValue(config.weight_decay);
  init_->setCurrentText(QString::fromStdString(init_scheme_name(config.init)));
  schedule_->setCurrentText(QString::fromStdString(schedule_name(config.schedule)));
  optimizer_->setCurrentText(QString::fromStdString(optimizer_name(config.optimizer)));
  label_smoothing_->setValue(config.label_smoothing);
  augment_->setChecked(config.augment);
  bf16_->setChecked(config.bf16);
  seed_->setValue(int(config.seed));
  threads_->setValue(config.threads);
  processes_->setValue(config.world_size);
  record_every_->setValue(config.record_every);
  probe_every_->setValue(config.probe_every);
  // What the form has no field for, when it is not the default.
  const ExperimentConfig defaults;
  QStringList others;
  if (config.flip) others << tr("horizontal flips");
  for (const auto& [variant, scale] : config.learning_rate_scales) {
    others << tr("learning rate × %1 for %2").arg(scale).arg(QString::fromStdString(variant));
  }
  if (config.probe_size != defaults.probe_size) others << tr("probe set of %1 images").arg(config.probe_size);
  if (config.checkpoint_every != defaults.checkpoint_every)
    others << tr("checkpoint every %1").arg(config.checkpoint_every);
  if (config.max_picture_pixels != defaults.max_picture_pixels) {
    others << tr("pictures of at most %1 pixels").arg(config.max_picture_pixels, 0, 'f', 0);
  }
  other_settings_->setText(others.isEmpty() ? QString() : tr("Also: %1.").arg(others.join(", ")));
  other_settings_->setVisible(!others.isEmpty());
  run_banner_->setText(tr("<b>Settings of run %1</b> (read only).").arg(run_name.toHtmlEscaped()));
  run_banner_->setVisible(true);
  new_from_run_->setVisible(true);
  setInputsEnabled(false);
  read_only_ = true;
}

double ExperimentPanel::learningRate() const { return learning_rate_->value(); }

void ExperimentPanel::makeEditable() {
  setInputsEnabled(true);
  run_banner_->setVisible(false);
  new_from_run_->setVisible(false);
  read_only_ = false;
}

ExperimentConfig ExperimentPanel::config() const {
  ExperimentConfig c = base_;  // settings without a field here come from the opened run, or are the defaults
  c.variants.clear();
  c.input_size = input_size_->value();
  for (QCheckBox* box : variants_) {
    if (!box->isChecked()) continue;
    const QString spec = box->property("spec").toString();
    if (spec.isEmpty()) {
      c.variants.push_back(resolve_variant(box->property("variant").toString().toStdString(), c.input_size));
    } else {
      VariantSpec v =
          spec_from_json(nlohmann::json::parse(spec.toStdString()), box->property("variant").toString().toStdString());
      v.input_size = c.input_size;
      c.variants.push_back(v);
    }
  }
  c.data = data_->currentText().trimmed().toStdString();
  c.iterations = iterations_->value();
  c.batch_size = batch_->value();
  c.learning_rate = learning_rate_->value();
  c.momentum = momentum_->value();
  c.weight_decay = weight_decay_->value();
  c.init = init_scheme_from_name(init_->currentText().toStdString());
  c.schedule = schedule_from_name(schedule_->currentText().toStdString());
  c.optimizer = optimizer_from_name(optimizer_->currentText().toStdString());
  c.label_smoothing = label_smoothing_->value();
  c.augment = augment_->isChecked();
  c.bf16 = bf16_->isChecked();
  c.seed = std::uint64_t(seed_->value());
  c.threads = threads_->value();
  c.world_size = processes_->value();
  c.record_every = record_every_->value();
  c.probe_every = probe_every_->value();
  c.validate();
  return c;
}

void ExperimentPanel::saveSettings() const {
  QSettings s;
  s.beginGroup("experiment");
  s.setValue("data", data_->currentText());
  QStringList checked, extra;
  for (QCheckBox* box : variants_) {
    const QString v = box->property("variant").toString();
    if (box->isChecked()) checked << v;
    if (!is_preset(v.toStdString())) extra << v;
  }
  s.setValue("variants", checked);
  s.setValue("specs", extra);
  for (QSpinBox* box : {input_size_, iterations_, batch_, seed_, threads_, processes_, record_every_, probe_every_}) {
    s.setValue(settings_key(box), box->value());
  }
  for (QDoubleSpinBox* box : {learning_rate_, momentum_, weight_decay_, label_smoothing_}) {
    s.setValue(box->objectName(), box->value());
  }
  s.setValue("init", init_->currentText());
  s.setValue("optimizer", optimizer_->currentText());
  s.setValue("schedule", schedule_->currentText());
  s.setValue("augment", augment_->isChecked());
  s.setValue("bf16", bf16_->isChecked());
  s.endGroup();
}

void ExperimentPanel::restoreSettings() {
  QSettings s;
  s.beginGroup("experiment");
  if (!s.contains("variants")) return;
  data_->setCurrentText(s.value("data", "fashion-mnist").toString());
  for (const QString& spec : s.value("specs").toStringList()) {
    if (QFileInfo(spec).isFile()) addVariant(spec, false);
  }
  const QStringList checked = s.value("variants").toStringList();
  for (QCheckBox* box : variants_) box->setChecked(checked.contains(box->property("variant").toString()));
  for (QSpinBox* box : {input_size_, iterations_, batch_, seed_, threads_, processes_, record_every_, probe_every_}) {
    box->setValue(s.value(settings_key(box), box->value()).toInt());
  }
  for (QDoubleSpinBox* box : {learning_rate_, momentum_, weight_decay_, label_smoothing_}) {
    box->setValue(s.value(box->objectName(), box->value()).toDouble());
  }
  init_->setCurrentText(s.value("init", init_->currentText()).toString());
  optimizer_->setCurrentText(s.value("optimizer", optimizer_->currentText()).toString());
  schedule_->setCurrentText(s.value("schedule", schedule_->currentText()).toString());
  augment_->setChecked(s.value("augment", false).toBool());
  bf16_->setChecked(s.value("bf16", bf16_->isChecked()).toBool());
  s.endGroup();
}

}  // namespace alexnet::ui
