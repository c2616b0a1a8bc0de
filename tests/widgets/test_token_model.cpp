// The token lane's view-model on a hand-worked grid: counts and shares per code, the histogram order, the
// occurrences of a selected code in time order, and next/previous stepping by distinct seconds.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <set>

#include "widgets/tokens/TokenModel.h"

using namespace neurolm;
using widgets::TokenModel;

namespace {

// 2 channels x 4 s:  A: 5 7 5 9   B: 7 5 -1 5   (-1: no code)
std::shared_ptr<const widgets::TokenGrid> handGrid() {
  auto g = std::make_shared<widgets::TokenGrid>();
  g->channels = {"FP1", "FP2"};
  g->sourceLabels = {"EEG Fp1", "EEG Fp2"};
  g->seconds = 4;
  g->codes = {5, 7, 5, 9, 7, 5, -1, 5};
  g->codebookSize = 16;
  return g;
}

}  // namespace

TEST(TokenModel, CountsSharesAndTopCodesOfAHandWorkedGrid) {
  TokenModel model;
  model.setGrid(handGrid());
  EXPECT_EQ(model.tokenCount(), 7u);  // 8 cells, one without a code
  EXPECT_EQ(model.distinctCodes(), 3u);
  EXPECT_EQ(model.countOf(5), 4u);
  EXPECT_EQ(model.countOf(7), 2u);
  EXPECT_EQ(model.countOf(9), 1u);
  EXPECT_EQ(model.countOf(3), 0u);
  EXPECT_DOUBLE_EQ(model.percentOf(5), 400.0 / 7);
  const auto top = model.topCodes(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].code, 5);
  EXPECT_EQ(top[0].count, 4u);
  EXPECT_EQ(top[1].code, 7);
  EXPECT_EQ(model.topCodes(0).size(), 3u);
}

TEST(TokenModel, SelectionListsOccurrencesInTimeOrderAndStepsBySecond) {
  TokenModel model;
  model.setGrid(handGrid());
  QSignalSpy selected(&model, &TokenModel::selectionChanged);
  model.selectCode(5);
  ASSERT_EQ(selected.count(), 1);
  EXPECT_EQ(selected.front().front().toInt(), 5);
  // (second, channel): (0, A) (1, B) (2, A) (3, B)
  const auto& occ = model.occurrences();
  ASSERT_EQ(occ.size(), 4u);
  const std::size_t wantSecond[] = {0, 1, 2, 3}, wantChannel[] = {0, 1, 0, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(occ[i].second, wantSecond[i]);
    EXPECT_EQ(occ[i].channel, wantChannel[i]);
  }
  EXPECT_TRUE(model.isOccurrence(0, 0));
  EXPECT_FALSE(model.isOccurrence(1, 0));
  EXPECT_FALSE(model.isOccurrence(1, 2));  // no code there
  // Before the first move: from a page starting at 1 s, the first occurrence after 0 s is at 1 s.
  EXPECT_EQ(model.nextOccurrence(0.0), 1);
  EXPECT_EQ(model.nextOccurrence(), 2);
  EXPECT_EQ(model.nextOccurrence(), 3);
  EXPECT_EQ(model.nextOccurrence(), -1);  // none after the last: the current one stays
  EXPECT_EQ(model.currentOccurrence(), 3);
  EXPECT_EQ(model.previousOccurrence(), 2);
  EXPECT_EQ(model.previousOccurrence(), 1);
  EXPECT_EQ(model.previousOccurrence(), 0);
  EXPECT_EQ(model.previousOccurrence(), -1);
  // Code 7: (0, B) and (1, A), in that order.
  model.selectCode(7);
  EXPECT_EQ(model.currentOccurrence(), -1);
  ASSERT_EQ(model.occurrences().size(), 2u);
  EXPECT_EQ(model.occurrences()[0].channel, 1u);
  EXPECT_EQ(model.occurrences()[1].second, 1u);
  // A code that does not occur clears the selection; so does a new grid.
  model.selectCode(3);
  EXPECT_EQ(model.selectedCode(), -1);
  EXPECT_TRUE(model.occurrences().empty());
  model.selectCode(9);
  model.setGrid(nullptr);
  EXPECT_EQ(model.selectedCode(), -1);
  EXPECT_FALSE(model.hasCodes());
}

TEST(TokenModel, CodeColoursAreStableAndNeighboursDiffer) {
  // The same id gives the same colour every time; the first 8192 ids (the official codebook) are mostly
  // distinct colours, and consecutive ids never share one.
  std::set<QRgb> colours;
  for (std::int32_t code = 0; code < 8192; ++code) {
    const QRgb c = widgets::codeColour(code).rgb();
    EXPECT_EQ(c, widgets::codeColour(code).rgb());
    if (code > 0) {
      EXPECT_NE(c, widgets::codeColour(code - 1).rgb()) << code;
    }
    colours.insert(c);
  }
  EXPECT_GT(colours.size(), 900u);  // 360 hues x 3 saturation/value steps at most (1080)
}
