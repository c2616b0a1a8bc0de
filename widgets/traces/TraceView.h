#pragma once
// The trace view: one page of a recording, rendered from min/max envelopes on a worker thread.
// Every page request carries an id; the worker skips requests that are already stale, and the view shows only
// the newest delivered image, so scrolling never waits for an old page.
#include <QColor>
#include <QImage>
#include <QMenu>
#include <QThread>
#include <QWidget>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/annotations/AnnotationDocument.h"
#include "core/io/Recording.h"
#include "widgets/traces/TraceRenderer.h"

namespace neurolm::widgets {

class TraceView : public QWidget {
  Q_OBJECT

 public:
  explicit TraceView(QWidget* parent = nullptr);
  ~TraceView() override;

  void setRecording(std::shared_ptr<const Recording> recording);
  const std::shared_ptr<const Recording>& recording() const { return recording_; }

  double pageStartSec() const { return pageStartSec_; }
  double pageDurationSec() const { return pageDurationSec_; }
  double gain() const { return style_.gain; }
  bool clipToLane() const { return style_.clipToLane; }
  // Time axis: recording time or clock time of day; EDF+D gaps marked (set from the recording when its
  // annotations are indexed, or later with setGaps()).
  bool clockTimeAxis() const { return style_.axis.clockTime; }
  const navigation::Timeline& timeline() const { return style_.axis.timeline; }
  double startOfDaySec() const { return style_.axis.startOfDaySec; }
  void setGaps(const std::vector<RecordingGap>& gaps);
  // Montage (null: every channel as recorded) and display filters of the lanes; a new recording starts
  // referential and keeps the filter for all channels. The lanes' types and scales follow the montage.
  void setMontage(std::shared_ptr<const montage::Montage> montage);
  const std::shared_ptr<const montage::Montage>& montage() const { return pipeline_.montage; }
  void setFilters(const montage::FilterSet& filters);
  const montage::FilterSet& filters() const { return pipeline_.filters; }
  int laneCount() const { return static_cast<int>(display_.size()); }
  QString laneLabel(int lane) const;
  // Per-channel types and scales (read from labels and units when a recording is set, then overridable).
  const signal::ChannelDisplayTable& displayTable() const { return display_; }
  // Throw std::out_of_range / std::invalid_argument like ChannelDisplayTable, leaving the view unchanged.
  void setChannelType(int channel, signal::SignalType type);
  void setChannelPerDivision(int channel, double perDivision);
  void resetChannelDisplay(int channel);
  // The lane's context menu (signal type, larger/smaller, reset); also shown on a right click on a lane.
  std::unique_ptr<QMenu> channelMenu(int channel);
  // The channel whose lane holds widget row y, or -1.
  int channelAt(int y) const;
  // The geometry of the image currently shown (for hit testing and tests).
  TraceGeometry geometry() const;
  QImage currentImage() const { return image_; }
  quint64 deliveredRequestId() const { return deliveredId_; }
  quint64 latestRequestId() const { return latestId_->load(); }
  // A time range dragged with the left mouse button on the plot (data seconds); cleared by a click without a
  // drag, by Escape, and by a new recording. selectionChanged(start, end) reports it; end <= start: none.
  bool hasSelection() const { return selectionEndSec_ > selectionStartSec_; }
  double selectionStartSec() const { return selectionStartSec_; }
  double selectionEndSec() const { return selectionEndSec_; }
  void setSelection(double startSec, double endSec);
  void clearSelection() { setSelection(0, 0); }
  // Marked spans drawn over the traces, in layers that are set independently and drawn together: the
  // occurrences of a selected neural-token code (orange) and the evidence of a chat answer (magenta, as the
  // token lane's evidence outlines; drawn on top). A span is a lane index, a time range [startSec, endSec) in
  // data seconds and a weight in [0, 1] that scales its opacity (e.g. share / the largest share).
  // setHighlights replaces that layer's spans only; empty clears it; a new recording clears every layer.
  enum class HighlightLayer { CodeOccurrences, Evidence };
  static constexpr int kHighlightLayers = 2;
  struct Highlight {
    int lane = 0;
    double startSec = 0, endSec = 0;
    double weight = 1;
  };
  void setHighlights(HighlightLayer layer, std::vector<Highlight> spans);
  const std::vector<Highlight>& highlights(HighlightLayer layer) const {
    return highlights_[static_cast<std::size_t>(layer)];
  }
  // A span's fill and outline colours: the layer's colour, whose alpha at weight 1 scales down to 80/255 of
  // it at weight 0 (the evidence outline's alpha is then 80 + 175 * weight, as on the token lane).
  static QColor highlightFill(HighlightLayer layer, double weight = 1);
  static QColor highlightOutline(HighlightLayer layer, double weight = 1);
  // Annotations drawn over the traces (onsets in data seconds, as the annotation pane jumps to them): a
  // translucent span per annotation that overlaps the page, an instant as a vertical line, its text at the
  // top. A channel-linked one covers only the lanes of its channel (the lane of that label, or the
  // derivations in which it has the largest weight: both ends of a bipolar pair, its own lane in an average
  // or Laplacian montage); one whose channel has no lane is not drawn. The selected one is emphasised.
  void setAnnotations(const std::vector<AnnotationEntry>& entries);
  void setSelectedAnnotation(std::uint64_t id);
  std::uint64_t selectedAnnotation() const { return selectedAnnotation_; }
  // The colour of an annotation text: a fixed hue per text (FNV-1a of its UTF-8), the same in every run.
  static QColor annotationColour(const QString& text);
  static QColor annotationColourOfUtf8(std::string_view text);
  // The lanes an annotation linked to `channel` covers (empty channel: every lane); cached per montage.
  const std::vector<int>& annotationLanes(const std::string& channel) const;

