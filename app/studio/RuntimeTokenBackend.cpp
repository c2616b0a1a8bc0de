#include "app/studio/RuntimeTokenBackend.h"

#include <QCryptographicHash>
#include <QStandardPaths>
#include <QString>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/AtomicFile.h"
#include "core/preprocess/NeuroLmPreprocess.h"
#include "models/runtime/InferenceRuntime.h"

namespace neurolm::app {
namespace fs = std::filesystem;
namespace {

constexpr int kCacheFormat = 1;

// path + size + modification time: a changed or replaced file gets a new key.
std::string fileIdentity(const fs::path& path) {
  const fs::path canonical = fs::canonical(path);
  const auto mtime = fs::last_write_time(canonical).time_since_epoch();
  return canonical.string() + "|" + std::to_string(fs::file_size(canonical)) + "|" +
         std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(mtime).count());
}

}  // namespace

RuntimeTokenBackend::RuntimeTokenBackend(std::shared_ptr<runtime::InferenceRuntime> runtime,
                                         fs::path cacheDir)
    : runtime_(std::move(runtime)), cacheDir_(std::move(cacheDir)),
      paddedLength_(preprocess::kInstructionPaddedLength) {
  if (!runtime_ || !runtime_->hasTokenizer())
    throw std::invalid_argument("the token lane needs a VQ tokenizer file (none loaded)");
  const auto summary = runtime_->tokenizerSummary();
  tokenizerPath_ = summary->path;
  maxWindowSec_ = static_cast<std::size_t>(std::max(0, summary->trainedWindowSec));
  try {
    const auto config = nlohmann::json::parse(summary->config);
    codebookSize_ = config.at("quantizer").at("n_embed").get<std::int64_t>();
  } catch (const std::exception&) {
    codebookSize_ = 8192;  // the official codebook; only shown, codes come from the model
  }
  if (cacheDir_.empty()) {
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    cacheDir_ = fs::path(base.toStdString()) / "token-cache";
  }
}

std::string RuntimeTokenBackend::description() const {
  return "tokenizer " + tokenizerPath_.string() + " (" + runtime_->deviceDescription() + ")";
}

fs::path RuntimeTokenBackend::cachePath(const fs::path& recording) const {
  const std::string key = "neurolm-tokens-v" + std::to_string(kCacheFormat) + "\n" + fileIdentity(recording) +
                          "\n" + fileIdentity(tokenizerPath_) + "\npad " + std::to_string(paddedLength_) +
                          (maxWindowSec_ > 0 ? "\nwindow " + std::to_string(maxWindowSec_) : std::string());
  const QByteArray hash =
      QCryptographicHash::hash(QByteArray::fromStdString(key), QCryptographicHash::Sha256).toHex();
  return cacheDir_ / (hash.left(32).toStdString() + ".json");
}

std::vector<runtime::TimeRange> RuntimeTokenBackend::windowsFor(const runtime::EegSource& source,
                                                                std::size_t paddedLength,
                                                                std::size_t maxWindowSec) {
  std::size_t fits = source.maxWindowSec(paddedLength);
  if (maxWindowSec > 0 && fits > maxWindowSec) fits = maxWindowSec;
  const double longest = static_cast<double>(fits);
  const double total = std::floor(source.durationSec() + 1e-9);
  if (longest < 1) throw std::invalid_argument(source.path().string() + ": too many channels for one window");
  if (total < 1) throw std::invalid_argument(source.path().string() + ": shorter than one 1-s patch");
  std::vector<runtime::TimeRange> windows;
  for (double start = 0; start < total; start += longest) windows.push_back({start, std::min(total, start + longest)});
  return windows;
}

