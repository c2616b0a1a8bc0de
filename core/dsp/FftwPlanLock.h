#pragma once
// FFTW's planner (fftw_plan_*, fftw_destroy_plan) is not thread-safe; only fftw_execute* is. Every piece of
// the project that creates or destroys an FFTW plan takes this one process-wide mutex first.
#include <mutex>

namespace neurolm::dsp {

inline std::mutex& fftwPlanMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace neurolm::dsp
