#pragma once
// A real-to-complex / complex-to-real FFT pair of one length, planned once (FFTW_ESTIMATE: deterministic and
// without overwriting data while planning) and executed on caller buffers, so one RealFft can be shared by
// many threads. Unnormalised like FFTW: inverse(forward(x)) = n·x.
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

namespace neurolm::dsp {

// Buffer from fftw_malloc (SIMD-aligned, as the new-array execute functions require).
template <typename T>
class FftwBuffer {
 public:
  FftwBuffer() = default;
  explicit FftwBuffer(std::size_t count);
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_.get()[i]; }
  const T& operator[](std::size_t i) const { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const;
  };
  std::unique_ptr<T, Free> data_;
  std::size_t size_ = 0;
};

class RealFft {
 public:
  explicit RealFft(std::size_t length);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  std::size_t length() const { return length_; }
  std::size_t binCount() const { return length_ / 2 + 1; }

  // in: length() reals, out: binCount() bins. Both from FftwBuffer. Thread-safe.
  void forward(double* in, std::complex<double>* out) const;
  // in: binCount() bins (destroyed), out: length() reals. Thread-safe.
  void inverse(std::complex<double>* in, double* out) const;

 private:
  std::size_t length_;
  void* forwardPlan_ = nullptr;  // fftw_plan
  void* inversePlan_ = nullptr;
};

// One shared RealFft per length for the whole process (plans are cheap to keep, costly to rebuild).
std::shared_ptr<const RealFft> sharedRealFft(std::size_t length);

// A forward complex DFT of one length (FFTW_ESTIMATE, out of place: the input is kept), executed on caller
// buffers from FftwBuffer; one can be shared by many threads. Two real signals x, y of the same length go
// through one transform as x + iy (Welch does this for pairs of segments: one complex transform of n points
// costs less than two real ones here).
class ComplexFft {
 public:
  explicit ComplexFft(std::size_t length);
  ~ComplexFft();
  ComplexFft(const ComplexFft&) = delete;
  ComplexFft& operator=(const ComplexFft&) = delete;

  std::size_t length() const { return length_; }
  // in, out: length() values each, distinct buffers. Thread-safe.
  void forward(std::complex<double>* in, std::complex<double>* out) const;

 private:
  std::size_t length_;
  void* plan_ = nullptr;  // fftw_plan
};

std::shared_ptr<const ComplexFft> sharedComplexFft(std::size_t length);

}  // namespace neurolm::dsp
