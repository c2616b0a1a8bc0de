// The annotations view-model: times as shown and as typed, edits as undoable document commands, rejected
// input.
#include <gtest/gtest.h>

#include <QApplication>
#include <QSignalSpy>

#include "common/QtApp.h"
#include "core/annotations/AnnotationDocument.h"
#include "widgets/annotations/AnnotationTableModel.h"

using namespace neurolm;
using widgets::AnnotationTableModel;

namespace {

using test::qtApp;

}  // namespace

TEST(AnnotationTableModel, ParsesAndFormatsTimes) {
  // Hand-worked: 1 h 2 min 3.5 s = 3723.5 s.
  EXPECT_EQ(AnnotationTableModel::parseSeconds(QStringLiteral("1:02:03.5")), 3723.5);
  EXPECT_EQ(AnnotationTableModel::parseSeconds(QStringLiteral("02:03.5")), 123.5);
  EXPECT_EQ(AnnotationTableModel::parseSeconds(QStringLiteral(" 62.25 s ")), 62.25);
  EXPECT_EQ(AnnotationTableModel::parseSeconds(QStringLiteral("-1.5")), -1.5);
  EXPECT_FALSE(AnnotationTableModel::parseSeconds(QStringLiteral("1:75")));    // minutes and seconds < 60
  EXPECT_FALSE(AnnotationTableModel::parseSeconds(QStringLiteral("1.5:00")));  // whole minutes
  EXPECT_FALSE(AnnotationTableModel::parseSeconds(QStringLiteral("abc")));
  EXPECT_FALSE(AnnotationTableModel::parseSeconds(QStringLiteral("1:2:3:4")));
  EXPECT_FALSE(AnnotationTableModel::parseSeconds(QString()));
  EXPECT_EQ(AnnotationTableModel::formatClock(3723.5), QStringLiteral("1:02:03.500"));
  EXPECT_EQ(AnnotationTableModel::formatClock(0.0004), QStringLiteral("0:00:00.000"));
  EXPECT_EQ(AnnotationTableModel::formatClock(59.9996),
            QStringLiteral("0:01:00.000"));  // rounded, then split
  EXPECT_EQ(AnnotationTableModel::formatClock(-2.25), QStringLiteral("-0:00:02.250"));
}

TEST(AnnotationTableModel, EditsAreDocumentCommandsAndBadInputIsRejected) {
  qtApp();
  AnnotationDocument doc;
  AnnotationEntry a;
  a.onsetSec = 10;
  a.durationSec = 30;
  a.text = "Sleep stage W";
  a.source = AnnotationSource::File;
  AnnotationEntry b = a;
  b.onsetSec = 40;
  b.text = "Sleep stage 1";
  doc.reset({a, b});
  AnnotationTableModel model;
  model.setDocument(&doc);
  ASSERT_EQ(model.rowCount(), 2);
  EXPECT_EQ(model.index(0, AnnotationTableModel::OnsetColumn).data().toString(),
            QStringLiteral("0:00:10.000"));
  EXPECT_EQ(model.index(0, AnnotationTableModel::ChannelColumn).data().toString(), QStringLiteral("all"));
  EXPECT_EQ(model.index(1, AnnotationTableModel::SourceColumn).data().toString(), QStringLiteral("file"));
  EXPECT_FALSE(model.flags(model.index(0, AnnotationTableModel::SourceColumn)) & Qt::ItemIsEditable);

  QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
  QSignalSpy rejected(&model, &AnnotationTableModel::editRejected);
  // Moving the first annotation after the second re-sorts the rows (a reset); its id follows it.
  const quint64 id = model.index(0, 0).data(AnnotationTableModel::IdRole).value<quint64>();
  ASSERT_TRUE(model.setData(model.index(0, AnnotationTableModel::OnsetColumn), QStringLiteral("0:01:00"),
                            Qt::EditRole));
  EXPECT_EQ(reset.count(), 1);
  EXPECT_EQ(model.rowOf(id), 1);
  EXPECT_DOUBLE_EQ(model.index(1, 0).data(AnnotationTableModel::OnsetRole).toDouble(), 60.0);
  // A text edit in place changes data without a reset.
  ASSERT_TRUE(
      model.setData(model.index(1, AnnotationTableModel::TextColumn), QStringLiteral("W"), Qt::EditRole));
  EXPECT_EQ(reset.count(), 1);
  EXPECT_EQ(doc.find(id)->text, "W");
  EXPECT_TRUE(model.setData(model.index(1, AnnotationTableModel::ChannelColumn), QStringLiteral(" Fp1 "),
                            Qt::EditRole));
  EXPECT_EQ(doc.find(id)->channel, "Fp1");

  EXPECT_FALSE(
      model.setData(model.index(1, AnnotationTableModel::OnsetColumn), QStringLiteral("soon"), Qt::EditRole));
  EXPECT_FALSE(model.setData(model.index(1, AnnotationTableModel::DurationColumn), QStringLiteral("-3"),
                             Qt::EditRole));
  EXPECT_FALSE(
      model.setData(model.index(1, AnnotationTableModel::TextColumn), QStringLiteral("  "), Qt::EditRole));
  EXPECT_EQ(rejected.count(), 3);
  EXPECT_EQ(doc.undoText(), "edit 'W'");  // the rejected edits made no command

  doc.undo();
  doc.undo();
  doc.undo();
  EXPECT_EQ(model.rowOf(id), 0);
  EXPECT_EQ(model.index(0, AnnotationTableModel::TextColumn).data().toString(),
            QStringLiteral("Sleep stage W"));
  model.setDocument(nullptr);
  EXPECT_EQ(model.rowCount(), 0);
}