namespace {

nlohmann::json toJson(const widgets::TokenGrid& g, const fs::path& recording, const fs::path& tokenizer) {
  return {{"format", kCacheFormat},        {"recording", recording.string()},
          {"tokenizer", tokenizer.string()}, {"channels", g.channels},
          {"source_labels", g.sourceLabels}, {"seconds", g.seconds},
          {"codebook_size", g.codebookSize}, {"window_sec", g.windowSec},
          {"padded_length", g.paddedLength}, {"codes", g.codes}};
}

// The cached grid, or nothing when there is no cache file or it does not read as one (then it is rewritten).
std::optional<widgets::TokenGrid> readCache(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.at("format").get<int>() != kCacheFormat) return std::nullopt;
    widgets::TokenGrid g;
    g.channels = j.at("channels").get<std::vector<std::string>>();
    g.sourceLabels = j.at("source_labels").get<std::vector<std::string>>();
    g.seconds = j.at("seconds").get<std::size_t>();
    g.codebookSize = j.at("codebook_size").get<std::int64_t>();
    g.windowSec = j.at("window_sec").get<std::size_t>();
    g.paddedLength = j.at("padded_length").get<std::size_t>();
    g.codes = j.at("codes").get<std::vector<std::int32_t>>();
    if (g.sourceLabels.size() != g.channels.size() || g.codes.size() != g.channels.size() * g.seconds)
      return std::nullopt;
    return g;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

widgets::TokenGrid RuntimeTokenBackend::tokenize(const fs::path& path, const std::function<bool(double)>& progress) {
  const auto report = [&](double f) {
    if (progress && !progress(f)) throw widgets::TokenizeCancelled();
  };
  const fs::path cacheFile = cachePath(path);
  if (auto cached = readCache(cacheFile)) {
    report(1);
    return *cached;
  }
  report(0);
  // Spec §1: the whole recording preprocessed once (channels the model knows, band-pass, notch, 200 Hz);
  // the first 20 % of the progress bar.
  runtime::EegSourceOptions options;
  options.progress = [&](double f) { return !progress || progress(0.2 * f); };
  std::optional<runtime::EegSource> source;
  try {
    source.emplace(runtime::EegSource::openRecording(path, options));
  } catch (const preprocess::PreprocessCancelled&) {
    throw widgets::TokenizeCancelled();
  }
  const auto windows = windowsFor(*source, paddedLength_, maxWindowSec_);
  widgets::TokenGrid grid;
  grid.channels = source->modelNames();
  grid.sourceLabels = source->sourceLabels();
  grid.seconds = static_cast<std::size_t>(std::lround(windows.back().endSec));
  grid.codebookSize = codebookSize_;
  grid.windowSec = static_cast<std::size_t>(std::lround(windows.front().lengthSec()));
  grid.paddedLength = paddedLength_;
  grid.codes.assign(grid.channels.size() * grid.seconds, -1);
  const std::size_t n = grid.channels.size();
  for (std::size_t k = 0; k < windows.size(); ++k) {
    report(0.2 + 0.8 * static_cast<double>(k) / static_cast<double>(windows.size()));
    runtime::RequestId id = 0;
    auto future = runtime_->tokenize(source->window(windows[k], paddedLength_), &id);
    ++requests_;
    // Waits on the runtime's worker, still answering Cancel: a cancelled request is dropped there.
    while (future.wait_for(std::chrono::milliseconds(40)) != std::future_status::ready) {
      if (progress && !progress(0.2 + 0.8 * static_cast<double>(k) / static_cast<double>(windows.size()))) {
        runtime_->cancel(id);
        throw widgets::TokenizeCancelled();
      }
    }
    const runtime::TokenizeResult r = future.get();
    if (r.codes.empty())
      throw std::runtime_error(tokenizerPath_.string() + ": the tokenizer gave no codes for " + path.string());
    const auto first = static_cast<std::size_t>(std::lround(windows[k].startSec));
    // codes are time-major: token a·N + n is channel n of second a of the window
    for (std::size_t p = 0; p < r.codes.size(); ++p)
      grid.codes[(p % n) * grid.seconds + first + p / n] = static_cast<std::int32_t>(r.codes[p]);
  }
  report(1);
  // Written only when complete (a cancel above leaves no file); atomically, so a crash leaves no half file.
  fs::create_directories(cacheDir_);
  writeFileAtomically(cacheFile, toJson(grid, path, tokenizerPath_).dump());
  return grid;
}

struct RuntimeTokenBackend::SpectrumWindow {
  std::size_t index = 0;  // in windowsFor(source)
  runtime::TimeRange range;
  runtime::PatchSpectraResult spectra;
};

widgets::PatchSpectrum RuntimeTokenBackend::patchSpectrum(const fs::path& path, std::size_t channel,
                                                          std::size_t second) {
  std::lock_guard lock(spectrumMutex_);
  const std::string identity = fileIdentity(path);
  if (!spectrumSource_ || identity != spectrumRecording_) {
    spectrumSource_.reset();
    spectrumWindow_.reset();
    spectrumSource_ = std::make_shared<const runtime::EegSource>(runtime::EegSource::openRecording(path));
    spectrumRecording_ = identity;
  }
  const runtime::EegSource& source = *spectrumSource_;
  const std::size_t n = source.modelNames().size();
  const auto windows = windowsFor(source, paddedLength_, maxWindowSec_);
  if (channel >= n)
    throw std::out_of_range(path.string() + ": channel row " + std::to_string(channel) + " of " +
                            std::to_string(n) + " the tokenizer knows");
  std::size_t k = 0;
  while (k < windows.size() && static_cast<double>(second) >= windows[k].endSec) ++k;
  if (k == windows.size())
    throw std::out_of_range(path.string() + ": second " + std::to_string(second) + " is outside its " +
                            std::to_string(std::lround(windows.back().endSec)) + " whole seconds");
  if (!spectrumWindow_ || spectrumWindow_->index != k) {
    spectrumWindow_.reset();
    auto future = runtime_->patchSpectra(source.window(windows[k], paddedLength_));
    ++spectrumRequests_;
    auto w = std::make_shared<SpectrumWindow>();
    w->index = k;
    w->range = windows[k];
    try {
      w->spectra = future.get();
    } catch (const runtime::NoSpectrumDecoder& e) {
      widgets::PatchSpectrum none;
      none.unavailable = e.what();
      return none;
    }
    spectrumWindow_ = std::move(w);
  }
  const SpectrumWindow& w = *spectrumWindow_;
  const runtime::PatchSpectraResult& r = w.spectra;
  // time-major: token a·N + n is channel n of second a of the window
  const std::size_t row = (second - static_cast<std::size_t>(std::lround(w.range.startSec))) * n + channel;
  const std::size_t bins = r.binCount;
  if (r.channelCount != n || (row + 1) * bins > r.real.size())
    throw std::runtime_error(tokenizerPath_.string() + ": the spectra of " + path.string() +
                             " do not cover channel row " + std::to_string(channel) + " at second " +
                             std::to_string(second));
  widgets::PatchSpectrum out;
  for (std::size_t b = 0; b < bins; ++b) out.frequenciesHz.push_back(static_cast<double>(b));  // bin k = k Hz
  out.real.assign(r.real.begin() + row * bins, r.real.begin() + (row + 1) * bins);
  out.reconstructed.assign(r.reconstructed.begin() + row * bins, r.reconstructed.begin() + (row + 1) * bins);
  out.code = static_cast<std::int32_t>(r.codes[row]);
  out.windowStartSec = w.range.startSec;
  out.windowEndSec = w.range.endSec;
  // Model units are µV / 100 and the DFT is linear: ×100 gives the |DFT| of the µV signal.
  out.amplitudeMeanUv = r.amplitudeMean * preprocess::kModelInputScaleUv;
  out.amplitudeStdUv = r.amplitudeStd * preprocess::kModelInputScaleUv;
  return out;
}

}  // namespace neurolm::app