  // An annotation as the view draws it (onset and end in data seconds, text and channel in UTF-8).
  struct AnnotationMark {
    std::uint64_t id = 0;
    double startSec = 0, endSec = 0;
    std::string text;  // UTF-8; converted (and coloured) only when the annotation is on the page
    std::string channel;
  };
  // What the view draws over the page's image: the annotations that can reach the page, the lanes of their
  // channels and the selected one; the EDF+D gap bands come from the geometry's timeline. A copy that a
  // worker thread can paint (the View → Export of PNG, PDF and SVG) with the painting the view itself uses.
  struct Overlay {
    double pageStartSec = 0, pageDurationSec = 0;
    std::vector<AnnotationMark> marks;  // by onset
    std::uint64_t selectedId = 0;
    std::unordered_map<std::string, std::vector<int>> lanes;  // channel -> lanes, for each linked mark
  };
  Overlay overlay() const;
  static void paintOverlay(QPainter& p, const TraceGeometry& g, const Overlay& overlay);

 public Q_SLOTS:
  void setPageStart(double startSec);
  void setPageDuration(double durationSec);
  void setGain(double gain);  // clamped to [0.01, 1000]
  void setClipToLane(bool clip);
  void setClockTimeAxis(bool clock);
  void nextPage();
  void previousPage();

 Q_SIGNALS:
  void pageChanged(double startSec, double durationSec);
  void pageRendered(quint64 requestId);
  void gainChanged(double gain);
  void montageChanged();
  void filtersChanged();
  // A page could not be drawn (e.g. a filter does not fit a channel's sample rate); the message says why.
  void renderFailed(const QString& message);
  void selectionChanged(double startSec, double endSec);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  void requestRender();
  double maxStartSec() const;
  double timeAtX(int x) const;          // data seconds under widget column x, clamped to the page
  std::size_t firstMarkOnPage() const;  // the first mark whose end (or an earlier one's) reaches the page
  using LanesOf = std::function<const std::vector<int>&(const std::string&)>;
  // Marks [first, last) by onset; those that miss the page (or whose channel has no lane) are skipped.
  static void paintAnnotations(QPainter& p, const TraceGeometry& g, double pageStartSec,
                               double pageDurationSec, const AnnotationMark* first,
                               const AnnotationMark* last, std::uint64_t selectedId, const LanesOf& lanesOf);
  static void paintGaps(QPainter& p, const TraceGeometry& g, double pageStartSec, double pageDurationSec);

  std::shared_ptr<const Recording> recording_;
  double pageStartSec_ = 0;
  double pageDurationSec_ = 10;
  TraceStyle style_;
  signal::ChannelDisplayTable display_;
  TracePipeline pipeline_;
  QImage image_;
  quint64 deliveredId_ = 0;
  double selectionStartSec_ = 0, selectionEndSec_ = 0;
  double dragAnchorSec_ = -1;  // >= 0 while the left button drags a selection
  std::array<std::vector<Highlight>, kHighlightLayers> highlights_;
  // Annotations by onset, with the running maximum of their ends: the first that can overlap a page is found
  // by binary search, so a page costs the annotations it shows, not all of them.
  std::vector<AnnotationMark> marks_;
  std::vector<double> marksMaxEndSec_;
  std::uint64_t selectedAnnotation_ = 0;
  mutable std::unordered_map<std::string, std::vector<int>> laneCache_;  // channel -> lanes; per montage
  std::shared_ptr<std::atomic<quint64>> latestId_ = std::make_shared<std::atomic<quint64>>(0);
  QThread workerThread_;
  QObject* worker_ = nullptr;  // lives in workerThread_, deleted when it finishes
};

}  // namespace neurolm::widgets
