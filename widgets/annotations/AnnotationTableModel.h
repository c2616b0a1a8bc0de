#pragma once
// View-model of the annotations pane: one row per annotation of an AnnotationDocument (sorted by onset),
// editable in place. Every edit goes through the document as an undoable command; the model follows the
// document's changes.
#include <QAbstractTableModel>
#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/annotations/AnnotationDocument.h"

namespace neurolm::widgets {

class AnnotationTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { OnsetColumn, DurationColumn, TextColumn, ChannelColumn, SourceColumn, ColumnCount };
  static constexpr int IdRole = Qt::UserRole + 1;     // quint64 id of the row's annotation
  static constexpr int OnsetRole = Qt::UserRole + 2;  // double onset in seconds

  explicit AnnotationTableModel(QObject* parent = nullptr);
  ~AnnotationTableModel() override;

  // Not owned; must outlive the model or be replaced first. nullptr = no annotations.
  void setDocument(AnnotationDocument* document);
  AnnotationDocument* document() const { return document_; }
  int rowOf(std::uint64_t id) const;  // -1 if absent

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;

  // "1:02:03.5", "62.5" or "62.5 s" -> seconds; nullopt if not a time.
  static std::optional<double> parseSeconds(const QString& text);
  static QString formatClock(double seconds);  // "h:mm:ss.sss"

 Q_SIGNALS:
  void documentChanged();
  void editRejected(const QString& message);

 private:
  std::vector<std::uint64_t> currentIds() const;
  void followDocument();

  AnnotationDocument* document_ = nullptr;
  std::vector<std::uint64_t> rowIds_;  // the rows as last announced to views
};

}  // namespace neurolm::widgets
