#include "sweep/sweep_tensorboard.h"

#include "run/tensorboard_writer.h"

namespace alexnet {

namespace {

HParamValue hparam_value(const std::string& name, const nlohmann::json& v) {
  HParamValue h;
  h.name = name;
  if (v.is_number()) {
    h.number = v.get<double>();
  } else if (v.is_boolean()) {
    h.kind = HParamValue::Kind::Flag;
    h.flag = v.get<bool>();
  } else {
    h.kind = HParamValue::Kind::Text;
    h.text = v.is_string() ? v.get<std::string>() : v.dump();
  }
  return h;
}

}  // namespace

void write_sweep_experiment(const Sweep& sweep) {
  std::vector<HParamDomain> domains;
  for (const auto* list : {&sweep.space.grid, &sweep.space.random}) {
    for (const SweepDimension& d : *list) {
      HParamDomain domain;
      domain.name = d.name;
      if (d.kind == SweepDimension::Kind::Values) {
        for (const auto& v : d.values) domain.values.push_back(hparam_value(d.name, v));
      } else {
        domain.low = d.low;
        domain.high = d.high;
      }
      domains.push_back(domain);
    }
  }
  std::vector<HParamMetric> metrics;
  if (sweep.base.contains("variants") && sweep.base["variants"].is_array()) {
    for (const auto& v : sweep.base["variants"]) {
      const std::string name = v.value("name", "");
      if (name.empty()) continue;
      metrics.push_back({"tb", "validation/accuracy/" + name, name + " validation accuracy"});
      metrics.push_back({"tb", "validation/loss/" + name, name + " validation loss"});
      metrics.push_back({"tb", "loss/" + name, name + " training loss"});
    }
  }
  TensorBoardWriter(sweep.dir).hparams_experiment(
      "AlexNet Lab sweep of " + std::to_string(sweep.trials.size()) + " trials", domains, metrics);
}

void write_trial_start(const Sweep& sweep, const TrialRecord& trial) {
  std::vector<HParamValue> values;
  for (const auto& [name, value] : trial.settings.items()) values.push_back(hparam_value(name, value));
  TensorBoardWriter(trial_dir(sweep, trial)).hparams_session_start(values);
}

void write_trial_end(const Sweep& sweep, const TrialRecord& trial, bool success) {
  TensorBoardWriter(trial_dir(sweep, trial)).hparams_session_end(success);
}

}  // namespace alexnet
