// Recording benchmark: a synthetic 24-h, 64-channel, 256-Hz EDF (~2.8 GB) and an EDF+C variant with 1,440
// annotations, written here into a temporary folder (removed at the end), then: open to first page, random
// pages, a 1-h envelope from the pyramid, pyramid build throughput and peak RSS — each against a reference
// measured in the same run (EDFlib on the same files, or a plain sequential read). Medians of `--reps` runs.
//
//   build-bench/bin/bench_recording [--dir DIR] [--reps N] [--keep]
//
// Page cache: "cold" runs evict the file from the page cache first with posix_fadvise(POSIX_FADV_DONTNEED)
// (clean pages; no root needed) and print the resident fraction measured with mincore(); "warm" runs follow a
// full read of the file. Never fails: a slow machine prints slow numbers.
#include <edflib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/Recording.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kChannels = 64;
constexpr int kRateHz = 256;
constexpr std::int64_t kRecords = 24 * 3600;  // 1-s data records
constexpr int kPageSec = 10;
constexpr int kAnnotationSamples = 60;  // 120 bytes of TALs per record
constexpr double kPhysMaxUv = 3276.7;   // +-32767 digital -> 0.1 uV per step

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

std::string field(std::string v, std::size_t width) {
  v.resize(width, ' ');
  return v;
}

// ---- writer: streaming, large buffered writes, deterministic EEG-like content ----------------------------

// Per channel: four rhythms (delta, theta, alpha, beta) with channel-dependent amplitude and phase, a slow
// amplitude modulation per record and white noise. The rhythm frequencies are multiples of 0.1 Hz, so one 10-s
// table per channel holds them exactly.
class EegLikeSignal {
 public:
  EegLikeSignal() : table_(static_cast<std::size_t>(kChannels) * kTableLen) {
    const double freqs[4] = {1.7, 6.3, 9.8, 21.4};
    const double amps[4] = {40, 15, 30, 6};
    for (int c = 0; c < kChannels; ++c) {
      for (int i = 0; i < kTableLen; ++i) {
        const double t = static_cast<double>(i) / kRateHz;
        double v = 0;
        for (int k = 0; k < 4; ++k) {
          const double gain = amps[k] * (0.6 + 0.8 * std::fmod(0.37 * (c + 1) * (k + 1), 1.0));
          v += gain * std::sin(2 * M_PI * freqs[k] * t + 0.41 * c * (k + 1));
        }
        table_[static_cast<std::size_t>(c) * kTableLen + static_cast<std::size_t>(i)] = static_cast<float>(v);
      }
    }
  }
  // Digital samples (0.1 uV steps) of channel c in data record r.
  void record(int c, std::int64_t r, std::int16_t* out) {
    const float modulation = static_cast<float>(1.0 + 0.35 * std::sin(2 * M_PI * static_cast<double>(r) / (97.0 + c)));
    const float* tab = table_.data() + static_cast<std::size_t>(c) * kTableLen +
                       static_cast<std::size_t>((r % (kTableLen / kRateHz)) * kRateHz);
    for (int k = 0; k < kRateHz; ++k) {
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      const float noise = static_cast<float>(static_cast<std::int32_t>(rng_ >> 40) - (1 << 23)) * (8.0f / (1 << 23));
      const float uv = modulation * tab[k] + noise;
      out[k] = static_cast<std::int16_t>(std::lround(std::clamp(uv * 10.0f, -32767.0f, 32767.0f)));
    }
  }

 private:
  static constexpr int kTableLen = 10 * kRateHz;
  std::vector<float> table_;
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;
};

std::string tal(const std::string& onset, const std::string& duration, const std::string& text) {
  std::string s = onset;
  if (!duration.empty()) s += '\x15' + duration;
  s += '\x14';
  s += text;
  s += '\x14';
  s += '\0';
  return s;
}

