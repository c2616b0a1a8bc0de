#include "core/annotations/AnnotationDocument.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace neurolm {

std::string_view annotationSourceName(AnnotationSource source) {
  switch (source) {
    case AnnotationSource::File:
      return "file";
    case AnnotationSource::User:
      return "user";
    case AnnotationSource::Imported:
      return "imported";
  }
  return "user";
}

std::optional<AnnotationSource> parseAnnotationSource(std::string_view name) {
  if (name == "file") return AnnotationSource::File;
  if (name == "user") return AnnotationSource::User;
  if (name == "imported") return AnnotationSource::Imported;
  return std::nullopt;
}

namespace {

bool before(const AnnotationEntry& a, const AnnotationEntry& b) {
  return a.onsetSec != b.onsetSec ? a.onsetSec < b.onsetSec : a.id < b.id;
}

std::string quotedText(const std::string& text) {
  std::size_t cut = 40;
  if (text.size() <= cut) return "'" + text + "'";
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;  // not inside a UTF-8 sequence
  return "'" + text.substr(0, cut) + "\u2026'";
}

}  // namespace

const AnnotationEntry* AnnotationDocument::find(std::uint64_t id) const {
  for (const auto& e : entries_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

void AnnotationDocument::validate(const AnnotationEntry& e) {
  if (!std::isfinite(e.onsetSec)) throw std::invalid_argument("annotation onset is not a finite number");
  if (!std::isfinite(e.durationSec) || e.durationSec < 0) {
    throw std::invalid_argument("annotation duration " + std::to_string(e.durationSec) +
                                " s: expected a finite number >= 0");
  }
  if (e.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw std::invalid_argument("annotation text is empty");
  }
}

void AnnotationDocument::reset(std::vector<AnnotationEntry> entries) {
  for (const auto& e : entries) validate(e);
  entries_ = std::move(entries);
  for (auto& e : entries_) e.id = nextId_++;
  std::stable_sort(entries_.begin(), entries_.end(), before);
  commands_.clear();
  undoDepth_ = 0;
  savedDepth_ = 0;
  notify();
}

std::uint64_t AnnotationDocument::add(AnnotationEntry entry) {
  validate(entry);
  entry.id = nextId_++;
  const std::uint64_t id = entry.id;
  push({"add " + quotedText(entry.text), {{id, std::nullopt, std::move(entry)}}});
  return id;
}

std::vector<std::uint64_t> AnnotationDocument::addAll(std::vector<AnnotationEntry> entries,
                                                      std::string description) {
  for (const auto& e : entries) validate(e);
  std::vector<std::uint64_t> ids;
  Command command{std::move(description), {}};
  for (auto& e : entries) {
    e.id = nextId_++;
    ids.push_back(e.id);
    command.changes.push_back({e.id, std::nullopt, std::move(e)});
  }
  if (!command.changes.empty()) push(std::move(command));
  return ids;
}

void AnnotationDocument::edit(std::uint64_t id, const AnnotationEntry& value) {
  const AnnotationEntry* old = find(id);
  if (!old) throw std::invalid_argument("no annotation with id " + std::to_string(id));
  AnnotationEntry updated = value;
  updated.id = id;
  validate(updated);
  if (updated.sameContent(*old)) return;  // nothing to undo
  push({"edit " + quotedText(old->text), {{id, *old, std::move(updated)}}});
}

void AnnotationDocument::remove(std::uint64_t id) {
  const AnnotationEntry* old = find(id);
  if (!old) throw std::invalid_argument("no annotation with id " + std::to_string(id));
  push({"delete " + quotedText(old->text), {{id, *old, std::nullopt}}});
}

void AnnotationDocument::push(Command command) {
  commands_.resize(undoDepth_);  // a new command drops what could have been redone
  if (savedDepth_ && *savedDepth_ > undoDepth_)
    savedDepth_.reset();  // the saved state is no longer reachable
  apply(command.changes, true);
  commands_.push_back(std::move(command));
  ++undoDepth_;
  notify();
}

void AnnotationDocument::undo() {
  if (!canUndo()) return;
  --undoDepth_;
  apply(commands_[undoDepth_].changes, false);
  notify();
}

void AnnotationDocument::redo() {
  if (!canRedo()) return;
  apply(commands_[undoDepth_].changes, true);
  ++undoDepth_;
  notify();
}

std::string AnnotationDocument::undoText() const {
  return canUndo() ? commands_[undoDepth_ - 1].description : std::string();
}

std::string AnnotationDocument::redoText() const {
  return canRedo() ? commands_[undoDepth_].description : std::string();
}

void AnnotationDocument::apply(const std::vector<Change>& changes, bool forward) {
  for (const auto& c : changes) put(c.id, forward ? c.after : c.before);
}

void AnnotationDocument::put(std::uint64_t id, const std::optional<AnnotationEntry>& value) {
  const auto it = std::find_if(entries_.begin(), entries_.end(), [id](const auto& e) { return e.id == id; });
  if (it != entries_.end()) entries_.erase(it);
  if (value) entries_.insert(std::upper_bound(entries_.begin(), entries_.end(), *value, before), *value);
}

void AnnotationDocument::notify() {
  ++revision_;
  if (changed_) changed_();
}

}  // namespace neurolm
