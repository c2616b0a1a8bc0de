#include "core/dsp/RealFft.h"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

#include "core/dsp/FftwPlanLock.h"

namespace neurolm::dsp {

template <typename T>
FftwBuffer<T>::FftwBuffer(std::size_t count) : size_(count) {
  if (count == 0) return;
  void* raw = fftw_malloc(sizeof(T) * count);
  if (raw == nullptr) throw std::bad_alloc();
  data_.reset(static_cast<T*>(raw));
}

template <typename T>
void FftwBuffer<T>::Free::operator()(T* p) const {
  fftw_free(p);
}

template class FftwBuffer<double>;
template class FftwBuffer<std::complex<double>>;

RealFft::RealFft(std::size_t length) : length_(length) {
  if (length == 0 || length > static_cast<std::size_t>(1) << 30)
    throw std::invalid_argument("RealFft: unsupported FFT length " + std::to_string(length));
  // Planning needs arrays of the right alignment; FFTW_ESTIMATE does not touch their contents.
  FftwBuffer<double> real(length);
  FftwBuffer<std::complex<double>> spectrum(binCount());
  auto* bins = reinterpret_cast<fftw_complex*>(spectrum.data());
  const int n = static_cast<int>(length);
  std::lock_guard lock(fftwPlanMutex());
  forwardPlan_ = fftw_plan_dft_r2c_1d(n, real.data(), bins, FFTW_ESTIMATE);
  inversePlan_ = fftw_plan_dft_c2r_1d(n, bins, real.data(), FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  if (forwardPlan_ == nullptr || inversePlan_ == nullptr) {
    if (forwardPlan_ != nullptr) fftw_destroy_plan(static_cast<fftw_plan>(forwardPlan_));
    if (inversePlan_ != nullptr) fftw_destroy_plan(static_cast<fftw_plan>(inversePlan_));
    throw std::runtime_error("RealFft: FFTW could not plan a transform of length " + std::to_string(length));
  }
}

RealFft::~RealFft() {
  std::lock_guard lock(fftwPlanMutex());
  fftw_destroy_plan(static_cast<fftw_plan>(forwardPlan_));
  fftw_destroy_plan(static_cast<fftw_plan>(inversePlan_));
}

void RealFft::forward(double* in, std::complex<double>* out) const {
  fftw_execute_dft_r2c(static_cast<fftw_plan>(forwardPlan_), in, reinterpret_cast<fftw_complex*>(out));
}

void RealFft::inverse(std::complex<double>* in, double* out) const {
  fftw_execute_dft_c2r(static_cast<fftw_plan>(inversePlan_), reinterpret_cast<fftw_complex*>(in), out);
}

std::shared_ptr<const RealFft> sharedRealFft(std::size_t length) {
  static std::mutex cacheMutex;
  static std::map<std::size_t, std::shared_ptr<const RealFft>> cache;
  std::lock_guard lock(cacheMutex);
  if (cache.size() > 64) {  // recordings of many different lengths: forget plans nobody holds
    std::erase_if(cache, [](const auto& entry) { return entry.second.use_count() == 1; });
  }
  auto& slot = cache[length];
  if (!slot) slot = std::make_shared<const RealFft>(length);
  return slot;
}

ComplexFft::ComplexFft(std::size_t length) : length_(length) {
  if (length == 0 || length > static_cast<std::size_t>(1) << 30)
    throw std::invalid_argument("ComplexFft: unsupported FFT length " + std::to_string(length));
  FftwBuffer<std::complex<double>> in(length), out(length);
  std::lock_guard lock(fftwPlanMutex());
  plan_ = fftw_plan_dft_1d(static_cast<int>(length), reinterpret_cast<fftw_complex*>(in.data()),
                           reinterpret_cast<fftw_complex*>(out.data()), FFTW_FORWARD, FFTW_ESTIMATE);
  if (plan_ == nullptr)
    throw std::runtime_error("ComplexFft: FFTW could not plan a transform of length " +
                             std::to_string(length));
}

ComplexFft::~ComplexFft() {
  std::lock_guard lock(fftwPlanMutex());
  fftw_destroy_plan(static_cast<fftw_plan>(plan_));
}

void ComplexFft::forward(std::complex<double>* in, std::complex<double>* out) const {
  fftw_execute_dft(static_cast<fftw_plan>(plan_), reinterpret_cast<fftw_complex*>(in),
                   reinterpret_cast<fftw_complex*>(out));
}

std::shared_ptr<const ComplexFft> sharedComplexFft(std::size_t length) {
  static std::mutex cacheMutex;
  static std::map<std::size_t, std::shared_ptr<const ComplexFft>> cache;
  std::lock_guard lock(cacheMutex);
  if (cache.size() > 64) {
    std::erase_if(cache, [](const auto& entry) { return entry.second.use_count() == 1; });
  }
  auto& slot = cache[length];
  if (!slot) slot = std::make_shared<const ComplexFft>(length);
  return slot;
}

}  // namespace neurolm::dsp
