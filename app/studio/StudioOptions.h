#pragma once
// Command line of neurolm-studio and where its resources live.
#include <QString>
#include <QStringList>

namespace neurolm::app {

struct StudioOptions {
  QString file;            // recording to open; empty = the embedded sample
  QString language;        // e.g. "zh_CN"; empty = system locale
  QString screenshotPath;  // render the first page, save the window as PNG, quit
  QString modelPath;       // NeuroLM to load for the chat; empty = the embedded model when it exists
  QString tokenizerPath;   // VQ tokenizer beside it (optional)
  bool showHelp = false;
  QString error;           // parse error, if any
};

StudioOptions parseStudioOptions(const QStringList& arguments);
QString resourcesDir();
QString sampleRecordingPath();

}  // namespace neurolm::app
