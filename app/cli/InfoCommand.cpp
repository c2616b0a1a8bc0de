#include <algorithm>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "app/cli/Commands.h"
#include "core/io/Recording.h"
#include "core/signal/SignalType.h"

namespace neurolm::cli {
namespace {

std::string isoStart(const EdfHeader& h) {
  std::ostringstream s;
  s << std::setfill('0') << std::setw(4) << h.startYear << '-' << std::setw(2) << h.startMonth << '-'
    << std::setw(2) << h.startDay << 'T' << std::setw(2) << h.startHour << ':' << std::setw(2) << h.startMinute
    << ':' << std::setw(2) << h.startSecond;
  return s.str();
}

nlohmann::json toJson(const Recording& rec) {
  const EdfHeader& h = rec.header();
  nlohmann::json j;
  j["file"] = rec.sourceName();
  j["format"] = flavorName(h.flavor);
  j["start"] = isoStart(h);
  j["patient"] = h.patient;
  j["recording"] = h.recording;
  j["duration_sec"] = rec.durationSec();
  j["records"] = h.recordCount;
  j["declared_records"] = h.declaredRecordCount;
  j["record_duration_sec"] = h.recordDurationSec;
  j["annotations_only"] = rec.annotationsOnly();
  j["channels"] = nlohmann::json::array();
  for (const auto& c : rec.channels()) {
    j["channels"].push_back({{"label", c.label},
                             {"type", signal::signalTypeName(signal::classifySignal(c.label, c.unit))},
                             {"unit", c.unit},
                             {"sample_rate_hz", c.sampleRateHz},
                             {"physical_min", c.physicalMin},
                             {"physical_max", c.physicalMax},
                             {"prefilter", c.prefilter},
                             {"transducer", c.transducer},
                             {"samples", c.sampleCount}});
  }
  j["annotations"] = nlohmann::json::array();
  for (const auto& a : rec.annotations()) {
    nlohmann::json ja = {{"onset_sec", a.onsetSec}, {"text", a.text}};
    if (a.durationSec >= 0) ja["duration_sec"] = a.durationSec;
    j["annotations"].push_back(ja);
  }
  j["gaps"] = nlohmann::json::array();
  for (const auto& g : rec.gaps()) {
    j["gaps"].push_back({{"onset_sec", g.onsetSec}, {"duration_sec", g.durationSec}});
  }
  j["repair_report"] = {{"strict_reader", rec.repairReport().strictReaderVerdict},
                        {"repairs", rec.repairReport().repairs}};
  return j;
}

void printAnnotations(const Recording& rec, std::ostream& out) {
  const auto annotations = rec.annotations();
  out << "annotations: " << annotations.size() << "\n";
  for (const auto& a : annotations) {
    out << "  " << std::fixed << std::setprecision(3) << a.onsetSec << std::defaultfloat;
    if (a.durationSec >= 0) out << " (+" << a.durationSec << " s)";
    out << "  " << a.text << "\n";
  }
  if (isDiscontinuous(rec.header().flavor) && !rec.annotationsOnly()) {
    const auto gaps = rec.gaps();
    out << "gaps:       " << gaps.size() << " (stretches between data records without samples)\n";
    for (const auto& g : gaps) {
      out << "  " << std::fixed << std::setprecision(3) << g.onsetSec << std::defaultfloat << " (+"
          << g.durationSec << " s)\n";
    }
  }
}

void printRepairReport(const Recording& rec, std::ostream& out) {
  out << "repair report:\n  " << rec.repairReport().strictReaderVerdict << "\n";
  if (rec.repairReport().repairs.empty()) out << "  no repairs needed\n";
  for (const auto& r : rec.repairReport().repairs) out << "  - " << r << "\n";
}

// An EDF+/BDF+ file without ordinary signals (e.g. a Sleep-EDF hypnogram): header and annotations only.
void printAnnotationFile(const Recording& rec, std::ostream& out) {
  const EdfHeader& h = rec.header();
  out << "file:       " << rec.sourceName() << "\n"
      << "format:     " << flavorName(h.flavor) << "\n"
      << "content:    annotations only -- this file holds no channels and no samples, only an annotation "
         "list (e.g. a hypnogram); import it onto its recording to see the annotations on the signals\n"
      << "start:      " << isoStart(h) << "\n"
      << "patient:    " << h.patient << "\n"
      << "recording:  " << h.recording << "\n"
      << "records:    " << h.recordCount << " of " << h.recordDurationSec << " s\n";
  const auto annotations = rec.annotations();
  if (!annotations.empty()) {
    double end = annotations.front().onsetSec;
    for (const auto& a : annotations) end = std::max(end, a.onsetSec + std::max(0.0, a.durationSec));
    out << "span:       " << annotations.front().onsetSec << " .. " << end << " s\n";
  }
  printAnnotations(rec, out);
  printRepairReport(rec, out);
}

}  // namespace

int runInfo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool json = false;
  std::string file;
  for (const auto& a : args) {
    if (a == "--json") {
      json = true;
    } else if (a == "--help" || a == "-h") {
      out << "usage: neurolm info FILE [--json]\n\n"
             "Prints the header, channels, duration, annotations and the repair report of an EDF/EDF+/BDF/BDF+\n"
             "recording. The file is never modified. An EDF+/BDF+ file that holds only annotations\n"
             "(e.g. a Sleep-EDF hypnogram) is shown as such: no channels, its annotation list. Gaps\n"
             "between the data records of an EDF+D/BDF+D file are listed as gaps, apart from the\n"
             "file's annotations.\n\n"
             "--json  one JSON object with the fields: file, format, start, patient, recording, duration_sec,\n"
             "        records, declared_records, record_duration_sec, channels[{label, type, unit, sample_rate_hz,\n"
             "        physical_min, physical_max, prefilter, transducer, samples}], annotations[{onset_sec,\n"
             "        duration_sec?, text}], repair_report{strict_reader, repairs[]}\n"
             "        annotations_only: true for an EDF+/BDF+ file without channels (channels empty)\n"
             "        gaps[{onset_sec, duration_sec}]: stretches between the data records of an\n"
             "        EDF+D/BDF+D file that hold no samples (never part of annotations; empty for\n"
             "        continuous files)\n"
             "        type: what the channel measures, from its label and unit: eeg, ecg, emg, eog,\n"
             "        respiration, temperature, trigger or other (rules in core/signal/SignalType.h)\n";
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      err << "neurolm info: unknown option '" << a << "'\n";
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "neurolm info: more than one FILE given\n";
      return 2;
    }
  }
  if (file.empty()) {
    err << "usage: neurolm info FILE [--json]\n";
    return 2;
  }
  OpenOptions options;
  options.buildPyramid = false;
  options.backgroundAnnotations = false;
  const auto rec = Recording::open(file, options);
  if (json) {
    out << toJson(*rec).dump() << "\n";
    return 0;
  }
  if (rec->annotationsOnly()) {
    printAnnotationFile(*rec, out);
    return 0;
  }
  const EdfHeader& h = rec->header();
  out << "file:       " << rec->sourceName() << "\n"
      << "format:     " << flavorName(h.flavor) << "\n"
      << "start:      " << isoStart(h) << "\n"
      << "patient:    " << h.patient << "\n"
      << "recording:  " << h.recording << "\n"
      << "duration:   " << rec->durationSec() << " s (" << h.recordCount << " records of " << h.recordDurationSec
      << " s)\n"
      << "channels:   " << rec->channels().size() << "\n";
  out << "  #  label              type         unit    rate (Hz)   physical range         prefilter\n";
  int i = 0;
  for (const auto& c : rec->channels()) {
    std::ostringstream range;
    range << c.physicalMin << " .. " << c.physicalMax;
    out << std::setw(3) << ++i << "  " << std::left << std::setw(18) << c.label << ' ' << std::setw(12)
        << signal::signalTypeName(signal::classifySignal(c.label, c.unit)) << ' ' << std::setw(7) << c.unit
        << ' ' << std::setw(11) << c.sampleRateHz << ' ' << std::setw(22) << range.str() << ' ' << c.prefilter
        << std::right << "\n";
  }
  printAnnotations(*rec, out);
  printRepairReport(*rec, out);
  return 0;
}

}  // namespace neurolm::cli
