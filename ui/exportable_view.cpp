#include "exportable_view.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QMessageBox>
#include <QSpinBox>

namespace alexnet::ui {

void ExportableView::askAndExport(int index) {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Export picture"));
  auto* form = new QFormLayout(&dialog);
  auto* width = new QSpinBox(&dialog);
  width->setRange(200, 8000);
  width->setValue(kDefaultExportWidth);
  auto* height = new QSpinBox(&dialog);
  height->setRange(150, 8000);
  height->setValue(kDefaultExportHeight);
  auto* dpi = new QSpinBox(&dialog);
  dpi->setRange(48, 600);
  dpi->setValue(int(96 * kDefaultExportScale));
  dpi->setSuffix(" dpi");
  form->addRow(tr("Width (points)"), width);
  form->addRow(tr("Height (points)"), height);
  form->addRow(tr("Resolution"), dpi);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export picture"), exportNames().value(index) + ".png",
                                   tr("PNG images (*.png);;PDF documents (*.pdf);;SVG drawings (*.svg)"));
  if (path.isEmpty()) return;
  if (!exportPicture(index, path, QSize(width->value(), height->value()), dpi->value() / 96.0)) {
    QMessageBox::warning(this, tr("Export picture"), tr("Could not write %1.").arg(path));
  }
}

}  // namespace alexnet::ui
