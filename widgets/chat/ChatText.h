#pragma once
// Small text helpers shared by the chat pane's source files.
#include <QString>
#include <cmath>

namespace neurolm::widgets {

// Seconds as the chat writes them: whole seconds without decimals, others with two.
inline QString secondsText(double s) { return QString::number(s, 'f', s == std::floor(s) ? 0 : 2); }

}  // namespace neurolm::widgets
