#include "widgets/annotations/AnnotationTableModel.h"

#include <QRegularExpression>
#include <cmath>
#include <stdexcept>

namespace neurolm::widgets {

AnnotationTableModel::AnnotationTableModel(QObject* parent) : QAbstractTableModel(parent) {}

AnnotationTableModel::~AnnotationTableModel() {
  if (document_) document_->setChangedCallback({});
}

void AnnotationTableModel::setDocument(AnnotationDocument* document) {
  beginResetModel();
  if (document_) document_->setChangedCallback({});
  document_ = document;
  if (document_) {
    document_->setChangedCallback([this] { followDocument(); });
  }
  rowIds_ = currentIds();
  endResetModel();
  Q_EMIT documentChanged();
}

std::vector<std::uint64_t> AnnotationTableModel::currentIds() const {
  std::vector<std::uint64_t> ids;
  if (document_) {
    for (const auto& e : document_->entries()) ids.push_back(e.id);
  }
  return ids;
}

void AnnotationTableModel::followDocument() {
  std::vector<std::uint64_t> ids = currentIds();
  if (ids == rowIds_) {
    // Same rows in the same order (an edit that kept its place): no reset, so an open editor stays valid.
    if (!ids.empty())
      Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(ids.size()) - 1, ColumnCount - 1));
  } else {
    beginResetModel();
    rowIds_ = std::move(ids);
    endResetModel();
  }
  Q_EMIT documentChanged();
}

int AnnotationTableModel::rowOf(std::uint64_t id) const {
  if (!document_) return -1;
  const auto& entries = document_->entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

int AnnotationTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !document_ ? 0 : static_cast<int>(document_->size());
}

int AnnotationTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QString AnnotationTableModel::formatClock(double seconds) {
  const bool negative = seconds < 0;
  const double a = std::abs(seconds);
  const auto totalMs = static_cast<long long>(std::llround(a * 1000));
  const long long s = totalMs / 1000;
  return QString::asprintf("%s%lld:%02lld:%02lld.%03lld", negative ? "-" : "", s / 3600, s / 60 % 60, s % 60,
                           totalMs % 1000);
}

std::optional<double> AnnotationTableModel::parseSeconds(const QString& input) {
  QString text = input.trimmed();
  if (text.endsWith(QLatin1Char('s'))) text.chop(1);
  text = text.trimmed();
  if (text.isEmpty()) return std::nullopt;
  bool negative = false;
  if (text.startsWith(QLatin1Char('-'))) {
    negative = true;
    text.remove(0, 1);
  }
  const QStringList parts = text.split(QLatin1Char(':'));
  if (parts.size() > 3) return std::nullopt;
  double total = 0;
  for (int i = 0; i < parts.size(); ++i) {
    bool ok = false;
    const double v = parts[i].toDouble(&ok);
    // Hours and minutes are whole numbers; minutes and seconds below 60 when a larger unit is given.
    if (!ok || v < 0 || !std::isfinite(v)) return std::nullopt;
    if (i + 1 < parts.size() && v != std::floor(v)) return std::nullopt;
    if (i > 0 && v >= 60) return std::nullopt;
    total = total * 60 + v;
  }
  return negative ? -total : total;
}

QVariant AnnotationTableModel::data(const QModelIndex& index, int role) const {
  if (!document_ || !index.isValid() || index.row() >= rowCount()) return {};
  const AnnotationEntry& e = document_->entries()[static_cast<std::size_t>(index.row())];
  if (role == IdRole) return QVariant::fromValue<quint64>(e.id);
  if (role == OnsetRole) return e.onsetSec;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case OnsetColumn:
        return formatClock(e.onsetSec);
      case DurationColumn:
        return e.durationSec > 0 ? tr("%1 s").arg(e.durationSec) : QString();
      case TextColumn:
        return QString::fromStdString(e.text);
      case ChannelColumn:
        return e.channel.empty() ? tr("all") : QString::fromStdString(e.channel);
      case SourceColumn:
        switch (e.source) {
          case AnnotationSource::File:
            return tr("file");
          case AnnotationSource::User:
            return tr("user");
          case AnnotationSource::Imported:
            return tr("imported");
        }
    }
  }
  if (role == Qt::EditRole) {
    switch (index.column()) {
      case OnsetColumn:
        return formatClock(e.onsetSec);
      case DurationColumn:
        return QString::number(e.durationSec, 'g', 12);
      case TextColumn:
        return QString::fromStdString(e.text);
      case ChannelColumn:
        return QString::fromStdString(e.channel);
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && index.column() == OnsetColumn) {
    return tr("%1 s from the start of the recording").arg(e.onsetSec, 0, 'f', 3);
  }
  if (role == Qt::TextAlignmentRole && (index.column() == OnsetColumn || index.column() == DurationColumn)) {
    return QVariant::fromValue<int>(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant AnnotationTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case OnsetColumn:
      return tr("Onset");
    case DurationColumn:
      return tr("Duration");
    case TextColumn:
      return tr("Text");
    case ChannelColumn:
      return tr("Channel");
    case SourceColumn:
      return tr("Source");
    default:
      return {};
  }
}

Qt::ItemFlags AnnotationTableModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled;
  if (index.column() != SourceColumn) f |= Qt::ItemIsEditable;
  return f;
}

bool AnnotationTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!document_ || !index.isValid() || role != Qt::EditRole || index.row() >= rowCount()) return false;
  AnnotationEntry e = document_->entries()[static_cast<std::size_t>(index.row())];
  const QString text = value.toString();
  switch (index.column()) {
    case OnsetColumn: {
      const auto seconds = parseSeconds(text);
      if (!seconds) {
        Q_EMIT editRejected(tr("'%1' is not a time (seconds, or h:mm:ss)").arg(text));
        return false;
      }
      e.onsetSec = *seconds;
      break;
    }
    case DurationColumn: {
      const auto seconds = text.trimmed().isEmpty() ? std::optional<double>(0.0) : parseSeconds(text);
      if (!seconds || *seconds < 0) {
        Q_EMIT editRejected(tr("'%1' is not a duration (seconds >= 0)").arg(text));
        return false;
      }
      e.durationSec = *seconds;
      break;
    }
    case TextColumn:
      if (text.trimmed().isEmpty()) {
        Q_EMIT editRejected(tr("An annotation needs a text"));
        return false;
      }
      e.text = text.toStdString();
      break;
    case ChannelColumn:
      e.channel = text.trimmed().toStdString();
      break;
    default:
      return false;
  }
  try {
    document_->edit(e.id, e);
  } catch (const std::exception& ex) {
    Q_EMIT editRejected(QString::fromStdString(ex.what()));
    return false;
  }
  return true;
}

}  // namespace neurolm::widgets
