#pragma once
// The annotations pane: a filterable table of the recording's annotations; clicking a row (or Enter) asks to
// jump to its onset; cells edit in place (double click, F2); Delete removes; Ctrl+Z / Ctrl+Shift+Z undo and
// redo; keys 1-9 label the current page with a quick label (onset = page start, duration = page length). The
// main window places the pane in a dock, gives it the document and the current page, and moves the traces
// when a jump is requested.
#include <QStringList>
#include <QWidget>

#include "core/annotations/AnnotationDocument.h"

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace neurolm::widgets {

class AnnotationTableModel;

class AnnotationsDock : public QWidget {
  Q_OBJECT

 public:
  explicit AnnotationsDock(QWidget* parent = nullptr);
  ~AnnotationsDock() override;

  // Not owned; nullptr disables the pane's actions.
  void setDocument(AnnotationDocument* document);
  AnnotationDocument* document() const;

  AnnotationTableModel* model() const { return model_; }
  QSortFilterProxyModel* filteredModel() const { return proxy_; }
  QTableView* table() const { return table_; }
  QLineEdit* filterEdit() const { return filter_; }

  QAction* undoAction() const { return undo_; }
  QAction* redoAction() const { return redo_; }
  QAction* deleteAction() const { return delete_; }
  QAction* addAnnotationAction() const { return add_; }
  const QList<QAction*>& quickLabelActions() const { return quickActions_; }  // keys 1..9

  QStringList quickLabels() const { return quickLabels_; }
  void setQuickLabels(const QStringList& labels);  // up to 9; missing ones keep their default
  static QStringList defaultQuickLabels();

  double pageStartSec() const { return pageStartSec_; }
  double pageDurationSec() const { return pageDurationSec_; }

 public Q_SLOTS:
  void setCurrentPage(double startSec, double durationSec);
  // Adds an annotation over the current page with quick label `index` (0..8) and selects it.
  void addQuickLabel(int index);
  // Adds an annotation at the current page start and opens its text for editing.
  void addAtPage();
  void deleteSelected();

 Q_SIGNALS:
  void jumpRequested(double onsetSec);
  void documentChanged();
  // The annotation selected in the table (0: none), e.g. for the trace view to emphasise it.
  void currentAnnotationChanged(quint64 id);
  void message(const QString& text);  // for the status bar (rejected edits, what was undone)

 private:
  void updateActions();
  void selectId(std::uint64_t id);
  void requestJump(const QModelIndex& proxyIndex);
  std::uint64_t selectedId() const;  // 0 if none

  AnnotationTableModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
  QTableView* table_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QLabel* count_ = nullptr;
  QAction* undo_ = nullptr;
  QAction* redo_ = nullptr;
  QAction* delete_ = nullptr;
  QAction* add_ = nullptr;
  QList<QAction*> quickActions_;
  QStringList quickLabels_;
  double pageStartSec_ = 0;
  double pageDurationSec_ = 10;
  std::uint64_t keepSelectedId_ = 0;  // re-selected after the document changes
};

}  // namespace neurolm::widgets
