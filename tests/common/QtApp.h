#pragma once
// The QApplication of a GUI test executable (offscreen: QT_QPA_PLATFORM is set by CTest), made on first use.
#include <QApplication>

namespace neurolm::test {

inline QApplication& qtApp() {
  static int argc = 1;
  static char name[] = "neurolm_gui_tests";
  static char* argv[] = {name, nullptr};
  if (!qApp) new QApplication(argc, argv);
  return *qApp;
}

}  // namespace neurolm::test
