#pragma once
// "Export selection…": a time range (the current page by default) and the channels to write, and the target
// file whose extension picks the format (EDF+, BDF+, CSV, .npy; core/io/Export.h). The dialog only collects
// and checks the choice; the window runs the export on a worker.
#include <QDialog>
#include <QString>
#include <memory>
#include <vector>

#include "core/io/Export.h"
#include "core/io/Recording.h"

class QLabel;
class QLineEdit;
class QListWidget;

namespace neurolm::app {

class ExportSelectionDialog : public QDialog {
  Q_OBJECT

 public:
  ExportSelectionDialog(const Recording& recording, double startSec, double endSec,
                        const QString& suggestedPath, QWidget* parent = nullptr);

  // Valid after accept().
  ExportRequest request() const { return request_; }
  QString outputPath() const;

  // The fields, for tests and keyboard users.
  QLineEdit* startEdit() const { return start_; }
  QLineEdit* endEdit() const { return end_; }
  QLineEdit* pathEdit() const { return path_; }
  QListWidget* channelList() const { return channels_; }
  QString errorText() const;

 public Q_SLOTS:
  void accept() override;

 private:
  void browse();

  double startOfDaySec_ = 0;
  double durationSec_ = 0;
  QLineEdit* start_ = nullptr;
  QLineEdit* end_ = nullptr;
  QLineEdit* path_ = nullptr;
  QListWidget* channels_ = nullptr;
  QLabel* error_ = nullptr;
  ExportRequest request_;
};

}  // namespace neurolm::app
