#pragma once
// The editable annotations of one recording: create, edit, delete with undo/redo. Every change is one command
// on a stack (like QUndoStack, without Qt): undo restores exactly what the command replaced. Entries keep a
// stable id across edits, so views can follow an annotation while it moves in time.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neurolm {

// Where an annotation came from: the recording's own EDF+ annotations, the user, or an imported file.
enum class AnnotationSource { File, User, Imported };
std::string_view annotationSourceName(AnnotationSource source);  // "file", "user", "imported"
std::optional<AnnotationSource> parseAnnotationSource(std::string_view name);

struct AnnotationEntry {
  std::uint64_t id = 0;    // assigned by the document (0 = not yet in a document)
  double onsetSec = 0;     // relative to the recording start
  double durationSec = 0;  // >= 0; 0 = an instant (EDF+ "no duration" reads as 0, as in MNE)
  std::string text;        // UTF-8, not empty
  std::string channel;     // channel label the annotation belongs to; empty = the whole recording
  AnnotationSource source = AnnotationSource::User;

  // Same content (the id is not compared).
  bool sameContent(const AnnotationEntry& other) const {
    return onsetSec == other.onsetSec && durationSec == other.durationSec && text == other.text &&
           channel == other.channel && source == other.source;
  }
};

class AnnotationDocument {
 public:
  AnnotationDocument() = default;
  AnnotationDocument(const AnnotationDocument&) = delete;
  AnnotationDocument& operator=(const AnnotationDocument&) = delete;

  // Sorted by onset (then by id).
  const std::vector<AnnotationEntry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  const AnnotationEntry* find(std::uint64_t id) const;

  // Replaces the content (e.g. after loading a sidecar); clears the undo history and the modified flag.
  void reset(std::vector<AnnotationEntry> entries);

  // Each is one undoable command. Invalid values (non-finite onset, negative or non-finite duration, empty
  // text, unknown id) throw std::invalid_argument and change nothing.
  std::uint64_t add(AnnotationEntry entry);
  void edit(std::uint64_t id, const AnnotationEntry& value);  // the id of `value` is ignored
  void remove(std::uint64_t id);
  // Several annotations as one command (an import); returns their ids in the given order.
  std::vector<std::uint64_t> addAll(std::vector<AnnotationEntry> entries, std::string description);

  bool canUndo() const { return undoDepth_ > 0; }
  bool canRedo() const { return undoDepth_ < commands_.size(); }
  std::string undoText() const;  // e.g. "add 'Sleep stage W'"; empty when nothing to undo
  std::string redoText() const;
  void undo();
  void redo();

  // Modified since the last reset() or markSaved() (undoing back to the saved state clears it).
  bool modified() const { return !savedDepth_ || *savedDepth_ != undoDepth_; }
  void markSaved() { savedDepth_ = undoDepth_; }
  std::uint64_t revision() const { return revision_; }  // increases on every change

  // Called after every change (command, undo, redo, reset); one listener, e.g. a view-model.
  void setChangedCallback(std::function<void()> callback) { changed_ = std::move(callback); }

 private:
  struct Change {
    std::uint64_t id;
    std::optional<AnnotationEntry> before, after;
  };
  struct Command {
    std::string description;
    std::vector<Change> changes;
  };
  void push(Command command);
  void apply(const std::vector<Change>& changes, bool forward);
  void put(std::uint64_t id, const std::optional<AnnotationEntry>& value);
  static void validate(const AnnotationEntry& e);
  void notify();

  std::vector<AnnotationEntry> entries_;
  std::vector<Command> commands_;
  std::size_t undoDepth_ = 0;  // commands_[0, undoDepth_) are done
  std::optional<std::size_t> savedDepth_ = 0;
  std::uint64_t nextId_ = 1;
  std::uint64_t revision_ = 0;
  std::function<void()> changed_;
};

}  // namespace neurolm
