// The window as a user drives it (offscreen): start an experiment on synthetic
// data, watch loss points arrive for every variant, pause, resume, stop, export
// every plot, and reopen the run with every series restored.
#include <QtTest>

#include <QCheckBox>
#include <QLineEdit>
#include <QScrollArea>

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QImage>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <qcustomplot.h>

#include "experiment_panel.h"
#include "activation_view.h"
#include "gradient_view.h"
#include "sweep_view.h"
#include "sweep_table_model.h"
#include "loss_view.h"
#include "main_window.h"
#include "run_history.h"
#include "training_support.h"
#include "export_all.h"
#include "mistakes_view.h"
#include "inspect_view.h"
#include "compare_view.h"
#include "runs_view.h"
#include "runs_table_model.h"
#include "run/predictions.h"
#include "run/run_store.h"
#include "run/run_config.h"
#include "run/run_catalog.h"
#include "train/trainer.h"
#include <QDirIterator>
#include <QListWidget>
#include <QStandardItemModel>
#include <QSortFilterProxyModel>
#include "results_view.h"
#include "findings_view.h"
#include "training_worker.h"

using namespace alexnet;
using namespace alexnet::ui;

class TestUi : public QObject {
  Q_OBJECT
  // A finding of `kind` on original's `layer` over iterations first..last.
  static Finding finding_on(const char* kind, const char* layer, std::int64_t first, std::int64_t last,
                            Severity severity) {
    Finding f;
    f.kind = kind;
    f.variant = "original";
    f.layer = layer;
    f.first_iteration = first;
    f.last_iteration = last;
    f.severity = severity;
    return f;
  }

  // A runs folder of its own (XDG_DATA_HOME pointed into the test's folder
  // while a test holds it): two finished runs differing in their rate and a
  // damaged one, made once for the Runs tests, which go on in order.
  struct RunsFolder {
    explicit RunsFolder(TestUi& test) : saved(qgetenv("XDG_DATA_HOME")) {
      xdg = test.tmp_.filePath("xdg");
      qputenv("XDG_DATA_HOME", xdg.toUtf8());
      const QString folder = QString::fromStdString(alexnet::default_runs_folder());
      if (!folder.startsWith(xdg)) return;
      if (!test.runs_made_) {
        testsupport::RecordingObserver observer;
        for (const char* name : {"first", "second"}) {
          alexnet::ExperimentConfig c = testsupport::quick_config((folder + "/" + name).toStdString(), 40);
          if (QString(name) == "second") c.learning_rate = 0.05;
          if (alexnet::Trainer(c, observer).run() != alexnet::RunState::Finished) return;
        }
        QDir().mkpath(folder + "/broken");
        QFile broken(folder + "/broken/config.json");
        if (!broken.open(QIODevice::WriteOnly)) return;
        broken.write("{ not json");
        test.runs_made_ = true;
      }
      runs = folder;
    }
    ~RunsFolder() { qputenv("XDG_DATA_HOME", saved); }
    QByteArray saved;
    QString xdg;
    QString runs;  // empty when it could not be made
  };
  bool runs_made_ = false;

  QTemporaryDir tmp_;
  QString run_dir_;

  static std::size_t recordCount(RunHistory* h) {
    std::size_t n = 0;
    for (const QString& v : h->variants()) n += h->records(v).size();
    return n;
  }

