# Warnings as errors for our own code only (third-party headers are system includes).
function(neurolm_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter
                         -Wno-restrict -Wno-stringop-overflow -Wno-array-bounds)  # GCC 12 false positives in std::string (PR 105329)
endfunction()

# Sources of a layer folder, so that new files need no CMake edit.
function(neurolm_glob_sources out dir)
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${dir}/*.cpp ${dir}/*.h)
  set(${out} ${_srcs} PARENT_SCOPE)
endfunction()
