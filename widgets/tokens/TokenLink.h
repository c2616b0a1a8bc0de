#pragma once
// Ties the token lane to the traces and the overview strip: the lane follows the traces' page and label
// margin, a selected code's occurrences are drawn on the traces (per lane, by the recording's channel label)
// and as ticks on the overview, and the lane's next/previous moves the traces' page. Owned by its parent.
#include <QObject>

namespace neurolm::widgets {

class TokenLane;
class TraceView;
class OverviewView;

class TokenLink : public QObject {
  Q_OBJECT

 public:
  TokenLink(TokenLane* lane, TraceView* traces, OverviewView* overview, QObject* parent);
  // Re-reads the selection and the traces' lanes (also done on every selection, grid or montage change).
  void refresh();

 private:
  TokenLane* lane_;
  TraceView* traces_;
  OverviewView* overview_;
};

}  // namespace neurolm::widgets
