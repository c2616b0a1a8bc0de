#include "widgets/tokens/TokenLink.h"

#include <map>

#include "widgets/overview/OverviewView.h"
#include "widgets/tokens/TokenLane.h"
#include "widgets/traces/TraceView.h"

namespace neurolm::widgets {

TokenLink::TokenLink(TokenLane* lane, TraceView* traces, OverviewView* overview, QObject* parent)
    : QObject(parent), lane_(lane), traces_(traces), overview_(overview) {
  lane_->setLabelMargin(traces_->geometry().plotLeft());
  lane_->setPage(traces_->pageStartSec(), traces_->pageDurationSec());
  connect(traces_, &TraceView::pageChanged, lane_, &TokenLane::setPage);
  connect(lane_, &TokenLane::pageStartRequested, traces_, &TraceView::setPageStart);
  connect(lane_->model(), &TokenModel::selectionChanged, this, &TokenLink::refresh);
  connect(lane_->model(), &TokenModel::gridChanged, this, &TokenLink::refresh);
  connect(traces_, &TraceView::montageChanged, this, &TokenLink::refresh);
}

void TokenLink::refresh() {
  lane_->setLabelMargin(traces_->geometry().plotLeft());
  const TokenModel* model = lane_->model();
  std::vector<TraceView::Highlight> spans;
  std::vector<double> markers;
  if (model->selectedCode() >= 0 && model->hasCodes()) {
    // The trace lane of each token row: the lane showing the same recording channel (none under a montage
    // whose derivations are named otherwise).
    std::map<QString, int> laneOfLabel;
    for (int lane = 0; lane < traces_->laneCount(); ++lane) laneOfLabel.emplace(traces_->laneLabel(lane), lane);
    const auto& grid = *model->grid();
    for (const TokenOccurrence& o : model->occurrences()) {
      const double start = static_cast<double>(o.second);
      markers.push_back(start + 0.5);
      const auto it = laneOfLabel.find(QString::fromStdString(grid.sourceLabels[o.channel]));
      if (it != laneOfLabel.end()) spans.push_back({it->second, start, start + 1});
    }
  }
  traces_->setHighlights(TraceView::HighlightLayer::CodeOccurrences, std::move(spans));
  overview_->setMarkers(std::move(markers));
}

}  // namespace neurolm::widgets