// Writes the plain EDF (plus = false) or the EDF+C with an annotation signal last and one annotation per minute.
void writeBenchEdf(const fs::path& path, bool plus) {
  const int ns = kChannels + (plus ? 1 : 0);
  std::string h;
  h += field("0", 8) + field("X X X X", 80) + field("Startdate 01-DEC-2026 X X X", 80) + "01.12.26" + "08.00.00";
  h += field(std::to_string(256 * (ns + 1)), 8) + field(plus ? "EDF+C" : "", 44) +
       field(std::to_string(kRecords), 8) + field("1", 8) + field(std::to_string(ns), 4);
  auto each = [&](const std::function<std::string(int)>& f, std::size_t w) {
    for (int i = 0; i < ns; ++i) h += field(f(i), w);
  };
  auto isAnn = [&](int i) { return plus && i == kChannels; };
  each([&](int i) { return isAnn(i) ? std::string("EDF Annotations") : "EEG " + std::to_string(i + 1); }, 16);
  each([&](int i) { return isAnn(i) ? std::string() : std::string("AgAgCl electrode"); }, 80);
  each([&](int i) { return isAnn(i) ? std::string() : std::string("uV"); }, 8);
  each([&](int i) { return isAnn(i) ? std::string("-1") : std::string("-3276.7"); }, 8);
  each([&](int i) { return isAnn(i) ? std::string("1") : std::string("3276.7"); }, 8);
  each([&](int i) { return isAnn(i) ? std::string("-32768") : std::string("-32767"); }, 8);
  each([&](int i) { return std::string("32767"); }, 8);
  each([&](int i) { return isAnn(i) ? std::string() : std::string("HP:0.1Hz LP:70Hz"); }, 80);
  each([&](int i) { return std::to_string(isAnn(i) ? kAnnotationSamples : kRateHz); }, 8);
  each([&](int) { return std::string(); }, 32);

  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot create: " + std::strerror(errno));
  auto writeAll = [&](const char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(path.string() + ": write failed: " + std::strerror(errno));
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  };
  writeAll(h.data(), h.size());
  const std::size_t dataBytes = static_cast<std::size_t>(kChannels) * kRateHz * 2;
  const std::size_t annBytes = plus ? static_cast<std::size_t>(kAnnotationSamples) * 2 : 0;
  const std::size_t recordBytes = dataBytes + annBytes;
  constexpr std::int64_t kRecordsPerWrite = 512;  // 16 MiB per write
  std::vector<char> buf(static_cast<std::size_t>(kRecordsPerWrite) * recordBytes);
  EegLikeSignal signal;
  for (std::int64_t r0 = 0; r0 < kRecords; r0 += kRecordsPerWrite) {
    const std::int64_t n = std::min(kRecordsPerWrite, kRecords - r0);
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t r = r0 + k;
      char* rec = buf.data() + static_cast<std::size_t>(k) * recordBytes;
      for (int c = 0; c < kChannels; ++c) {
        std::int16_t samples[kRateHz];
        signal.record(c, r, samples);
        std::memcpy(rec + static_cast<std::size_t>(c) * kRateHz * 2, samples, sizeof samples);  // little endian
      }
      if (plus) {
        std::string a = tal("+" + std::to_string(r), "", "");
        if (r % 60 == 0) a += tal("+" + std::to_string(r) + ".25", "2", "marker " + std::to_string(r / 60 + 1));
        std::memset(rec + dataBytes, 0, annBytes);
        std::memcpy(rec + dataBytes, a.data(), std::min(a.size(), annBytes));
      }
    }
    writeAll(buf.data(), static_cast<std::size_t>(n) * recordBytes);
  }
  ::fsync(fd);
  ::close(fd);
}

