#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>
#include <cstdio>

#include "app/studio/MainWindow.h"
#include "app/studio/ModelHost.h"
#include "app/studio/SessionSettings.h"
#include "app/studio/StudioOptions.h"
#include "core/system/OpenMpWait.h"
#include "widgets/tokens/TokenLane.h"
#include "widgets/traces/TraceView.h"

NEUROLM_PASSIVE_OPENMP_WAIT_BY_DEFAULT();  // the engine's thread pools (core/system/OpenMpWait.h)

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("NeuroLM Studio"));
  QApplication::setOrganizationName(QStringLiteral("NeuroLM Studio"));
  QApplication::setApplicationVersion(QStringLiteral(NEUROLM_VERSION));
  const auto options = neurolm::app::parseStudioOptions(QApplication::arguments());

  QTranslator translator;
  const QLocale locale = options.language.isEmpty() ? QLocale() : QLocale(options.language);
  if (translator.load(locale, QStringLiteral("neurolm"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
    QApplication::installTranslator(&translator);
  }
  QTranslator qtTranslator;
  if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                        QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QApplication::installTranslator(&qtTranslator);
  }

  if (!options.error.isEmpty() || options.showHelp) {
    std::fprintf(options.showHelp ? stdout : stderr, "%s%s\n",
                 options.error.isEmpty() ? "" : qPrintable(options.error + QLatin1Char('\n')),
                 qPrintable(QApplication::translate(
                     "main", "usage: neurolm-studio [FILE] [--lang LOCALE] [--model NEUROLM [--tokenizer VQ]]\n"
                             "                      [--screenshot PNG]\n"
                             "  FILE            EDF/EDF+/BDF/BDF+ recording (default: the embedded sample)\n"
                             "  --lang LOCALE   user interface language, e.g. zh_CN\n"
                             "  --model PATH    NeuroLM model for the chat (default: the embedded model)\n"
                             "  --tokenizer P   its VQ tokenizer (optional)\n"
                             "  --screenshot P  save the window with its first page to P and quit")));
    return options.showHelp ? 0 : 2;
  }

  neurolm::app::MainWindow window;
  // Layout, recent files and preferences of the last run (not for screenshots: they show the defaults).
  if (options.screenshotPath.isEmpty()) new neurolm::app::SessionSettings(&window);
  window.show();
  const QString file = options.file.isEmpty() ? neurolm::app::sampleRecordingPath() : options.file;
  window.openFile(file);
  if (!options.modelPath.isEmpty()) {
    window.modelHost()->load(options.modelPath, options.tokenizerPath);
  } else {
    window.modelHost()->loadDefault();  // the chat says how to load one when it is not there
  }

  if (!options.screenshotPath.isEmpty()) {
    const QString out = options.screenshotPath;
    auto save = [&window, out]() {
      const bool ok = window.grab().save(out);
      std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "screenshot saved to" : "cannot write", qPrintable(out));
      QApplication::exit(ok ? 0 : 1);
    };
    // After the first page is drawn and, when a model is loading, once it has loaded and the token lane has
    // its codes (or either failed): the picture shows what a user sees a moment after the start.
    auto* poll = new QTimer(&window);
    poll->setInterval(100);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, save]() {
      using State = neurolm::widgets::TokenLane::State;
      const State lane = window.tokenLane()->state();
      if (window.modelHost()->isLoading() || lane == State::Running) return;
      poll->stop();
      poll->deleteLater();  // later pages do not start it again
      QTimer::singleShot(300, save);
    });
    QObject::connect(window.traceView(), &neurolm::widgets::TraceView::pageRendered, poll,
                     [poll]() { poll->start(); });
    QObject::connect(&window, &neurolm::app::MainWindow::openFailed, &window, [save]() { save(); });
    QTimer::singleShot(60000, save);  // never hang a headless run
  }
  return app.exec();
}
