#pragma once
// Text taken from a file, made safe for an error message: control bytes become \xNN (a NUL would end it).
#include <string>
#include <string_view>

namespace neurolm {

std::string escapeControlBytes(std::string_view text);

}  // namespace neurolm