// Writes in a child process, so that the writer's buffers never count towards this process's peak RSS.
void writeInChild(const fs::path& path, bool plus) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    try {
      writeBenchEdf(path, plus);
      ::_exit(0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      ::_exit(1);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("writing " + path.string() + " failed");
}

// ---- page cache ---------------------------------------------------------------------------------------------

void evictFromPageCache(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// Fraction of the file's pages resident in the page cache (mincore over a read-only mapping; the mapping is never
// touched, so it adds nothing to RSS).
double residentFraction(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const auto size = static_cast<std::size_t>(fs::file_size(path));
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return -1;
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> vec((size + static_cast<std::size_t>(page) - 1) / static_cast<std::size_t>(page));
  double frac = -1;
  if (::mincore(map, size, vec.data()) == 0) {
    std::size_t in = 0;
    for (unsigned char v : vec) in += v & 1;
    frac = static_cast<double>(in) / static_cast<double>(vec.size());
  }
  ::munmap(map, size);
  return frac;
}

// Sequential read of the whole file in 4 MiB preads: the warm-up and the reference for the pyramid build.
double sequentialReadMs(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot open");
  std::vector<char> buf(4u << 20);
  const auto t0 = Clock::now();
  std::uint64_t sum = 0;
  for (off_t off = 0;; off += static_cast<off_t>(buf.size())) {
    const ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n <= 0) break;
    sum += static_cast<unsigned char>(buf[static_cast<std::size_t>(n) - 1]);
  }
  const double ms = msSince(t0);
  ::close(fd);
  if (sum == 42) std::puts("");  // keeps the loop observable
  return ms;
}

// ---- memory -------------------------------------------------------------------------------------------------

long statusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
  }
  return -1;
}
long maxRssKb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}
// Resets VmHWM to the current RSS (Linux >= 4.0: "5" to clear_refs); false if not allowed.
bool resetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// ---- EDFlib reference ---------------------------------------------------------------------------------------

struct EdflibFile {
  edf_hdr_struct hdr{};
  int handle = -1;
  EdflibFile(const fs::path& p, int annotations) {
    if (edfopen_file_readonly(p.c_str(), &hdr, annotations) != 0) {
      throw std::runtime_error("EDFlib refused " + p.string() + " (filetype code " + std::to_string(hdr.filetype) +
                               ")");
    }
    handle = hdr.handle;
  }
  ~EdflibFile() {
    if (handle >= 0) edfclose_file(handle);
  }
  EdflibFile(const EdflibFile&) = delete;
  EdflibFile& operator=(const EdflibFile&) = delete;
  void readPage(std::int64_t firstSample, int count, std::vector<double>& out) {
    out.resize(static_cast<std::size_t>(kChannels) * static_cast<std::size_t>(count));
    for (int c = 0; c < kChannels; ++c) {
      edfseek(handle, c, firstSample, EDFSEEK_SET);
      if (edfread_physical_samples(handle, c, count, out.data() + static_cast<std::size_t>(c) * count) != count) {
        throw std::runtime_error("EDFlib short read");
      }
    }
  }
};

void readPage(const neurolm::Recording& rec, std::int64_t firstSample, int count, std::vector<float>& out) {
  out.resize(static_cast<std::size_t>(kChannels) * static_cast<std::size_t>(count));
  for (std::size_t c = 0; c < kChannels; ++c) {
    rec.readPhysical(c, firstSample, count, out.data() + c * static_cast<std::size_t>(count));
  }
}

// ---- report -------------------------------------------------------------------------------------------------

struct Row {
  std::string id, what, ours, reference, ratio, target, verdict;
};
std::vector<Row> rows;
std::map<std::string, double> json;

std::string fmt(double v, const char* unit, int prec = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f %s", prec, v, unit);
  return b;
}

void addRow(const std::string& id, const std::string& what, double oursMs, double refMs, const std::string& refName,
            double targetMs) {
  Row r;
  r.id = id;
  r.what = what;
  r.ours = fmt(oursMs, "ms");
  r.reference = refMs >= 0 ? fmt(refMs, "ms") + " (" + refName + ")" : "-";
  r.ratio = refMs > 0 ? fmt(oursMs / refMs, "x") : "-";
  r.target = targetMs > 0 ? "<= " + fmt(targetMs, "ms", 0) : "-";
  r.verdict = targetMs > 0 ? (oursMs <= targetMs ? "met" : "MISSED") : "";
  rows.push_back(r);
}

