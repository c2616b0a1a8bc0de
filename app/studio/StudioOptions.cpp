#include "app/studio/StudioOptions.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace neurolm::app {

StudioOptions parseStudioOptions(const QStringList& arguments) {
  StudioOptions o;
  for (int i = 1; i < arguments.size(); ++i) {
    const QString& a = arguments[i];
    if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
      o.showHelp = true;
    } else if (a == QLatin1String("--lang") || a == QLatin1String("--screenshot") ||
               a == QLatin1String("--model") || a == QLatin1String("--tokenizer")) {
      if (i + 1 >= arguments.size()) {
        o.error = QCoreApplication::translate("StudioOptions", "%1 needs a value").arg(a);
        return o;
      }
      QString& target = a == QLatin1String("--lang")         ? o.language
                        : a == QLatin1String("--screenshot") ? o.screenshotPath
                        : a == QLatin1String("--model")      ? o.modelPath
                                                             : o.tokenizerPath;
      target = arguments[++i];
    } else if (a.startsWith(QLatin1String("--"))) {
      o.error = QCoreApplication::translate("StudioOptions", "unknown option %1").arg(a);
      return o;
    } else if (o.file.isEmpty()) {
      o.file = a;
    } else {
      o.error = QCoreApplication::translate("StudioOptions", "more than one file given");
      return o;
    }
  }
  if (!o.tokenizerPath.isEmpty() && o.modelPath.isEmpty() && o.error.isEmpty())
    o.error = QCoreApplication::translate("StudioOptions", "--tokenizer needs --model");
  return o;
}

QString resourcesDir() {
  // Installed layout first (<prefix>/share/neurolm-studio), then the source tree the binary was built from.
  const QDir exe(QCoreApplication::applicationDirPath());
  const QString installed = exe.absoluteFilePath(QStringLiteral("../share/neurolm-studio"));
  if (QFileInfo::exists(installed)) return installed;
  return QStringLiteral(NEUROLM_RESOURCES_DIR);
}

QString sampleRecordingPath() { return resourcesDir() + QStringLiteral("/sample/Subject00_2.edf"); }

}  // namespace neurolm::app
