#include "widgets/annotations/AnnotationsDock.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

#include "widgets/annotations/AnnotationTableModel.h"

namespace neurolm::widgets {

QStringList AnnotationsDock::defaultQuickLabels() {
  // Sleep stages by their AASM codes (the same in every language), then common EEG events.
  return {QStringLiteral("W"),  QStringLiteral("N1"),  QStringLiteral("N2"),
          QStringLiteral("N3"), QStringLiteral("REM"), tr("Artifact"),
          tr("Arousal"),        tr("Seizure"),         tr("Event")};
}

AnnotationsDock::AnnotationsDock(QWidget* parent) : QWidget(parent), quickLabels_(defaultQuickLabels()) {
  model_ = new AnnotationTableModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1);  // text, channel, source and the onset as shown

  filter_ = new QLineEdit(this);
  filter_->setObjectName(QStringLiteral("annotationFilter"));
  filter_->setPlaceholderText(tr("Filter annotations"));
  filter_->setClearButtonEnabled(true);
  count_ = new QLabel(this);
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("annotationTable"));
  table_->setModel(proxy_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->horizontalHeader()->setStretchLastSection(false);
  // Widths from the font, not ResizeToContents: that measures every row, too slow for 100k annotations.
  const QFontMetrics metrics = table_->fontMetrics();
  const auto widthFor = [&](const QString& sample, int column) {
    const QString header = model_->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
    return std::max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header)) + 12;
  };
  table_->setColumnWidth(AnnotationTableModel::OnsetColumn,
                         widthFor(QStringLiteral("0:00:00.000"), AnnotationTableModel::OnsetColumn));
  table_->setColumnWidth(AnnotationTableModel::DurationColumn,
                         widthFor(QStringLiteral("30.5 s"), AnnotationTableModel::DurationColumn));
  table_->setColumnWidth(AnnotationTableModel::ChannelColumn,
                         widthFor(QStringLiteral("Fp1"), AnnotationTableModel::ChannelColumn));
  table_->setColumnWidth(AnnotationTableModel::SourceColumn,
                         widthFor(QStringLiteral("imported"), AnnotationTableModel::SourceColumn));
  // The header's context menu shows and hides columns; the source is hidden at first (the pane is narrow).
  auto* header = table_->horizontalHeader();
  header->setContextMenuPolicy(Qt::ActionsContextMenu);
  for (int column : {AnnotationTableModel::DurationColumn, AnnotationTableModel::ChannelColumn,
                     AnnotationTableModel::SourceColumn}) {
    auto* toggle =
        new QAction(model_->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString(), header);
    toggle->setCheckable(true);
    toggle->setChecked(column != AnnotationTableModel::SourceColumn);
    table_->setColumnHidden(column, !toggle->isChecked());
    connect(toggle, &QAction::toggled, table_,
            [this, column](bool shown) { table_->setColumnHidden(column, !shown); });
    header->addAction(toggle);
  }
  table_->horizontalHeader()->setSectionResizeMode(AnnotationTableModel::TextColumn, QHeaderView::Stretch);
  table_->setWordWrap(false);

  add_ = new QAction(tr("&Add annotation"), this);
  add_->setShortcut(Qt::Key_Insert);
  add_->setToolTip(tr("Add an annotation at the start of the current page (Insert)"));
  delete_ = new QAction(tr("&Delete annotation"), this);
  delete_->setShortcut(QKeySequence::Delete);
  undo_ = new QAction(tr("&Undo"), this);
  undo_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
  redo_ = new QAction(tr("&Redo"), this);
  redo_->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
  // Short texts for the pane's own tool bar; the menu shows the full ones.
  add_->setIconText(tr("Add"));
  delete_->setIconText(tr("Delete"));
  undo_->setIconText(tr("Undo"));
  redo_->setIconText(tr("Redo"));
  for (QAction* a : {add_, delete_, undo_, redo_}) QWidget::addAction(a);
  for (int i = 0; i < 9; ++i) {
    auto* a = new QAction(this);
    a->setShortcut(QKeySequence(Qt::Key_1 + i));
    connect(a, &QAction::triggered, this, [this, i] { addQuickLabel(i); });
    QWidget::addAction(a);
    quickActions_.append(a);
  }
  setQuickLabels(quickLabels_);
  connect(add_, &QAction::triggered, this, &AnnotationsDock::addAtPage);
  connect(delete_, &QAction::triggered, this, &AnnotationsDock::deleteSelected);
  connect(undo_, &QAction::triggered, this, [this] {
    if (document() && document()->canUndo()) document()->undo();
  });
  connect(redo_, &QAction::triggered, this, [this] {
    if (document() && document()->canRedo()) document()->redo();
  });

  auto* bar = new QToolBar(this);
  bar->setIconSize(QSize(16, 16));
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  for (QAction* a : {add_, delete_, undo_, redo_}) bar->addAction(a);

  auto* top = new QHBoxLayout;
  top->setContentsMargins(0, 0, 0, 0);
  top->addWidget(filter_, 1);
  top->addWidget(count_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(4);
  layout->addLayout(top);
  layout->addWidget(table_, 1);
  layout->addWidget(bar);

  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    proxy_->setFilterFixedString(text);
    updateActions();
  });
  connect(table_, &QTableView::clicked, this, &AnnotationsDock::requestJump);
  connect(table_, &QTableView::activated, this, &AnnotationsDock::requestJump);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    keepSelectedId_ = selectedId();
    updateActions();
    Q_EMIT currentAnnotationChanged(keepSelectedId_);
  });
  connect(model_, &AnnotationTableModel::documentChanged, this, [this] {
    if (keepSelectedId_ != 0) selectId(keepSelectedId_);
    updateActions();
    Q_EMIT documentChanged();
  });
  connect(model_, &AnnotationTableModel::editRejected, this, &AnnotationsDock::message);
  updateActions();
}