template <typename F>
std::vector<double> repeat(int reps, F&& f) {
  std::vector<double> v;
  for (int i = 0; i < reps; ++i) v.push_back(f(i));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they happen when piped to a file
  fs::path dir = fs::temp_directory_path();
  int reps = 7;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--reps" && i + 1 < argc) reps = std::max(5, std::atoi(argv[++i]));
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: %s [--dir DIR] [--reps N>=5] [--keep]\n", argv[0]);
      return 2;
    }
  }
  const fs::path work = dir / ("neurolm-bench-recording-" + std::to_string(::getpid()));
  const std::uint64_t plainBytes = 256ull * (kChannels + 1) + static_cast<std::uint64_t>(kRecords) * kChannels * kRateHz * 2;
  const std::uint64_t plusBytes =
      256ull * (kChannels + 2) + static_cast<std::uint64_t>(kRecords) * (kChannels * kRateHz + kAnnotationSamples) * 2;
  const std::uint64_t need = plainBytes + plusBytes + (512ull << 20);
  const auto space = fs::space(dir);
  std::printf("bench_recording: 24 h x %d ch x %d Hz, %lld records of 1 s; files in %s\n", kChannels, kRateHz,
              static_cast<long long>(kRecords), work.c_str());
  std::printf("disk: %.2f GB needed (two files + margin), %.2f GB free\n", need / 1e9, space.available / 1e9);
  if (space.available < need) {
    std::printf("NOT RUN: insufficient free disk space in %s (use --dir)\n", dir.c_str());
    return 0;
  }
  fs::create_directories(work);
  const fs::path plain = work / "bench_24h_64ch.edf";
  const fs::path plus = work / "bench_24h_64ch_plus.edf";
  struct Cleanup {
    fs::path p;
    bool keep;
    ~Cleanup() {
      std::error_code ec;
      if (!keep) fs::remove_all(p, ec);
    }
  } cleanup{work, keep};

  auto t0 = Clock::now();
  writeInChild(plain, false);
  const double writePlainMs = msSince(t0);
  t0 = Clock::now();
  writeInChild(plus, true);
  const double writePlusMs = msSince(t0);
  std::printf("written: %s (%.2f GB in %.1f s, %.0f MB/s), %s (%.2f GB in %.1f s)\n", plain.filename().c_str(),
              fs::file_size(plain) / 1e9, writePlainMs / 1e3, fs::file_size(plain) / 1e3 / writePlainMs,
              plus.filename().c_str(), fs::file_size(plus) / 1e9, writePlusMs / 1e3);
  {
    neurolm::OpenOptions sync;
    sync.backgroundAnnotations = false;
    sync.buildPyramid = false;
    auto check = neurolm::Recording::open(plus, sync);
    std::printf("EDF+ check: %s, %zu annotations, verdict: %s\n", neurolm::flavorName(check->header().flavor).c_str(),
                check->annotations().size(), check->repairReport().strictReaderVerdict.c_str());
  }
  std::printf("page cache after writing: plain %.0f%%, EDF+ %.0f%% resident\n\n", 100 * residentFraction(plain),
              100 * residentFraction(plus));
  const std::int64_t pageSamples = kPageSec * kRateHz;
  std::vector<float> page;
  std::vector<double> refPage;

  // (a), (b): open to first page, cold and warm, with the app's default options.
  auto openFirstPage = [&](const fs::path& p, bool cold, double* annotationMs) {
    if (cold) evictFromPageCache(p);
    const auto start = Clock::now();
    auto rec = neurolm::Recording::open(p);
    readPage(*rec, 0, static_cast<int>(pageSamples), page);
    const double ms = msSince(start);
    if (annotationMs) {
      rec->waitForAnnotations();
      *annotationMs = msSince(start);
    }
    return ms;
  };
  auto edflibFirstPage = [&](const fs::path& p, bool cold, int mode) {
    if (cold) evictFromPageCache(p);
    const auto start = Clock::now();
    EdflibFile f(p, mode);
    f.readPage(0, static_cast<int>(pageSamples), refPage);
    return msSince(start);
  };
  // EDFlib's open alone (the verdict Recording::open asks for), to see what it costs in (a)/(b).
  auto edflibOpenOnly = [&](const fs::path& p, bool cold) {
    if (cold) evictFromPageCache(p);
    const auto start = Clock::now();
    EdflibFile f(p, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    return msSince(start);
  };
  for (const bool cold : {true, false}) {
    const std::string state = cold ? "cold" : "warm";
    if (!cold) {
      sequentialReadMs(plain);
      sequentialReadMs(plus);
    }
    std::printf("[%s] resident before (a)/(b): plain %.0f%%, EDF+ %.0f%%\n", state.c_str(),
                100 * (cold ? (evictFromPageCache(plain), residentFraction(plain)) : residentFraction(plain)),
                100 * (cold ? (evictFromPageCache(plus), residentFraction(plus)) : residentFraction(plus)));
    const double a = median(repeat(reps, [&](int) { return openFirstPage(plain, cold, nullptr); }));
    const double aRef =
        median(repeat(reps, [&](int) { return edflibFirstPage(plain, cold, EDFLIB_DO_NOT_READ_ANNOTATIONS); }));
    addRow("a/" + state, "open plain EDF + first 10-s page, 64 ch (" + state + ")", a, aRef, "EDFlib", 20);
    json["a_open_plain_" + state + "_ms"] = a;
    json["a_edflib_" + state + "_ms"] = aRef;

    std::vector<double> annMs(static_cast<std::size_t>(reps));
    const double b = median(repeat(reps, [&](int i) { return openFirstPage(plus, cold, &annMs[static_cast<std::size_t>(i)]); }));
    const double bRef =
        median(repeat(reps, [&](int) { return edflibFirstPage(plus, cold, EDFLIB_READ_ALL_ANNOTATIONS); }));
    const double bRefNoAnn =
        median(repeat(reps, [&](int) { return edflibFirstPage(plus, cold, EDFLIB_DO_NOT_READ_ANNOTATIONS); }));
    const double verdictMs = median(repeat(reps, [&](int) { return edflibOpenOnly(plus, cold); }));
    addRow("b/" + state, "open EDF+ + first page, annotations in background (" + state + ")", b, bRef,
           "EDFlib, all annotations", 100);
    addRow("", "  same, reference without annotations", b, bRefNoAnn, "EDFlib, no annotations", 0);
    addRow("", "  annotation index complete (1,440), from open", median(annMs), bRef, "EDFlib, all annotations", 0);
    addRow("", "  EDFlib open alone (the strict-reader verdict)", verdictMs, -1, "", 0);
    json["b_open_plus_" + state + "_ms"] = b;
    json["b_edflib_all_annotations_" + state + "_ms"] = bRef;
    json["b_edflib_no_annotations_" + state + "_ms"] = bRefNoAnn;
    json["b_annotations_complete_" + state + "_ms"] = median(annMs);
    json["b_edflib_verdict_" + state + "_ms"] = verdictMs;
  }

  // (c) random 10-s pages on an open recording whose pyramid is built (no background I/O competing).
  {
    auto rec = neurolm::Recording::open(plain);
    rec->waitForPyramid();
    EdflibFile ref(plain, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    std::mt19937_64 rng(12345);
    std::uniform_int_distribution<std::int64_t> pick(0, kRecords - kPageSec);
    for (const bool cold : {false, true}) {
      const std::string state = cold ? "cold" : "warm";
      std::vector<double> ours, theirs;
      for (int i = 0; i < std::max(reps, 21); ++i) {
        const std::int64_t first = pick(rng) * kRateHz;
        if (cold) evictFromPageCache(plain);
        auto t = Clock::now();
        readPage(*rec, first, static_cast<int>(pageSamples), page);
        ours.push_back(msSince(t));
        if (cold) evictFromPageCache(plain);
        t = Clock::now();
        ref.readPage(first, static_cast<int>(pageSamples), refPage);
        theirs.push_back(msSince(t));
        for (std::size_t k = 0; k < page.size(); k += 997) {  // same numbers as the reference
          if (std::abs(page[k] - refPage[k]) > 1e-3 * (1 + std::abs(refPage[k]))) {
            std::printf("MISMATCH at page %lld, value %zu: %g vs EDFlib %g\n", static_cast<long long>(first), k,
                        page[k], refPage[k]);
            return 1;
          }
        }
      }
      addRow("c/" + state, "random 10-s page, 64 ch, open file (" + state + ", " + std::to_string(ours.size()) + " pages)",
             median(ours), median(theirs), "EDFlib", 5);
      json["c_random_page_" + state + "_ms"] = median(ours);
      json["c_edflib_" + state + "_ms"] = median(theirs);
    }
    if (!std::isfinite(page[0])) return 1;

    // (d) 1-h envelope at 1,000 px, 64 ch, from the pyramid; reference: the same from samples read with EDFlib.
    const std::int64_t hour = 3600LL * kRateHz;
    std::uniform_int_distribution<std::int64_t> pickHour(0, kRecords - 3600);
    std::vector<std::pair<double, double>> refCols(1000);
    const double d = median(repeat(reps, [&](int) {
      const std::int64_t first = pickHour(rng) * kRateHz;
      const auto t = Clock::now();
      for (std::size_t c = 0; c < kChannels; ++c) (void)rec->envelope(c, first, first + hour, 1000);
      return msSince(t);
    }));
    std::vector<double> hourBuf(static_cast<std::size_t>(hour));
    const double dRef = median(repeat(5, [&](int) {
      const std::int64_t first = pickHour(rng) * kRateHz;
      const auto t = Clock::now();
      for (int c = 0; c < kChannels; ++c) {
        edfseek(ref.handle, c, first, EDFSEEK_SET);
        edfread_physical_samples(ref.handle, c, static_cast<int>(hour), hourBuf.data());
        for (int px = 0; px < 1000; ++px) {
          const auto a = static_cast<std::size_t>(px * hour / 1000), b = static_cast<std::size_t>((px + 1) * hour / 1000);
          const auto [mn, mx] = std::minmax_element(hourBuf.begin() + static_cast<std::ptrdiff_t>(a),
                                                    hourBuf.begin() + static_cast<std::ptrdiff_t>(b));
          refCols[static_cast<std::size_t>(px)] = {*mn, *mx};
        }
      }
      return msSince(t);
    }));
    addRow("d", "1-h envelope, 1,000 px, 64 ch, pyramid built (warm)", d, dRef, "EDFlib read + min/max", 20);
    json["d_envelope_1h_ms"] = d;
    json["d_edflib_minmax_ms"] = dRef;
  }

  // (e) pyramid build throughput, from open to complete, warm and cold; reference: a sequential read of the file.
  for (const bool cold : {false, true}) {
    const std::string state = cold ? "cold" : "warm";
    if (!cold) sequentialReadMs(plain);
    const int n = cold ? 3 : reps;
    const double e = median(repeat(n, [&](int) {
      if (cold) evictFromPageCache(plain);
      const auto t = Clock::now();
      auto rec = neurolm::Recording::open(plain);
      rec->waitForPyramid();
      return msSince(t);
    }));
    const double eRef = median(repeat(n, [&](int) {
      if (cold) evictFromPageCache(plain);
      return sequentialReadMs(plain);
    }));
    const double samples = static_cast<double>(kChannels) * kRateHz * static_cast<double>(kRecords);
    const double mb = static_cast<double>(plainBytes) / 1e6;
    addRow("e/" + state, "pyramid build, open to complete (" + state + ", " + std::to_string(n) + " runs)", e, eRef,
           "sequential pread 4 MiB", 0);
    char b[160];
    std::snprintf(b, sizeof b, "%.0f Msamples/s, %.0f MB/s (read alone: %.0f MB/s)", samples / e / 1e3, mb / e * 1e3,
                  mb / eRef * 1e3);
    rows.back().target = b;
    json["e_pyramid_" + state + "_ms"] = e;
    json["e_pyramid_" + state + "_msamples_per_s"] = samples / e / 1e3;
    json["e_pyramid_" + state + "_mb_per_s"] = mb / e * 1e3;
    json["e_seqread_" + state + "_mb_per_s"] = mb / eRef * 1e3;
  }

  // (f) peak RSS: of the whole run so far, and of one app-like session (VmHWM reset first where allowed).
  const long wholeRunKb = maxRssKb();
  const bool reset = resetPeakRss();
  std::size_t coreBytes = 0;
  {
    auto rec = neurolm::Recording::open(plus);
    readPage(*rec, 0, static_cast<int>(pageSamples), page);
    rec->waitForAnnotations();
    rec->waitForPyramid();
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {  // fills the record cache to its budget
      readPage(*rec, static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kRecords - kPageSec)) * kRateHz,
               static_cast<int>(pageSamples), page);
    }
    for (std::size_t c = 0; c < kChannels; ++c) (void)rec->envelope(c, 0, kRecords * kRateHz, 1000);
    coreBytes = rec->memoryBytes();
  }
  const long sessionHwmKb = statusKb("VmHWM:");
  {
    Row r;
    r.id = "f";
    r.what = "peak RSS, whole benchmark process (ru_maxrss)";
    r.ours = fmt(wholeRunKb / 1024.0, "MB", 1);
    r.reference = "-";
    r.ratio = "-";
    r.target = "<= 150 MB";
    r.verdict = wholeRunKb / 1024.0 <= 150 ? "met" : "MISSED";
    rows.push_back(r);
    r.id = "";
    r.what = std::string("peak RSS, one app-like EDF+ session (VmHWM") + (reset ? ", reset first)" : ", NOT reset)");
    r.ours = fmt(sessionHwmKb / 1024.0, "MB", 1);
    r.verdict = sessionHwmKb / 1024.0 <= 150 ? "met" : "MISSED";
    rows.push_back(r);
    r.what = "  of which cache + pyramid (Recording::memoryBytes)";
    r.ours = fmt(static_cast<double>(coreBytes) / (1 << 20), "MB", 1);
    r.target = r.verdict = "";
    rows.push_back(r);
  }
  json["f_maxrss_mb"] = wholeRunKb / 1024.0;
  json["f_session_vmhwm_mb"] = sessionHwmKb / 1024.0;
  json["f_memory_bytes_mb"] = static_cast<double>(coreBytes) / (1 << 20);

  std::printf("\n%-7s %-62s %-12s %-42s %-8s %s\n", "", "measure (median)", "NeuroLM", "reference", "ratio",
              "target");
  for (const Row& r : rows) {
    std::printf("%-7s %-62s %-12s %-42s %-8s %s %s\n", r.id.c_str(), r.what.c_str(), r.ours.c_str(),
                r.reference.c_str(), r.ratio.c_str(), r.target.c_str(), r.verdict.c_str());
  }
  std::ostringstream js;
  js << "{\"bench\":\"recording\",\"reps\":" << reps;
  for (const auto& [k, v] : json) js << ",\"" << k << "\":" << v;
  js << "}";
  std::printf("\n%s\n", js.str().c_str());
  return 0;
}
