#pragma once
// The token lane's view-model: the codes of the open recording, how often each code occurs, the selected code
// with its occurrences in time order and the current one (for next/previous navigation). No painting here.
#include <QColor>
#include <QObject>
#include <cstdint>
#include <memory>
#include <vector>

#include "widgets/tokens/TokenBackend.h"

namespace neurolm::widgets {

struct TokenOccurrence {
  std::size_t channel = 0;
  std::size_t second = 0;
};

struct CodeCount {
  std::int32_t code = -1;
  std::size_t count = 0;
};

// A stable colour per code id (the same code has the same colour in every recording and session): hues
// spread by the golden ratio so neighbouring ids differ, saturation and value in three steps.
QColor codeColour(std::int32_t code);

class TokenModel : public QObject {
  Q_OBJECT

 public:
  explicit TokenModel(QObject* parent = nullptr);

  void setGrid(std::shared_ptr<const TokenGrid> grid);  // null: no codes (clears the selection)
  const std::shared_ptr<const TokenGrid>& grid() const { return grid_; }
  bool hasCodes() const { return grid_ && !grid_->empty(); }

  std::size_t tokenCount() const { return tokenCount_; }  // cells that have a code
  std::size_t distinctCodes() const { return counts_.size(); }
  std::size_t countOf(std::int32_t code) const;
  double percentOf(std::int32_t code) const;  // of tokenCount()
  // Codes by frequency, most frequent first (ties: smaller id first); at most k (0: all).
  std::vector<CodeCount> topCodes(std::size_t k) const;

  std::int32_t selectedCode() const { return selected_; }  // -1: none
  const std::vector<TokenOccurrence>& occurrences() const { return occurrences_; }  // by second, then channel
  int currentOccurrence() const { return current_; }  // index into occurrences(), -1 before the first move
  bool isOccurrence(std::size_t channel, std::size_t second) const;

 public Q_SLOTS:
  void selectCode(std::int32_t code);  // -1 or a code that does not occur clears the selection
  void clearSelection() { selectCode(-1); }
  // Moves to the next/previous occurrence in a later/earlier second than the current one (or, before the
  // first move, than `fromSec`); returns its index or -1 when there is none.
  int nextOccurrence(double fromSec = -1);
  int previousOccurrence(double fromSec = 1e300);

 Q_SIGNALS:
  void gridChanged();
  void selectionChanged(std::int32_t code);
  void currentOccurrenceChanged(int index);

 private:
  std::shared_ptr<const TokenGrid> grid_;
  std::vector<CodeCount> counts_;  // sorted by code id
  std::size_t tokenCount_ = 0;
  std::int32_t selected_ = -1;
  std::vector<TokenOccurrence> occurrences_;
  std::vector<char> occurrenceMask_;  // [channel · seconds + second]
  int current_ = -1;
};

}  // namespace neurolm::widgets
