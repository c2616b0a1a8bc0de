#pragma once
// Runs the built `neurolm` CLI from a Qt test: returns its stdout and fails the test on a non-zero exit.
#include <gtest/gtest.h>

#include <QProcess>
#include <QStringList>
#include <string>

#include "common/TestPaths.h"

namespace neurolm::test {

inline std::string runNeurolm(const QStringList& args) {
  QProcess p;
  p.start(QString::fromStdString((binDir() / "neurolm").string()), args);
  EXPECT_TRUE(p.waitForFinished(120000));
  EXPECT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
  return p.readAllStandardOutput().toStdString();
}

}  // namespace neurolm::test