  static bool imageVaries(const QImage& image) {
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 7) {
      for (int x = 0; x < image.width(); x += 7) {
        if (image.pixel(x, y) != first) return true;
      }
    }
    return false;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // keep the user's settings out of it
    QSettings().clear();
    // and the user's runs folder: new runs go to $XDG_DATA_HOME/alexnet-lab/runs
    qputenv("XDG_DATA_HOME", tmp_.filePath("data-home").toUtf8());
  }

  void trainPauseResumeStopThenExportEveryPlot() {
    MainWindow window;
    window.show();
    // A quick experiment: synthetic data, two tiny variants from JSON specs.
    for (const char* name : {"alpha", "beta"}) {
      const QString path = tmp_.filePath(QString(name) + ".json");
      QFile f(path);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QByteArray::fromStdString(alexnet::spec_to_json(testsupport::tiny_spec(name)).dump()));
      f.close();
      window.panel()->addVariant(path, true);
    }
    for (const char* preset : {"original", "tanh", "small"}) {
      window.panel()->findChild<QCheckBox*>(QString("variant-") + preset)->setChecked(false);
    }
    window.panel()->findChild<QComboBox*>("dataCombo")->setCurrentText("synthetic");
    window.panel()->findChild<QSpinBox*>("inputSize")->setValue(32);
    window.panel()->findChild<QSpinBox*>("iterations")->setValue(100000);
    window.panel()->findChild<QSpinBox*>("batch")->setValue(16);
    window.panel()->findChild<QSpinBox*>("recordEvery")->setValue(5);
    window.panel()->findChild<QSpinBox*>("probeEvery")->setValue(20);
    window.panel()->findChild<QSpinBox*>("threads")->setValue(1);
    window.panel()->findChild<QDoubleSpinBox*>("labelSmoothing")->setValue(0.05);
    QCOMPARE(window.panel()->findChild<QComboBox*>("optimizer")->currentText(),
             QString::fromStdString(alexnet::optimizer_name(alexnet::ExperimentConfig().optimizer)));

    auto* start = window.findChild<QPushButton*>("startButton");
    auto* pause = window.findChild<QPushButton*>("pauseButton");
    auto* resume = window.findChild<QPushButton*>("resumeButton");
    auto* stop = window.findChild<QPushButton*>("stopButton");
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(window.isTraining());

    // Loss points arrive for every variant, and the plot shows them.
    RunHistory* history = window.history();
    QTRY_VERIFY_WITH_TIMEOUT(history->records("alpha").size() >= 3 && history->records("beta").size() >= 3, 60000);
    auto* loss_plot = window.findChild<QCustomPlot*>("lossPlot");
    QTRY_VERIFY(loss_plot->graphCount() >= 2);
    QTRY_VERIFY_WITH_TIMEOUT(!history->probes("alpha").empty(), 60000);

    // Pause: nothing more arrives. The GUI thread stays free while the worker waits.
    QTRY_VERIFY(pause->isEnabled());
    QTest::mouseClick(pause, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(resume->isEnabled(), 10000);
    QTest::qWait(300);
    const std::size_t paused_at = recordCount(history);
    QTest::qWait(700);
    QCOMPARE(recordCount(history), paused_at);

    QTest::mouseClick(resume, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(recordCount(history) > paused_at + 4, 60000);
    QTest::mouseClick(stop, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 120000);
    QTRY_VERIFY(start->isEnabled());
    QCOMPARE(int(history->results().size()), 2);
    auto* table = window.findChild<QTableView*>("resultsTable");
    QCOMPARE(table->model()->rowCount(), 2);
    QCOMPARE(table->model()->index(0, 0).data().toString(), QString("alpha"));
    // The data set's class names reached the window during the live run (the confusion matrix's axes).
    QCOMPARE(history->classNames().size(), 10);
    QCOMPARE(history->classNames().at(1), QString("grating 18°"));
    run_dir_ = history->dir();
    if (run_dir_.isEmpty()) run_dir_ = QFileInfo(window.windowTitle().section(" — ", 1)).filePath();
    QVERIFY2(QFile::exists(run_dir_ + "/metrics.csv"), qPrintable(run_dir_));

    // Export every plot: the files exist, have the requested size, and are not blank.
    QString error;
    const QStringList files = window.exportAll(tmp_.filePath("plots"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const QString& name :
         {"loss", "filters", "activations-alpha", "dead-units-beta", "gradients-alpha", "confusion-alpha"}) {
      const QString path = tmp_.filePath("plots/" + name + ".png");
      QVERIFY2(files.contains(path), qPrintable(path));
      QImage image(path);
      QVERIFY2(!image.isNull(), qPrintable(path));
      if (!name.startsWith("confusion")) QCOMPARE(image.size(), QSize(1920, 1080));
      QVERIFY2(imageVaries(image), qPrintable(path + " is blank"));
    }
  }

  // A reopened run: its settings in the panel, read only, until "New experiment from these settings".
  void aReopenedRunShowsItsSettingsReadOnly() {
    if (run_dir_.isEmpty()) QSKIP("needs the run that trainPauseResumeStopThenExportEveryPlot made");
    MainWindow reopened;
    QVERIFY(reopened.openRun(run_dir_));
    // Reopen the run: the restored series equal metrics.csv.
    // The panel shows the opened run's settings, read only, until "New experiment from these settings".
    auto* iterations = reopened.panel()->findChild<QSpinBox*>("iterations");
    QCOMPARE(iterations->value(), 100000);
    QVERIFY(!iterations->isEnabled());
    QCOMPARE(reopened.panel()->findChild<QSpinBox*>("batch")->value(), 16);
    QCOMPARE(reopened.panel()->findChild<QComboBox*>("dataCombo")->currentText(), QString("synthetic"));
    auto* alpha_box = reopened.panel()->findChild<QCheckBox*>("variant-alpha");
    QVERIFY(alpha_box && alpha_box->isChecked() && !alpha_box->isEnabled());
    QVERIFY(!reopened.panel()->findChild<QCheckBox*>("variant-original")->isChecked());
    auto* new_from_run = reopened.panel()->findChild<QPushButton*>("newFromRun");
    QVERIFY(!new_from_run->isHidden());
    new_from_run->click();
    QVERIFY(iterations->isEnabled());
    QVERIFY(new_from_run->isHidden());
    const alexnet::ExperimentConfig again = reopened.panel()->config();
    QCOMPARE(int(again.variants.size()), 2);
    QCOMPARE(again.variants[0].name, std::string("alpha"));
    QCOMPARE(alexnet::spec_to_json(again.variants[1]), alexnet::spec_to_json(testsupport::tiny_spec("beta")));
    QCOMPARE(again.input_size, 32);
    QCOMPARE(again.label_smoothing, 0.05);  // a field of the panel, from the run
  }

  // Exported pictures carry a heading with the run and the variant.
  void exportedPicturesNameTheRunAndVariant() {
    if (run_dir_.isEmpty()) QSKIP("needs the run that trainPauseResumeStopThenExportEveryPlot made");
    MainWindow reopened;
    QVERIFY(reopened.openRun(run_dir_));
    QString error;
    // Exported pictures name the run and the variant in a heading.
    const QString run_name = QFileInfo(run_dir_).fileName();
    QVERIFY(export_all_views(reopened.history(), tmp_.filePath("svg"), &error, "svg").size() > 4);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const auto& [file, heading] :
         std::vector<std::pair<QString, QString>>{{"loss.svg", "Training loss — " + run_name},
                                                  {"confusion-alpha.svg", "Confusion matrix — alpha — " + run_name},
                                                  {"dead-units-beta.svg", "Dead units — beta — " + run_name}}) {
      QFile svg(tmp_.filePath("svg/" + file));
      QVERIFY2(svg.open(QIODevice::ReadOnly), qPrintable(file));
      QVERIFY2(QString::fromUtf8(svg.readAll()).contains(heading.toHtmlEscaped()), qPrintable(file + ": " + heading));
    }
  }

  // A reopened run restores every series: records equal metrics.csv, results, probes, weight histograms.
  void aReopenedRunRestoresEverySeries() {
    if (run_dir_.isEmpty()) QSKIP("needs the run that trainPauseResumeStopThenExportEveryPlot made");
    MainWindow reopened;
    QVERIFY(reopened.openRun(run_dir_));
    const QStringList lines = testsupport::read_lines(run_dir_ + "/metrics.csv").mid(1);
    QCOMPARE(int(recordCount(reopened.history())), lines.size());
    const auto alpha = reopened.history()->records("alpha");
    int k = 0;
    for (const QString& line : lines) {
      if (!line.startsWith("alpha,")) continue;
      const QStringList f = line.split(',');
      QCOMPARE(alpha[std::size_t(k)].iteration, f[1].toLongLong());
      QCOMPARE(alpha[std::size_t(k)].train_loss, f[2].toDouble());
      ++k;
    }
    QCOMPARE(k, int(alpha.size()));
    QCOMPARE(int(reopened.history()->results().size()), 2);
    QVERIFY(!reopened.history()->probes("beta").empty());
    QVERIFY(!reopened.history()->probes("beta").front()->filters.rgb.empty());
    // Weight histograms, read back from probes.jsonl: a third choice in the activation view, every layer.
    QCOMPARE(reopened.history()->probes("beta").back()->weights.size(), std::size_t(4));
    auto* kind = reopened.findChild<QComboBox*>("histogramKind");
    auto* layer = reopened.findChild<QComboBox*>("activationLayer");
    reopened.findChild<QComboBox*>("activationVariant")->setCurrentText("beta");
    kind->setCurrentText("weights");
    QCOMPARE(layer->count(), 4);  // the classifier too, which has no activation
    layer->setCurrentIndex(3);
    auto* histograms = reopened.findChild<QCustomPlot*>("histogramPlot");
    QVERIFY(!histograms->findChild<QCPItemText*>("histogramWaiting")->visible());
    QVERIFY(histograms->yAxis->label().contains("weights of beta"));
    auto* reopened_plot = reopened.findChild<QCustomPlot*>("lossPlot");
    QTRY_VERIFY(reopened_plot->graphCount() >= 2);
  }

  // Results -> Mistakes -> Inspect, and the models exported as ONNX from the window.
  void confusionCellsLeadToMistakesAndInspect() {
    if (run_dir_.isEmpty()) QSKIP("needs the run that trainPauseResumeStopThenExportEveryPlot made");
    MainWindow reopened;
    QVERIFY(reopened.openRun(run_dir_));
    // Clicking a cell of the confusion matrix opens the Mistakes gallery of exactly that pair,
    // from the predictions the run stored: as many images as the cell counts.
    {
      const auto& confusion = reopened.history()->results().front().confusion;
      int truth = 0, predicted = 1;
      for (int t = 0; t < int(confusion.size()); ++t) {
        for (int p = 0; p < int(confusion.size()); ++p) {
          if (t != p && confusion[t][p] > confusion[truth][predicted]) truth = t, predicted = p;
        }
      }
      reopened.findChild<ResultsView*>()->activateCell(truth, predicted);
      auto* mistakes = reopened.findChild<MistakesView*>();
      QCOMPARE(reopened.tabs()->currentWidget(), static_cast<QWidget*>(mistakes));
      QCOMPARE(std::int64_t(mistakes->matchingCount()), confusion[truth][predicted]);
      // The thumbnails arrive once the test images have loaded off the GUI thread.
      QTRY_COMPARE_WITH_TIMEOUT(std::int64_t(mistakes->shownCount()),
                                std::min<std::int64_t>(confusion[truth][predicted], 400), 30000);
      reopened.findChild<ResultsView*>()->activateCell(2, 2);  // the diagonal: the ones it got right
      QCOMPARE(std::int64_t(mistakes->matchingCount()), confusion[2][2]);
      // Any true and predicted class: every mistake, the diagonal left out.
      std::int64_t wrong = 0;
      for (int t = 0; t < int(confusion.size()); ++t) {
        for (int p = 0; p < int(confusion.size()); ++p) wrong += t == p ? 0 : confusion[t][p];
      }
      mistakes->findChild<QComboBox*>("mistakesTruth")->setCurrentIndex(0);
      mistakes->findChild<QComboBox*>("mistakesPredicted")->setCurrentIndex(0);
      QCOMPARE(std::int64_t(mistakes->matchingCount()), wrong);

      // Results -> Mistakes -> Inspect: clicking a thumbnail looks inside every
      // variant with that test image. The first variant's answer is the one the
      // evaluation stored for it (the same preparation and weights), and each
      // conv layer's maps have the layer's shape.
      QTRY_VERIFY_WITH_TIMEOUT(mistakes->shownCount() > 0, 30000);
      auto* gallery = mistakes->findChild<QListWidget*>("mistakesGallery");
      QListWidgetItem* first = gallery->item(0);
      const qint64 index = first->data(Qt::UserRole).toLongLong();
      auto* inspect = reopened.inspectView();
      QSignalSpy inspected(inspect, &InspectView::inspected);
      // Inspecting changes nothing in the run folder.
      const auto folder_state = [this] {
        QStringList state;
        QDirIterator it(run_dir_, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
          const QFileInfo f(it.next());
          state << f.filePath() + " " + QString::number(f.size()) + " " +
                       QString::number(f.lastModified().toMSecsSinceEpoch());
        }
        state.sort();
        return state;
      };
      const QStringList before_inspecting = folder_state();
      QTest::mouseClick(gallery->viewport(), Qt::LeftButton, {}, gallery->visualItemRect(first).center());
      QCOMPARE(reopened.tabs()->currentWidget(), static_cast<QWidget*>(inspect));
      QTRY_VERIFY_WITH_TIMEOUT(inspected.count() >= 1 && !inspect->busy(), 60000);
      QCOMPARE(inspect->last().what, QString("test image %1").arg(index));
      QCOMPARE(int(inspect->last().variants.size()), 2);
      const auto stored = alexnet::read_predictions(run_dir_.toStdString(), "alpha", 10);
      const auto stored_for = [&stored](qint64 i) {
        return *std::find_if(stored.begin(), stored.end(), [i](const alexnet::Prediction& x) { return x.index == i; });
      };
      const alexnet::Prediction p = stored_for(index);
      QCOMPARE(inspect->last().truth, p.truth);
      QCOMPARE(inspect->last().variants[0].top.front().first, p.predicted);
      QVERIFY(std::abs(inspect->last().variants[0].top.front().second - p.confidence) < 1e-3);
      QCOMPARE(int(inspect->last().variants[0].top.size()), 5);
      const auto& maps = inspect->last().variants[1].maps;
      QCOMPARE(int(maps.size()), 2);
      QCOMPARE(maps[0].layer, std::string("conv1"));
      QCOMPARE(maps[0].channels, 16);
      QCOMPARE(maps[1].channels, 32);
      QCOMPARE(std::size_t(maps[1].values.size()), std::size_t(32 * maps[1].height * maps[1].width));
      QVERIFY(inspect->findChild<QLabel*>("inspectMaps_beta")->pixmap().width() > 100);
      // A strip of test images with their class names; clicking one inspects it.
      auto* strip = inspect->strip();
      QTRY_VERIFY(strip->count() > 10);
      QVERIFY2(strip->item(3)->text().contains("#3\ngrating"), qPrintable(strip->item(3)->text()));
      QTest::mouseClick(strip->viewport(), Qt::LeftButton, {}, strip->visualItemRect(strip->item(3)).center());
      QTRY_VERIFY_WITH_TIMEOUT(inspected.count() >= 2 && !inspect->busy(), 30000);
      QCOMPARE(inspect->last().what, QString("test image 3"));
      QCOMPARE(inspect->last().variants[0].top.front().first, stored_for(3).predicted);
      // A picture file that is not one: said, by name, and nothing breaks.
      QFile junk(tmp_.filePath("junk.png"));
      QVERIFY(junk.open(QIODevice::WriteOnly));
      junk.write("not a picture at all");
      junk.close();
      QSignalSpy failed(inspect, &InspectView::failed);
      inspect->inspectFile(junk.fileName());
      QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
      QVERIFY2(failed[0][0].toString().contains("junk.png"), qPrintable(failed[0][0].toString()));
      QCOMPARE(inspect->last().what, QString("test image 3"));  // the last good answer stays
      QCOMPARE(folder_state(), before_inspecting);
    }

    // File > Export models as ONNX: each variant's model and description, written off the GUI thread.
    auto* export_models = reopened.findChild<QAction*>("exportModels");
    QVERIFY(export_models && export_models->isEnabled());
    QSignalSpy exported(&reopened, &MainWindow::modelsExported);
    QVERIFY(reopened.exportModels(tmp_.filePath("onnx")));
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
    QVERIFY2(exported[0][1].toString().isEmpty(), qPrintable(exported[0][1].toString()));
    const QStringList models = exported[0][0].toStringList();
    for (const char* file : {"alpha.onnx", "alpha.json", "beta.onnx", "beta.json"}) {
      QVERIFY2(models.contains(tmp_.filePath(QString("onnx/") + file)), qPrintable(models.join(' ')));
      QVERIFY(QFileInfo(tmp_.filePath(QString("onnx/") + file)).size() > 100);
    }
  }

  // A run trained with --early-stop: the Results table says where each
  // variant's best weights are from; Mistakes and Inspect use either weights
  // and say which; File > Export best models writes the best as ONNX.
  void bestWeightsAreShownInspectedAndExported() {
    const QString dir = tmp_.filePath("best-weights");
    alexnet::ExperimentConfig c = testsupport::quick_config(dir.toStdString(), 120);
    c.early_stop = 1000;  // keeps and measures the best weights; nothing stops in 120 iterations
    testsupport::RecordingObserver observer;
    QCOMPARE(alexnet::Trainer(c, observer).run(), alexnet::RunState::Finished);
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(window.openRun(dir));
    const alexnet::VariantResult& r = window.history()->results().front();
    QVERIFY(r.best_iteration > 0 && std::isfinite(r.best_test_accuracy));
    auto* table = window.findChild<QTableView*>("resultsTable");
    QCOMPARE(table->model()->headerData(4, Qt::Horizontal).toString(), QString("best weights"));
    QVERIFY2(table->model()->index(0, 4).data().toString().startsWith(QString("iteration %1: ").arg(r.best_iteration)),
             qPrintable(table->model()->index(0, 4).data().toString()));
    // Mistakes of the best weights: their own stored predictions.
    auto* mistakes = window.findChild<MistakesView*>();
    window.tabs()->setCurrentWidget(mistakes);
    mistakes->setWeights(alexnet::Weights::Best);
    const auto best = alexnet::read_predictions(dir.toStdString(), "relu-net", 10, alexnet::Weights::Best);
    const auto wrong = std::count_if(best.begin(), best.end(), [](const auto& p) { return p.truth != p.predicted; });
    QCOMPARE(std::int64_t(mistakes->matchingCount()), std::int64_t(wrong));
    QVERIFY(mistakes->findChild<QLabel*>("mistakesStatus")->text().contains("(best weights)"));
    // Inspect with the best weights: each variant from its own best iteration.
    auto* inspect = window.inspectView();
    QSignalSpy inspected(inspect, &InspectView::inspected);
    inspect->setWeights(alexnet::Weights::Best);
    inspect->inspectTest(5);
    QTRY_VERIFY_WITH_TIMEOUT(inspected.count() >= 1 && !inspect->busy(), 60000);
    QCOMPARE(inspect->last().variants[0].iteration, qint64(r.best_iteration));
    QVERIFY2(inspect->message().contains("with the best weights by validation accuracy"),
             qPrintable(inspect->message()));
    // Back to the last weights: the same picture again, from the end of training.
    inspect->setWeights(alexnet::Weights::Last);
    QTRY_VERIFY_WITH_TIMEOUT(inspected.count() >= 2 && !inspect->busy(), 60000);
    QCOMPARE(inspect->last().variants[0].iteration, qint64(120));
    QVERIFY2(inspect->message().contains("from the checkpoint of iteration 120"), qPrintable(inspect->message()));
    // ONNX of the best weights: the model card says so.
    QSignalSpy exported(&window, &MainWindow::modelsExported);
    QVERIFY(window.exportModels(tmp_.filePath("best-onnx"), alexnet::Weights::Best));
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
    QVERIFY2(exported[0][1].toString().isEmpty(), qPrintable(exported[0][1].toString()));
    const nlohmann::json card = testsupport::read_json(tmp_.filePath("best-onnx/relu-net.json"));
    QCOMPARE(card["weights"].get<std::string>(), std::string("best"));
    QCOMPARE(card["iteration"].get<std::int64_t>(), r.best_iteration);
    QCOMPARE(card["test_accuracy"].get<double>(), r.best_test_accuracy);
  }

  // sweep.json learns a trial's iterations only at a rung or its end; the
  // table shows how far a running trial has got from its records.
  void aRunningTrialShowsHowFarItHasGot() {
    alexnet::Sweep sweep;
    sweep.trials.resize(2);
    sweep.trials[0].trial = 0;
    sweep.trials[0].state = alexnet::TrialState::Running;
    sweep.trials[1].trial = 1;
    sweep.trials[1].state = alexnet::TrialState::Finished;
    sweep.trials[1].iterations = 300;
    SweepTableModel model;
    model.setSweep(sweep);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setLiveIterations({{0, 120}});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(0, SweepTableModel::Iterations).data().toLongLong(), 120);
    QCOMPARE(model.index(1, SweepTableModel::Iterations).data().toLongLong(), 300);
    model.setSweep(sweep);  // read again: the trial's own record until the next look at its records
    QCOMPARE(model.index(0, SweepTableModel::Iterations).data().toLongLong(), 0);
  }

  // A sweep from the window: the panel's experiment over a space typed in, the
  // number of trials shown before Start sweep; then the table, the parallel
  // coordinates and the scatter fill as trials end, and two trials open in Compare.
  void aSweepStartsFromThePanelAndIsShown() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    const QString spec = tmp_.filePath("sweepy.json");
    QFile f(spec);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(alexnet::spec_to_json(testsupport::tiny_spec("sweepy")).dump()));
    f.close();
    window.panel()->addVariant(spec, true);
    for (const char* preset : {"original", "tanh", "small"}) {
      window.panel()->findChild<QCheckBox*>(QString("variant-") + preset)->setChecked(false);
    }
    window.panel()->findChild<QComboBox*>("dataCombo")->setCurrentText("synthetic");
    window.panel()->findChild<QSpinBox*>("inputSize")->setValue(32);
    window.panel()->findChild<QSpinBox*>("iterations")->setValue(30);
    window.panel()->findChild<QSpinBox*>("batch")->setValue(16);
    window.panel()->findChild<QSpinBox*>("recordEvery")->setValue(10);
    window.panel()->findChild<QSpinBox*>("probeEvery")->setValue(10);
    SweepView* view = window.sweepView();
    auto* space = view->findChild<QLineEdit*>("sweepSpace");
    auto* estimate = view->findChild<QLabel*>("sweepEstimate");
    space->setText("lr=0.005,0.02; sweepy.fc3.units=8,32");
    QVERIFY2(estimate->text().startsWith("4 trials"), qPrintable(estimate->text()));
    space->setText("sweepy.fc9.units=8");
    QVERIFY2(estimate->text().contains("no layer fc9"), qPrintable(estimate->text()));
    QVERIFY(!view->findChild<QPushButton*>("sweepStart")->isEnabled());
    space->setText("lr=0.005,0.02");
    QString error;
    QVERIFY2(view->startSweep(QStringLiteral(ALEXNET_BINARY), &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(view->summary().contains("2 finished"),
                             600000);  // seconds here; minutes under the sanitizers
    QCOMPARE(view->table()->model()->rowCount(), 2);
    QCOMPARE(view->coordinates()->plottableCount(), 2);  // a line per trial
    QCOMPARE(view->scatter()->graphCount(), 1);
    QCOMPARE(view->scatter()->graph(0)->dataCount(), 2);
    // Once no trial runs, the loss plot shows the best trials' curves, each to its end.
    QCOMPARE(view->losses()->graphCount(), 2);
    QCOMPARE(view->losses()->graph(0)->dataCount(), 3);  // records at 10, 20, 30
    QVERIFY2(view->findChild<QLabel*>("sweepLossesTitle")->text().contains("best trials"),
             qPrintable(view->findChild<QLabel*>("sweepLossesTitle")->text()));
    view->table()->selectAll();
    view->findChild<QPushButton*>("sweepCompare")->click();
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.compareView()));
    // The folder opens again as a sweep (File > Open run on it too), and its pictures export.
    MainWindow again;
    const QString dir = QFileInfo(view->table()->model()->index(0, 0).data(Qt::UserRole + 1).toString()).path();
    QVERIFY(again.openRun(dir));
    QCOMPARE(again.tabs()->currentWidget(), static_cast<QWidget*>(again.sweepView()));
    for (int picture = 0; picture < 3; ++picture) {
      const QString file = tmp_.filePath(QString("sweep-%1.png").arg(picture));
      QVERIFY(again.sweepView()->exportPicture(picture, file, QSize(1280, 720), 1.0));
      QVERIFY(imageVaries(QImage(file)));
    }
  }

  // Continue run trains the stopped run on from its checkpoint.
  void continueRunTrainsAStoppedRunOn() {
    if (run_dir_.isEmpty()) QSKIP("needs the run that trainPauseResumeStopThenExportEveryPlot made");
    MainWindow reopened;
    QVERIFY(reopened.openRun(run_dir_));
    // The run was stopped: Continue run trains it on from its checkpoint, the
    // history shown from its start, metrics.csv without a gap or a duplicate.
    auto* continue_run = reopened.findChild<QPushButton*>("continueButton");
    QVERIFY(continue_run->isEnabled());
    const std::int64_t stopped_at = reopened.history()->records("alpha").back().iteration;
    QTest::mouseClick(continue_run, Qt::LeftButton);
    QVERIFY(reopened.isTraining());
    QTRY_VERIFY_WITH_TIMEOUT(!reopened.history()->records("alpha").empty() &&
                                 reopened.history()->records("alpha").back().iteration >= stopped_at + 20,
                             60000);
    QCOMPARE(reopened.history()->records("alpha").front().iteration, std::int64_t(5));
    reopened.findChild<QPushButton*>("stopButton")->click();
    QTRY_VERIFY_WITH_TIMEOUT(!reopened.isTraining(), 120000);
    std::map<QString, std::int64_t> last;
    for (const QString& line : testsupport::read_lines(run_dir_ + "/metrics.csv").mid(1)) {
      const QString variant = line.section(',', 0, 0);
      const std::int64_t iteration = line.section(',', 1, 1).toLongLong();
      QCOMPARE(iteration, last[variant] + 5);
      last[variant] = iteration;
    }
    QVERIFY(last["alpha"] >= stopped_at + 20);
  }

  // The Runs view lists the runs folder (a damaged run and one being trained
  // included), keeps notes, sorts, and refuses to delete a run being trained.
  void runsViewListsTheRunsFolder() {
    const RunsFolder folder(*this);
    QVERIFY(!folder.runs.isEmpty());
    const QString& runs = folder.runs;
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    RunsView* view = window.runsView();
    window.tabs()->setCurrentWidget(view);
    RunsTableModel* model = view->model();
    QCOMPARE(model->rowCount(), 3);
    std::map<std::string, const alexnet::RunSummary*> by_name;
    for (const auto& r : model->runs()) by_name[r.name] = &r;
    QCOMPARE(by_name["first"]->status, alexnet::RunStatus::Finished);
    QCOMPARE(by_name["first"]->iterations_done, std::int64_t(40));
    QCOMPARE(by_name["first"]->iterations_planned, std::int64_t(40));
    QCOMPARE(by_name["first"]->variants, (std::vector<std::string>{"relu-net", "tanh-net"}));
    QVERIFY(by_name["first"]->best_accuracy > 0.1);
    QCOMPARE(by_name["broken"]->status, alexnet::RunStatus::Damaged);
    QVERIFY2(QString::fromStdString(by_name["broken"]->problem).contains("config.json"),
             by_name["broken"]->problem.c_str());
    // A run a trainer holds shows as running, and cannot be deleted.
    {
      alexnet::RunStore held((runs + "/second").toStdString());
      view->refresh();
      for (const auto& r : model->runs()) {
        if (r.name == "second") QCOMPARE(r.status, alexnet::RunStatus::Running);
      }
      view->confirm = [](const QString&) { return true; };
      QString error;
      QVERIFY(!view->deleteRuns({runs + "/second"}, &error));
      QVERIFY2(error.contains("being trained"), qPrintable(error));
      QVERIFY(QFile::exists(runs + "/second/config.json"));
    }
    view->refresh();
    // A note, kept in the run folder.
    QTableView* table = view->table();
    auto* proxy = table->model();
    int first_row = -1;
    for (int row = 0; row < proxy->rowCount(); ++row) {
      if (proxy->index(row, RunsTableModel::Name).data().toString() == "first") first_row = row;
    }
    QVERIFY(first_row >= 0);
    QVERIFY(proxy->setData(proxy->index(first_row, RunsTableModel::Note), "lr 0.02, the baseline"));
    QCOMPARE(testsupport::read_lines(runs + "/first/note.txt").join("\n"), QString("lr 0.02, the baseline"));
    view->refresh();
    // Sorting by best accuracy puts the damaged run (no results) last.
    table->sortByColumn(RunsTableModel::BestAccuracy, Qt::DescendingOrder);
    QCOMPARE(proxy->index(2, RunsTableModel::Name).data().toString(), QString("broken"));
    QCOMPARE(proxy->index(2, RunsTableModel::State).data().toString(), QString("damaged"));
  }

  // Runs -> Compare overlays exactly runs x variants curves, lists exactly the
  // settings that differ, exports its plots, and refuses one run alone.
  void runsSelectedOpenInCompare() {
    const RunsFolder folder(*this);
    QVERIFY(!folder.runs.isEmpty());
    const QString& runs = folder.runs;
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    RunsView* view = window.runsView();
    window.tabs()->setCurrentWidget(view);
    view->selectRuns({runs + "/first", runs + "/second"});
    QCOMPARE(view->selectedRuns().size(), 2);
    auto* compare_button = view->findChild<QPushButton*>("compareButton");
    QVERIFY(compare_button->isEnabled());
    QTest::mouseClick(compare_button, Qt::LeftButton);
    CompareView* compare = window.compareView();
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(compare));
    QCOMPARE(compare->lossPlot()->graphCount(), 4);  // 2 runs x 2 variants
    QStringList legend;
    for (int i = 0; i < compare->lossPlot()->graphCount(); ++i) legend << compare->lossPlot()->graph(i)->name();
    QVERIFY2(legend.contains("first · relu-net") && legend.contains("second · tanh-net"),
             qPrintable(legend.join(", ")));
    QCOMPARE(compare->resultsModel()->rowCount(), 4);
    QCOMPARE(compare->differencesList()->count(), 1);
    QCOMPARE(compare->differencesList()->item(0)->text(), QString("learning_rate: 0.02 | 0.05"));
    compare->showDeadUnits("relu-net", "conv2");
    QCOMPARE(compare->deadPlot()->graphCount(), 2);  // one layer of one variant, across the runs
    QCOMPARE(compare->deadPlot()->graph(1)->name(), QString("second"));
    int probes = 0;  // one point per probe of relu-net in probes.jsonl
    for (const QString& line : testsupport::read_lines(runs + "/first/probes.jsonl")) {
      probes += line.contains("\"variant\":\"relu-net\"") ? 1 : 0;
    }
    QVERIFY(probes >= 2);
    QCOMPARE(compare->deadPlot()->graph(0)->dataCount(), probes);
    for (int i = 0; i < 2; ++i) {
      const QString path = tmp_.filePath(QString("compare/%1.png").arg(compare->exportNames()[i]));
      QDir().mkpath(tmp_.filePath("compare"));
      QVERIFY(compare->exportPicture(i, path, QSize(800, 450), 1.0));
      QVERIFY2(imageVaries(QImage(path)), qPrintable(path));
    }
    // File > Export all plots takes the comparison along.
    QString export_error;
    const QStringList exported = window.exportAll(tmp_.filePath("compare-all"), &export_error);
    QVERIFY2(export_error.isEmpty(), qPrintable(export_error));
    QVERIFY(exported.contains(tmp_.filePath("compare-all/compare-loss.png")));
    QVERIFY(exported.contains(tmp_.filePath("compare-all/compare-dead-units.png")));
    // One run alone is not a comparison.
    view->selectRuns({runs + "/first"});
    QString error;
    QVERIFY(!view->compareSelected(&error));
    QVERIFY(error.contains("two"));
  }

  // Rename within the runs folder (a taken name refused), then delete to the
  // trash only after the confirmation.
  void runsAreRenamedAndMovedToTheTrash() {
    const RunsFolder folder(*this);
    QVERIFY(!folder.runs.isEmpty());
    const QString& runs = folder.runs;
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    RunsView* view = window.runsView();
    window.tabs()->setCurrentWidget(view);
    QString error;
    QVERIFY2(view->renameRun(runs + "/second", "second-lr0.05", &error), qPrintable(error));
    QVERIFY(QFile::exists(runs + "/second-lr0.05/config.json"));
    QCOMPARE(view->selectedRuns(), QStringList{runs + "/second-lr0.05"});
    QVERIFY2(!view->renameRun(runs + "/first", "second-lr0.05", &error), "a name that is taken");
    bool asked = false;
    view->confirm = [&asked](const QString&) { return asked = true, false; };
    QVERIFY(!view->deleteRuns({runs + "/first"}));
    QVERIFY(asked && QFile::exists(runs + "/first/config.json"));
    view->confirm = [](const QString&) { return true; };
    QVERIFY(view->deleteRuns({runs + "/first"}, &error));
    QVERIFY(!QFile::exists(runs + "/first"));
    QVERIFY(QFile::exists(folder.xdg + "/Trash/files/first/config.json"));
    QCOMPARE(view->model()->rowCount(), 2);
  }

  // Processes = 2: the window's run is rank 0 and starts rank 1 itself; it
  // pauses (longer than a heartbeat), resumes and finishes like any run.
  void twoProcessesFromTheWindow() {
    MainWindow window;
    window.show();
    window.worker()->setWorkerProgram(QStringLiteral(ALEXNET_BINARY));
    const QString spec = tmp_.filePath("gamma.json");
    QFile f(spec);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(alexnet::spec_to_json(testsupport::tiny_spec("gamma")).dump()));
    f.close();
    window.panel()->addVariant(spec, true);
    for (QCheckBox* box : window.panel()->findChildren<QCheckBox*>()) {
      if (box->objectName().startsWith("variant-") && box->objectName() != "variant-" + spec) box->setChecked(false);
    }
    window.panel()->findChild<QComboBox*>("dataCombo")->setCurrentText("synthetic");
    window.panel()->findChild<QSpinBox*>("inputSize")->setValue(32);
    window.panel()->findChild<QSpinBox*>("iterations")->setValue(400);
    window.panel()->findChild<QSpinBox*>("batch")->setValue(16);
    window.panel()->findChild<QSpinBox*>("recordEvery")->setValue(5);
    window.panel()->findChild<QSpinBox*>("probeEvery")->setValue(100);
    window.panel()->findChild<QSpinBox*>("threads")->setValue(1);
    window.panel()->findChild<QSpinBox*>("processes")->setValue(2);
    window.findChild<QPushButton*>("startButton")->click();
    QVERIFY(window.isTraining());
    RunHistory* history = window.history();
    QTRY_VERIFY_WITH_TIMEOUT(history->records("gamma").size() >= 3, 60000);
    window.findChild<QPushButton*>("pauseButton")->click();
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QPushButton*>("resumeButton")->isEnabled(), 10000);
    QTest::qWait(2500);  // both ranks keep meeting every second while paused
    const std::size_t paused_at = history->records("gamma").size();
    QTest::qWait(500);
    QCOMPARE(history->records("gamma").size(), paused_at);
    window.findChild<QPushButton*>("resumeButton")->click();
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 120000);
    QCOMPARE(int(history->results().size()), 1);
    QCOMPARE(history->records("gamma").back().iteration, std::int64_t(400));
    QString dir = history->dir();
    if (dir.isEmpty()) dir = QFileInfo(window.windowTitle().section(" — ", 1)).filePath();
    QVERIFY2(QFile::exists(dir + "/results.json"), qPrintable(dir));
    QFile config(dir + "/config.json");
    QVERIFY(config.open(QIODevice::ReadOnly));
    QCOMPARE(nlohmann::json::parse(config.readAll().toStdString())["world_size"].get<int>(), 2);
  }

  // A fresh window at 1600 x 1000: the panel needs no sideways scrolling, and
  // plots without data show no empty legend or axes.
  void anEmptyWindowFitsAndShowsNoEmptyPlots() {
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* scroll = window.findChild<QScrollArea*>("panelScroll");
    QVERIFY(scroll);
    QVERIFY2(scroll->widget()->minimumSizeHint().width() <= scroll->viewport()->width(),
             qPrintable(QString("panel needs %1 px, has %2")
                            .arg(scroll->widget()->minimumSizeHint().width())
                            .arg(scroll->viewport()->width())));
    QVERIFY(!window.findChild<QCustomPlot*>("lossPlot")->legend->visible());
    QVERIFY(!window.findChild<QCustomPlot*>("fractionPlot")->legend->visible());
    auto* confusion = window.findChild<QCustomPlot*>("confusionPlot");
    QVERIFY(confusion->findChild<QCPItemText*>("confusionWaiting"));
    QVERIFY(!confusion->axisRect()->axis(QCPAxis::atBottom)->visible());
    auto* histograms = window.findChild<QCustomPlot*>("histogramPlot");
    QVERIFY(histograms && histograms->findChild<QCPItemText*>("histogramWaiting")->visible());
  }

  // A new panel starts from the default experiment: what `train` with no
  // options runs is what the window's Start runs.
  void aNewPanelHoldsTheDefaultExperiment() {
    const ExperimentPanel panel;
    const alexnet::ExperimentConfig shown = panel.config();
    const alexnet::ExperimentConfig defaults;
    QCOMPARE(shown.iterations, defaults.iterations);
    QCOMPARE(shown.schedule, defaults.schedule);
    QCOMPARE(shown.optimizer, defaults.optimizer);
    QCOMPARE(shown.bf16, defaults.bf16);
    QCOMPARE(shown.learning_rate, defaults.learning_rate);
    QCOMPARE(shown.label_smoothing, defaults.label_smoothing);
    QCOMPARE(shown.batch_size, defaults.batch_size);
  }

  void keysAreListedInTheMenusAndWork() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    std::map<QString, QString> keys;  // menu entry -> its shortcut
    for (QAction* menu : window.menuBar()->actions()) {
      for (QAction* a : menu->menu()->actions()) {
        if (!a->shortcut().isEmpty()) keys[a->text().remove('&')] = a->shortcut().toString();
      }
    }
    QCOMPARE(keys["Start"], QString("Ctrl+Return"));
    QCOMPARE(keys["Pause"], QString("Ctrl+P"));
    QCOMPARE(keys["Stop"], QString("Ctrl+."));
    QCOMPARE(keys["Open run…"], QString("Ctrl+O"));
    QCOMPARE(keys["Export all plots as PNG…"], QString("Ctrl+E"));
    QCOMPARE(keys["Gradients"], QString("Ctrl+4"));
    QCOMPARE(keys["Results"], QString("Ctrl+5"));
    QCOMPARE(keys["Runs"], QString("Ctrl+0"));  // the tenth tab
    // The tab keys switch tabs.
    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(window.tabs()->currentIndex(), 2);
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(window.tabs()->currentIndex(), 0);
    // More threads than cores: the panel says it will be slower, not faster.
    auto* threads = window.panel()->findChild<QSpinBox*>("threads");
    auto* warning = window.panel()->findChild<QLabel*>("threadsWarning");
    QVERIFY(threads && warning);
    threads->setValue(QThread::idealThreadCount());
    QVERIFY(warning->isHidden());
    threads->setValue(QThread::idealThreadCount() + 1);
    QVERIFY(!warning->isHidden());
    threads->setValue(0);
    QVERIFY(warning->isHidden());
  }

  void refusedSettingsSayWhy() {
    MainWindow window;
    for (QCheckBox* box : window.panel()->findChildren<QCheckBox*>()) {
      if (box->objectName().startsWith("variant-")) box->setChecked(false);
    }
    // No variant checked: the message box would block, so check the panel directly.
    bool refused = false;
    try {
      window.panel()->config();
    } catch (const std::exception& e) {
      refused = QString(e.what()).contains("no variants");
    }
    QVERIFY(refused);
  }

  // What a user saw in a real window after a 300-iteration run (issue 29),
  // checked without eyes: axis ranges, probe counts, a field before Start,
  // the layout of Inspect, the order of Mistakes.

  // Activations: the histogram's x axis spans the run (0 ... last iteration),
  // and each probe's column covers the iterations up to the next probe.
  void histogramColumnsSpanTheRunFromProbeToProbe() {
    RunHistory history;
    history.reset({"a"}, {});
    const int every = 15, last = 300;
    for (int it = 0; it <= last; it += every) {
      ProbeResult p;
      p.variant = "a";
      p.iteration = it;
      p.activation = "relu";
      LayerProbe l;
      l.name = "fc7";
      l.activation.edges.resize(11);
      for (int e = 0; e <= 10; ++e) l.activation.edges[std::size_t(e)] = e;
      l.activation.counts.assign(10, 0);
      l.activation.counts[std::size_t((it / every) % 10)] = 1000;  // each probe has its own bin
      p.layers.push_back(l);
      history.addProbe(p);
    }
    RecordPoint r;
    r.variant = "a";
    r.iteration = last;
    r.train_loss = 1;
    history.addRecord(r);
    ActivationView view(&history);
    view.select("a", "fc7");
    QCustomPlot* plot = view.histogramPlot();
    QCOMPARE(plot->xAxis->range().lower, 0.0);
    QCOMPARE(plot->xAxis->range().upper, double(last));
    QCOMPARE(view.fractionPlot()->xAxis->range().lower, 0.0);
    QCOMPARE(view.fractionPlot()->xAxis->range().upper, double(last));
    auto* map = qobject_cast<QCPColorMap*>(plot->plottable(0));
    QVERIFY(map);
    // The map holds exactly what the axes show.
    QVERIFY(std::abs(map->data()->keyRange().lower - map->data()->keyRange().upper) > 0);
    int key = 0, value = 0;
    for (double at : {1.0, 14.0, 16.0, 29.0, 31.0, 151.0, 299.0}) {
      const int probe = int(at) / every;  // the probe in force at that iteration
      map->data()->coordToCell(at, 0.5 + probe % 10, &key, &value);
      QVERIFY2(map->data()->cell(key, value) > 2.9,
               qPrintable(QString("iteration %1 should show probe %2").arg(at).arg(probe * every)));
      map->data()->coordToCell(at, 0.5 + (probe + 1) % 10, &key, &value);
      QCOMPARE(map->data()->cell(key, value), 0.0);
    }
    // A live run between probes: the last probe holds until the latest record.
    r.iteration = 330;
    history.addRecord(r);
    view.select("a", "fc7");
    QCOMPARE(plot->xAxis->range().upper, 330.0);
    const HistogramSpan one = histogram_span({0.0}, 0);
    QCOMPARE(one.begin, 0.0);
    QCOMPARE(one.end, 1.0);  // a single probe at the start: one iteration wide, not centred on it
  }

  // Unless --probe-every is given, every run gets at least ~20 probes.
  void probeCadenceFollowsTheRunsLength() {
    for (std::int64_t n : {1, 7, 20, 300, 2400, 2401, 100000}) {
      alexnet::ExperimentConfig c;
      c.iterations = n;
      QCOMPARE(c.probe_every, alexnet::kAutomaticProbes);
      const int every = c.probe_interval();
      QVERIFY(every >= 1);
      const std::int64_t probes = n / every + 1 + (n % every != 0 ? 1 : 0);  // 0, every interval, the end
      QVERIFY2(probes >= std::min<std::int64_t>(21, n + 1),
               qPrintable(QString("%1 iterations: %2").arg(n).arg(probes)));
      QVERIFY2(probes <= 42, qPrintable(QString("%1 iterations: %2 probes").arg(n).arg(probes)));
    }
    alexnet::ExperimentConfig chosen;
    chosen.probe_every = 500;
    QCOMPARE(chosen.probe_interval(), 500);
    chosen.probe_every = 0;
    QCOMPARE(chosen.probe_interval(), 0);
    // The panel starts on "auto" and hands it on as such.
    const ExperimentPanel panel;
    auto* box = panel.findChild<QSpinBox*>("probeEvery");
    QCOMPARE(box->value(), alexnet::kAutomaticProbes);
    QCOMPARE(box->text(), QString("auto"));
    QCOMPARE(panel.config().probe_every, alexnet::kAutomaticProbes);
    box->setValue(0);
    QCOMPARE(box->text(), QString("never"));
  }

  // Loss view at the first record: x from 0, every point inside the plot with a margin.
  void theFirstLossPointsSitInsideThePlot() {
    RunHistory history;
    history.reset({"a", "b"}, {});
    LossView view(&history);
    for (const auto& [name, loss] : std::vector<std::pair<QString, double>>{{"a", 2.3}, {"b", 2.5}}) {
      RecordPoint r;
      r.variant = name.toStdString();
      r.iteration = 100;
      r.train_loss = loss;
      r.elapsed_seconds = 12;
      history.addRecord(r);
    }
    QCustomPlot* plot = view.plot();
    QCOMPARE(plot->xAxis->range().lower, 0.0);
    QVERIFY(plot->xAxis->range().upper > 100 * 1.02);
    QVERIFY(plot->yAxis->range().lower <= 0.0);
    QVERIFY(plot->yAxis->range().upper > 2.5 * 1.04);
    view.findChild<QCheckBox*>("logScale")->setChecked(true);
    QVERIFY(plot->yAxis->range().lower < 2.3 / 1.1);
    QVERIFY(plot->yAxis->range().upper > 2.5 * 1.1);
    view.findChild<QComboBox*>("xAxis")->setCurrentIndex(1);  // wall time
    QCOMPARE(plot->xAxis->range().lower, 0.0);
    QVERIFY(plot->xAxis->range().upper > 12 * 1.02);
  }

  // "Learning rate now" shows the experiment's rate before a run starts.
  void theLiveRateIsTheExperimentsBeforeARun() {
    QSettings().clear();
    MainWindow window;
    auto* live = window.findChild<QDoubleSpinBox*>("liveRate");
    QCOMPARE(live->value(), alexnet::ExperimentConfig().learning_rate);
    window.panel()->findChild<QDoubleSpinBox*>("learningRate")->setValue(0.002);
    QCOMPARE(live->value(), 0.002);
  }

  // Inspect: the variants' columns fit the width (shrunk, then wrapped).
  void inspectColumnsFitTheWidth() {
    QCOMPARE(variant_columns(3, 900, 6).per_row, 3);
    QCOMPARE(variant_columns(3, 900, 6).width, 280);
    const VariantColumns narrow = variant_columns(3, 780, 6);
    QCOMPARE(narrow.per_row, 3);
    QVERIFY(3 * narrow.width + 2 * 6 <= 780 && narrow.width >= 150);
    const VariantColumns wrapped = variant_columns(3, 400, 6);
    QCOMPARE(wrapped.per_row, 2);
    QVERIFY(2 * wrapped.width + 6 <= 400);
    QCOMPARE(variant_columns(1, 100, 6).per_row, 1);  // one column however narrow

    // A real run of three variants in a 1400 x 900 window: every column in view.
    const QString dir = tmp_.filePath("three-variants");
    alexnet::ExperimentConfig c = testsupport::quick_config(dir.toStdString(), 10);
    c.variants = {testsupport::tiny_spec("one"), testsupport::tiny_spec("two"), testsupport::tiny_spec("three")};
    c.probe_every = 0;
    testsupport::RecordingObserver observer;
    alexnet::Trainer trainer(c, observer);
    QCOMPARE(trainer.run(), alexnet::RunState::Finished);
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openRun(dir));
    InspectView* inspect = window.inspectView();
    QSignalSpy inspected(inspect, &InspectView::inspected);
    window.tabs()->setCurrentWidget(inspect);
    QTRY_VERIFY_WITH_TIMEOUT(inspected.count() >= 1 && !inspect->busy(), 60000);
    auto* scroll = inspect->findChild<QScrollArea*>("inspectScroll");
    const auto allInView = [&] {
      for (const char* name : {"one", "two", "three"}) {
        auto* maps = inspect->findChild<QLabel*>(QString("inspectMaps_") + name);
        if (!maps) return false;
        const QPoint right = maps->mapTo(scroll->viewport(), QPoint(maps->width(), 0));
        if (right.x() > scroll->viewport()->width()) return false;
      }
      return true;
    };
    QTRY_VERIFY(allInView());
    window.resize(900, 900);  // narrower: the columns wrap
    QTRY_VERIFY(allInView());
  }

  // A run that does not learn, opened: the Findings tab says what went wrong
  // (most severe first), the Loss view shades the span, double-clicking a
  // finding shows its evidence, and Try the fix trains the run again with the
  // suggestion applied and opens both runs in Compare.
  void findingsAreListedMarkedAndTheFixIsTried() {
    const QString dir = tmp_.filePath("stuck");
    alexnet::ExperimentConfig c = testsupport::quick_config(dir.toStdString(), 320);
    c.variants.resize(1);
    c.learning_rate = 1e-9;
    c.record_every = 40;
    c.probe_every = 40;
    testsupport::RecordingObserver observer;
    QCOMPARE(alexnet::Trainer(c, observer).run(), alexnet::RunState::Finished);
    // The Runs view's catalogue counts them without opening the run.
    const alexnet::RunSummary summary = alexnet::summarise_run(dir.toStdString());
    QCOMPARE(summary.problems, 1);
    QCOMPARE(summary.warnings, 1);  // lr_too_low: the steps hardly move the weights
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(window.openRun(dir));
    FindingsView* findings = window.findingsView();
    QVERIFY2(findings->summary().startsWith("1 problem(s)"), qPrintable(findings->summary()));
    QTableView* table = findings->table();
    QCOMPARE(table->model()->index(0, 0).data().toString(), QString("problem"));
    QCOMPARE(table->model()->index(0, 1).data().toString(), QString("relu-net"));
    QCOMPARE(table->model()->index(0, 3).data().toString(), QString("0–320"));
    QVERIFY(table->model()->index(0, 4).data().toString().contains("never left its starting level"));
    // The loss view shades the span, labelled.
    int spans = 0;
    for (int i = 0; i < window.lossView()->plot()->itemCount(); ++i) {
      spans += window.lossView()->plot()->item(i)->property("finding").toString() == "not_learning";
    }
    QCOMPARE(spans, 2);  // the shaded rectangle and its label
    // Selecting it offers the fix; double-clicking shows the loss curves.
    window.tabs()->setCurrentWidget(findings);
    table->setCurrentIndex(table->model()->index(0, 0));
    QPushButton* fix = findings->tryFixButton();
    QVERIFY(fix->isEnabled());
    // A larger rate, as the update ratio says (steps of about 1e-3 of the weights), not a smaller one.
    QVERIFY2(fix->text().startsWith("Try the fix: --lr "), qPrintable(fix->text()));
    const double suggested = fix->text().section(' ', -1).toDouble();
    QVERIFY2(suggested >= 1e-8 && suggested <= 1e-5, qPrintable(fix->text()));
    emit table->activated(table->model()->index(0, 0));
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.lossView()));
    // The fix: a new run with the first repair, then Compare with both.
    window.tabs()->setCurrentWidget(findings);
    fix->click();
    QVERIFY(window.isTraining());
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 120000);
    QTRY_COMPARE_WITH_TIMEOUT(window.tabs()->currentWidget(), static_cast<QWidget*>(window.compareView()), 10000);
    const QString fixed_dir = window.history()->dir();
    QVERIFY(fixed_dir != dir);
    QCOMPARE(read_run_config(fixed_dir.toStdString()).learning_rate, suggested);
  }

  // A dead layer found in a run is shaded on the dead-unit plot of its variant, and only there.
  void deadLayersAreMarkedOnTheDeadUnitPlot() {
    RunHistory history;
    history.reset({"original", "small"}, {});
    for (std::int64_t it : {0, 100, 200}) {
      for (const char* v : {"original", "small"}) {
        ProbeResult p;
        p.variant = v;
        p.iteration = it;
        p.activation = "relu";
        for (const char* name : {"conv1", "fc7"}) {
          LayerProbe l;
          l.name = name;
          l.units = 10;
          l.dead_fraction = std::string(name) == "fc7" && std::string(v) == "original" && it > 0 ? 1.0 : 0.0;
          l.activation = l.pre_activation = Histogram{{0.0, 0.5, 1.0}, {3, 1}, 0, 0};
          p.layers.push_back(l);
        }
        history.addProbe(p);
      }
    }
    ActivationView view(&history);
    history.addFinding(finding_on("dead_layer", "fc7", 100, 200, Severity::Problem));
    auto marks = [&] {
      int n = 0;
      for (int i = 0; i < view.fractionPlot()->itemCount(); ++i) {
        n += view.fractionPlot()->item(i)->property("finding").toString() == "dead_layer";
      }
      return n;
    };
    view.select("original", "fc7");
    QCOMPARE(marks(), 2);  // the span and its label
    view.select("small", "fc7");
    QCOMPARE(marks(), 0);
  }

  // The depth profile: a column per record, a row per layer (input at the
  // bottom), log10 of the update ratio; gradient findings outlined on their variant.
  void theDepthProfileShowsEachLayerOverTime() {
    RunHistory history;
    history.reset({"original", "small"}, {});
    for (std::int64_t it : {100, 200, 300, 400}) {
      for (const char* v : {"original", "small"}) {
        GradientRecord g;
        g.variant = v;
        g.iteration = it;
        // original's conv1 steps are a millionth of its weights; the rest a thousandth.
        for (const char* name : {"conv1", "conv2", "fc8"}) {
          const bool stuck = std::string(v) == "original" && std::string(name) == "conv1";
          g.layers.push_back({name, stuck ? 1e-7 : 0.5, 3.0, stuck ? 1e-6 : 1e-3});
        }
        history.addGradients(g);
      }
    }
    GradientView view(&history);
    view.resize(900, 600);
    view.select("original");
    QCOMPARE(view.layers(), QStringList({"conv1", "conv2", "fc8"}));
    QCOMPARE(view.columns(), 4);
    auto* map = qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
    QVERIFY(map);
    QCOMPARE(map->data()->cell(0, 0), -6.0);  // conv1 at the bottom
    QCOMPARE(map->data()->cell(3, 2), -3.0);  // fc8 at the top
    history.addFinding(finding_on("vanishing_gradient", "conv1", 100, 400, Severity::Warning));
    auto marks = [&] {
      int n = 0;
      for (int i = 0; i < view.plot()->itemCount(); ++i) {
        n += view.plot()->item(i)->property("finding").toString() == "vanishing_gradient";
      }
      return n;
    };
    QCOMPARE(marks(), 2);  // the outline and its label
    view.select("small");
    QCOMPARE(marks(), 0);
    // Before any measurement: a sentence instead of an empty map.
    RunHistory empty;
    empty.reset({"original"}, {});
    GradientView waiting(&empty);
    QCOMPARE(waiting.columns(), 0);
    QVERIFY(waiting.findChild<QLabel*>("gradientNote")->text().contains("No gradient measurements"));
  }

  // Mistakes: the most confident first by default; test-set order as a choice.
  void mistakesShowTheConfidentOnesFirst() {
    std::vector<Prediction> all(6);
    const double confidence[] = {0.3, 0.9, 0.5, 0.9, 0.2, 0.7};
    for (int i = 0; i < 6; ++i) all[std::size_t(i)] = Prediction{i, 0, 1, confidence[i]};
    std::vector<const Prediction*> shown;
    for (const Prediction& p : all) shown.push_back(&p);
    std::vector<const Prediction*> confident = shown;
    order_predictions(confident, MistakeOrder::MostConfidentFirst, 4);
    QCOMPARE(int(confident.size()), 4);
    const std::int64_t expected[] = {1, 3, 5, 2};  // ties in test-set order
    for (int i = 0; i < 4; ++i) QCOMPARE(confident[std::size_t(i)]->index, expected[i]);
    std::vector<const Prediction*> in_order = shown;
    order_predictions(in_order, MistakeOrder::TestSetOrder, 3);
    for (int i = 0; i < 3; ++i) QCOMPARE(in_order[std::size_t(i)]->index, std::int64_t(i));
    const MistakesView view;
    QCOMPARE(view.findChild<QComboBox*>("mistakesOrder")->currentText(), QString("most confident first"));
  }

  void smoothingIsADebiasedEma() {
    const std::vector<double> flat = smooth({2.0, 2.0, 2.0}, 0.9);
    for (double v : flat) QCOMPARE(v, 2.0);  // debiasing: no pull towards zero at the start
    const std::vector<double> raw = smooth({1.0, 3.0}, 0.0);
    QCOMPARE(raw, (std::vector<double>{1.0, 3.0}));
    const std::vector<double> s = smooth({0.0, 10.0}, 0.5);
    QCOMPARE(s[1], (0.5 * 0.5 * 0.0 + 0.5 * 10.0) / (1 - 0.25));
  }
};

QTEST_MAIN(TestUi)
#include "test_ui.moc"
