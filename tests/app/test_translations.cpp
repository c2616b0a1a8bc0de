#include <gtest/gtest.h>

#include <QApplication>
#include <QFile>
#include <QMenuBar>
#include <QTranslator>
#include <QXmlStreamReader>

#include "app/studio/MainWindow.h"
#include "common/TestPaths.h"

using namespace neurolm;

TEST(Translations, ZhCnIsCompleteInTheSourceFile) {
  QFile file(QString::fromStdString((test::testsDir() / ".." / "translations" / "neurolm_zh_CN.ts").string()));
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&file);
  int messages = 0;
  QString source;
  while (!xml.atEnd()) {
    xml.readNext();
    if (!xml.isStartElement()) continue;
    if (xml.name() == QLatin1String("source")) source = xml.readElementText();
    if (xml.name() == QLatin1String("message")) ++messages;
    if (xml.name() == QLatin1String("translation")) {
      const auto type = xml.attributes().value(QLatin1String("type")).toString();
      EXPECT_NE(type, QStringLiteral("unfinished")) << source.toStdString();
      EXPECT_NE(type, QStringLiteral("vanished")) << source.toStdString();
      const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
      EXPECT_FALSE(text.trimmed().isEmpty()) << "untranslated: " << source.toStdString();
    }
  }
  ASSERT_FALSE(xml.hasError()) << xml.errorString().toStdString();
  EXPECT_GE(messages, 30);
}

TEST(Translations, CompiledZhCnIsEmbeddedAndUsedByTheWindow) {
  static int argc = 1;
  static char name[] = "app_tests";
  static char* argv[] = {name, nullptr};
  if (!qApp) new QApplication(argc, argv);
  QTranslator translator;
  ASSERT_TRUE(translator.load(QLocale(QStringLiteral("zh_CN")), QStringLiteral("neurolm"), QStringLiteral("_"),
                              QStringLiteral(":/i18n")));
  QApplication::installTranslator(&translator);
  {
    app::MainWindow window;
    const auto menus = window.menuBar()->actions();
    ASSERT_FALSE(menus.isEmpty());
    EXPECT_EQ(menus.first()->text(), QStringLiteral("文件(&F)"));
  }
  QApplication::removeTranslator(&translator);
}