AnnotationsDock::~AnnotationsDock() = default;

void AnnotationsDock::setDocument(AnnotationDocument* document) {
  keepSelectedId_ = 0;
  model_->setDocument(document);
  updateActions();
}

AnnotationDocument* AnnotationsDock::document() const { return model_->document(); }

void AnnotationsDock::setQuickLabels(const QStringList& labels) {
  for (int i = 0; i < labels.size() && i < 9; ++i) {
    if (!labels[i].trimmed().isEmpty()) quickLabels_[i] = labels[i].trimmed();
  }
  for (int i = 0; i < quickActions_.size(); ++i) {
    quickActions_[i]->setText(tr("Label page as '%1'").arg(quickLabels_[i]));
  }
}

void AnnotationsDock::setCurrentPage(double startSec, double durationSec) {
  pageStartSec_ = startSec;
  pageDurationSec_ = durationSec;
}

void AnnotationsDock::addQuickLabel(int index) {
  if (!document() || index < 0 || index >= quickLabels_.size()) return;
  AnnotationEntry e;
  e.onsetSec = pageStartSec_;
  e.durationSec = pageDurationSec_;
  e.text = quickLabels_[index].toStdString();
  e.source = AnnotationSource::User;
  selectId(document()->add(e));
  Q_EMIT message(
      tr("Page %1 labelled '%2'").arg(AnnotationTableModel::formatClock(pageStartSec_), quickLabels_[index]));
}

void AnnotationsDock::addAtPage() {
  if (!document()) return;
  AnnotationEntry e;
  e.onsetSec = pageStartSec_;
  e.text = tr("New annotation").toStdString();
  e.source = AnnotationSource::User;
  const auto id = document()->add(e);
  if (!filter_->text().isEmpty()) filter_->clear();  // the new row must be visible to be edited
  selectId(id);
  const int row = model_->rowOf(id);
  if (row >= 0) {
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, AnnotationTableModel::TextColumn));
    table_->setFocus();
    table_->edit(index);
  }
}

void AnnotationsDock::deleteSelected() {
  const std::uint64_t id = selectedId();
  if (!document() || id == 0) return;
  keepSelectedId_ = 0;
  document()->remove(id);
}

std::uint64_t AnnotationsDock::selectedId() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return 0;
  return rows.first().data(AnnotationTableModel::IdRole).value<quint64>();
}

void AnnotationsDock::selectId(std::uint64_t id) {
  const int row = model_->rowOf(id);
  if (row < 0) return;
  const QModelIndex index = proxy_->mapFromSource(model_->index(row, 0));
  if (!index.isValid()) return;  // hidden by the filter
  keepSelectedId_ = id;
  if (table_->currentIndex().row() == index.row() && selectedId() == id) return;  // keeps an open editor open
  table_->selectionModel()->setCurrentIndex(index,
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  table_->scrollTo(index);
}

void AnnotationsDock::requestJump(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) return;
  Q_EMIT jumpRequested(proxyIndex.data(AnnotationTableModel::OnsetRole).toDouble());
}

void AnnotationsDock::updateActions() {
  AnnotationDocument* doc = document();
  add_->setEnabled(doc != nullptr);
  for (QAction* a : quickActions_) a->setEnabled(doc != nullptr);
  delete_->setEnabled(doc && selectedId() != 0);
  undo_->setEnabled(doc && doc->canUndo());
  redo_->setEnabled(doc && doc->canRedo());
  undo_->setToolTip(doc && doc->canUndo() ? tr("Undo: %1").arg(QString::fromStdString(doc->undoText()))
                                          : tr("Nothing to undo"));
  redo_->setToolTip(doc && doc->canRedo() ? tr("Redo: %1").arg(QString::fromStdString(doc->redoText()))
                                          : tr("Nothing to redo"));
  const int shown = proxy_->rowCount();
  const int total = model_->rowCount();
  count_->setText(shown == total ? tr("%n annotation(s)", nullptr, total)
                                 : tr("%1 of %2").arg(shown).arg(total));
}

}  // namespace neurolm::widgets
