<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>StudioOptions</name>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="17"/>
        <source>%1 needs a value</source>
        <translation>%1 需要一个值</translation>
    </message>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="22"/>
        <source>unknown option %1</source>
        <translation>未知选项 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="27"/>
        <source>more than one file given</source>
        <translation>给出了多个文件</translation>
    </message>
</context>
<context>
    <name>TraceView</name>
    <message>
        <location filename="../widgets/traces/TraceRenderer.cpp" line="107"/>
        <source>%1 %2/div</source>
        <extracomment>Per-lane scale under a channel label: amplitude per division (half a lane) and its unit, e.g. &quot;100 µV&quot;</extracomment>
        <translation>%1 %2/格</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceRenderer.cpp" line="160"/>
        <source>gain ×%1</source>
        <extracomment>Global gain legend of the trace view; %1 is the factor applied to every lane&apos;s scale</extracomment>
        <translation>增益 ×%1</translation>
    </message>
    <message>
        <source>gap %1</source>
        <extracomment>Marker on the time axis of an EDF+D recording: %1 is the time without data between two records</extracomment>
        <translation>间隙 %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main_studio.cpp" line="33"/>
        <source>usage: neurolm-studio [FILE] [--lang LOCALE] [--screenshot PNG]
  FILE            EDF/EDF+/BDF/BDF+ recording (default: the embedded sample)
  --lang LOCALE   user interface language, e.g. zh_CN
  --screenshot P  save the window with its first page to P and quit</source>
        <translation>用法：neurolm-studio [文件] [--lang 语言区域] [--screenshot PNG]
  文件            EDF/EDF+/BDF/BDF+ 记录（默认：内置示例）
  --lang 语言区域  界面语言，例如 zh_CN
  --screenshot P  保存显示第一页的窗口截图到 P 并退出</translation>
    </message>
</context>
<context>
    <name>neurolm::app::MainWindow</name>
    <message>
        <source>Training jobs</source>
        <translation>训练任务</translation>
    </message>
    <message>
        <source>Model ready: %1</source>
        <translation>模型已就绪：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="37"/>
        <source>NeuroLM Studio</source>
        <translation>NeuroLM Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="60"/>
        <source>File report</source>
        <translation>文件报告</translation>
    </message>
    <message>
        <source>Spectrum</source>
        <translation>频谱</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="85"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="86"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="89"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="92"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="93"/>
        <source>&amp;Next page</source>
        <translation>下一页(&amp;N)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="94"/>
        <source>&amp;Previous page</source>
        <translation>上一页(&amp;P)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="99"/>
        <source>Page</source>
        <translation>页面</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="101"/>
        <source>Page length </source>
        <translation>页长 </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="104"/>
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="104"/>
        <source>%n min</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="116"/>
        <source> Gain </source>
        <translation> 增益 </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="122"/>
        <source>×</source>
        <translation>×</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="123"/>
        <source>Factor on every lane&apos;s scale (keys + and −, Ctrl+wheel)</source>
        <translation>应用于每个通道刻度的系数（按键 + 和 −，Ctrl+滚轮）</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="95"/>
        <source>&amp;Clip traces to their lanes</source>
        <translation>将曲线限制在各自通道内(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="122"/>
        <source>Open recording</source>
        <translation>打开记录</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="123"/>
        <source>EEG recordings (*.edf *.EDF *.bdf *.BDF);;All files (*)</source>
        <translation>脑电记录 (*.edf *.EDF *.bdf *.BDF);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="132"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="162"/>
        <source>%1 — NeuroLM Studio</source>
        <translation>%1 — NeuroLM Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="168"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="190"/>
        <source>Could not open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="192"/>
        <source>Open failed</source>
        <translation>打开失败</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="202"/>
        <source>%1 – %2 of %3</source>
        <translation>%1 – %2（共 %3）</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="206"/>
        <source>indexing %1%</source>
        <translation>正在建立索引 %1%</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="220"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="221"/>
        <source>Start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="223"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="224"/>
        <location filename="../app/studio/MainWindow.cpp" line="241"/>
        <source>Channels</source>
        <translation>通道</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="225"/>
        <source>Annotations</source>
        <translation>注释</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="227"/>
        <source>indexing…</source>
        <translation>正在建立索引…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="229"/>
        <source>Repair report</source>
        <translation>修复报告</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="233"/>
        <source>No repairs were needed.</source>
        <translation>无需修复。</translation>
    </message>
    <message>
        <source>Annotations</source>
        <translation>注释</translation>
    </message>
    <message>
        <source>the file holds annotations only, no signals. Open its recording first, then open this file to add its annotations.</source>
        <translation>该文件只包含注释，没有信号。请先打开对应的记录，再打开此文件以添加其注释。</translation>
    </message>
    <message>
        <source>&amp;Annotations</source>
        <translation>注释(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Quick labels</source>
        <translation>快速标签(&amp;Q)</translation>
    </message>
    <message>
        <source>Import &amp;CSV…</source>
        <translation>导入 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Import &amp;EDF+…</source>
        <translation>导入 EDF+(&amp;E)…</translation>
    </message>
    <message>
        <source>Export C&amp;SV…</source>
        <translation>导出 CSV(&amp;S)…</translation>
    </message>
    <message>
        <source>Export ED&amp;F+…</source>
        <translation>导出 EDF+(&amp;F)…</translation>
    </message>
    <message>
        <source>Open a recording first</source>
        <translation>请先打开一个记录</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>EDF+ files (*.edf *.EDF *.bdf *.BDF);;All files (*)</source>
        <translation>EDF+ 文件 (*.edf *.EDF *.bdf *.BDF);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import annotations</source>
        <translation>导入注释</translation>
    </message>
    <message>
        <source>Export annotations</source>
        <translation>导出注释</translation>
    </message>
    <message>
        <source>The annotation file could not be read, so annotation changes will not be saved: %1</source>
        <translation>无法读取注释文件，因此注释的更改不会被保存：%1</translation>
    </message>
    <message>
        <source>Annotations could not be saved: %1</source>
        <translation>无法保存注释：%1</translation>
    </message>
    <message>
        <source>Could not import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>Could not export the annotations: %1</source>
        <translation>无法导出注释：%1</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n annotation(s) from %1</source>
        <translation>
            <numerusform>已从 %1 导入 %n 条注释</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n annotation(s) to %1</source>
        <translation>
            <numerusform>已将 %n 条注释导出到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Gaps</source>
        <translation>间断</translation>
    </message>
    <message numerus="yes">
        <source>%n gap(s), %1 s without data</source>
        <translation>
            <numerusform>%n 处间断，共 %1 秒无数据</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>&amp;Go to time…</source>
        <translation>转到时间(&amp;G)…</translation>
    </message>
    <message>
        <source>&amp;Longer page</source>
        <extracomment>View menu: next longer page length of the page-length list (1 s ... 60 min)</extracomment>
        <translation>更长的页面(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Shorter page</source>
        <translation>更短的页面(&amp;S)</translation>
    </message>
    <message>
        <source>Clock &amp;time on the axis</source>
        <translation>坐标轴显示时钟时间(&amp;T)</translation>
    </message>
    <message>
        <source>Label the time axis with the time of day (from the recording&apos;s start time) instead of the time from the start</source>
        <translation>用一天中的时刻（由记录的开始时间推算）标注时间轴，而不是从开始起的时间</translation>
    </message>
    <message>
        <source>&amp;Export view as</source>
        <translation>导出视图为(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;PNG image…</source>
        <translation>PNG 图像(&amp;P)…</translation>
    </message>
    <message>
        <source>P&amp;DF document…</source>
        <translation>PDF 文档(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;SVG drawing…</source>
        <translation>SVG 矢量图(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Export selection…</source>
        <translation>导出选区(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Cancel export</source>
        <translation>取消导出(&amp;C)</translation>
    </message>
    <message>
        <source> Go to </source>
        <extracomment>Toolbar: label of the box that moves the page to a typed time</extracomment>
        <translation> 转到 </translation>
    </message>
    <message>
        <source>90, 1:02:03, @23:15</source>
        <extracomment>Placeholder of the go-to box: seconds, h:mm:ss from the start, or @ and a clock time of day</extracomment>
        <translation>90, 1:02:03, @23:15</translation>
    </message>
    <message>
        <source>Go to a time (Ctrl+G): seconds (90.5), h:mm:ss(.s) from the start (1:02:03.5), or a clock time of day with @ (@23:15:00). Enter moves the page there.</source>
        <translation>转到某个时间（Ctrl+G）：秒数（90.5）、从开始起的 h:mm:ss(.s)（1:02:03.5），或以 @ 开头的时钟时间（@23:15:00）。按 Enter 将页面移到该处。</translation>
    </message>
    <message>
        <source>%1 is after the end of the recording (%2)</source>
        <translation>%1 在记录结束（%2）之后</translation>
    </message>
    <message>
        <source>Cannot go there: %1</source>
        <translation>无法转到该处：%1</translation>
    </message>
    <message>
        <source>Export view</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <source>Unknown image format of %1 (expected .png, .pdf or .svg)</source>
        <translation>%1 的图像格式未知（应为 .png、.pdf 或 .svg）</translation>
    </message>
    <message>
        <source>%1, %2 from %3</source>
        <translation>%1，自 %3 起 %2</translation>
    </message>
    <message>
        <source>Saved the view to %1</source>
        <translation>已将视图保存到 %1</translation>
    </message>
    <message>
        <source>Could not export the view to %1: %2</source>
        <translation>无法将视图导出到 %1：%2</translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation>正在导出到 %1…</translation>
    </message>
    <message>
        <source>Exporting to %1… %2%</source>
        <translation>正在导出到 %1… %2%</translation>
    </message>
    <message>
        <source>Exported the selection to %1</source>
        <translation>已将选区导出到 %1</translation>
    </message>
    <message>
        <source>Could not export the selection: %1</source>
        <translation>无法导出选区：%1</translation>
    </message>
    <message>
        <source>Clock time</source>
        <extracomment>Short toolbar text of the &quot;Clock time on the axis&quot; toggle</extracomment>
        <translation>时钟时间</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::AnnotationTableModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>user</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>%1 s from the start of the recording</source>
        <translation>距记录开始 %1 秒</translation>
    </message>
    <message>
        <source>Onset</source>
        <translation>起始时间</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a time (seconds, or h:mm:ss)</source>
        <translation>“%1”不是时间（秒，或 h:mm:ss）</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a duration (seconds &gt;= 0)</source>
        <translation>“%1”不是时长（秒数 &gt;= 0）</translation>
    </message>
    <message>
        <source>An annotation needs a text</source>
        <translation>注释需要文本</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::AnnotationsDock</name>
    <message>
        <source>Artifact</source>
        <translation>伪迹</translation>
    </message>
    <message>
        <source>Arousal</source>
        <translation>觉醒</translation>
    </message>
    <message>
        <source>Seizure</source>
        <translation>癫痫发作</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Filter annotations</source>
        <translation>筛选注释</translation>
    </message>
    <message>
        <source>&amp;Add annotation</source>
        <translation>添加注释(&amp;A)</translation>
    </message>
    <message>
        <source>Add an annotation at the start of the current page (Insert)</source>
        <translation>在当前页的起点添加注释（Insert）</translation>
    </message>
    <message>
        <source>&amp;Delete annotation</source>
        <translation>删除注释(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Label page as &apos;%1&apos;</source>
        <translation>将本页标注为“%1”</translation>
    </message>
    <message>
        <source>Page %1 labelled &apos;%2&apos;</source>
        <translation>起于 %1 的页面已标注为“%2”</translation>
    </message>
    <message>
        <source>New annotation</source>
        <translation>新注释</translation>
    </message>
    <message>
        <source>Undo: %1</source>
        <translation>撤销：%1</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>没有可撤销的操作</translation>
    </message>
    <message>
        <source>Redo: %1</source>
        <translation>重做：%1</translation>
    </message>
    <message>
        <source>Nothing to redo</source>
        <translation>没有可重做的操作</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message numerus="yes">
        <source>%n annotation(s)</source>
        <translation>
            <numerusform>%n 条注释</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::SpectrumView</name>
    <message>
        <source>Frequency bands as name:low-high in Hz, separated by commas; Enter applies</source>
        <translation>频段，格式为 名称:下限-上限（Hz），以逗号分隔；按 Enter 应用</translation>
    </message>
    <message>
        <source>Bands</source>
        <translation>频段</translation>
    </message>
    <message>
        <source>Bands not changed: %1</source>
        <translation>频段未更改：%1</translation>
    </message>
    <message>
        <source>Copy table</source>
        <translation>复制表格</translation>
    </message>
    <message>
        <source>Copy the band powers as tab-separated text</source>
        <translation>将频段功率复制为制表符分隔的文本</translation>
    </message>
    <message>
        <source>Power spectral density (Welch)</source>
        <translation>功率谱密度（Welch）</translation>
    </message>
    <message>
        <source>Frequency (Hz)</source>
        <translation>频率（Hz）</translation>
    </message>
    <message>
        <source>Relative band power</source>
        <translation>相对频段功率</translation>
    </message>
    <message>
        <source>Relative power</source>
        <translation>相对功率</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>Average of EEG channels</source>
        <translation>EEG 通道平均</translation>
    </message>
    <message>
        <source>Band</source>
        <translation>频段</translation>
    </message>
    <message>
        <source>Range (Hz)</source>
        <translation>范围（Hz）</translation>
    </message>
    <message>
        <source>Power (%1)</source>
        <translation>功率（%1）</translation>
    </message>
    <message>
        <source>Relative (%)</source>
        <translation>相对值（%）</translation>
    </message>
    <message>
        <source>No recording</source>
        <translation>没有记录</translation>
    </message>
    <message>
        <source>Cannot analyse this page: %1</source>
        <translation>无法分析此页：%1</translation>
    </message>
    <message>
        <source>Power spectral density (Welch), %1</source>
        <translation>功率谱密度（Welch），%1</translation>
    </message>
    <message>
        <source>%1, %2–%3 s: peak %4 Hz, resolution %5 Hz</source>
        <translation>%1，%2–%3 秒：峰值 %4 Hz，分辨率 %5 Hz</translation>
    </message>
    <message numerus="yes">
        <source>mean of %n EEG channel(s)</source>
        <translation>
            <numerusform>%n 个 EEG 通道的平均</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::TraceView</name>
    <message>
        <source>EEG</source>
        <translation>脑电（EEG）</translation>
    </message>
    <message>
        <source>ECG</source>
        <translation>心电（ECG）</translation>
    </message>
    <message>
        <source>EMG</source>
        <translation>肌电（EMG）</translation>
    </message>
    <message>
        <source>EOG</source>
        <translation>眼电（EOG）</translation>
    </message>
    <message>
        <source>Respiration</source>
        <translation>呼吸</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>体温</translation>
    </message>
    <message>
        <source>Trigger / status</source>
        <translation>触发 / 状态</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Signal type</source>
        <translation>信号类型</translation>
    </message>
    <message>
        <source>Larger (%1 %2/div)</source>
        <translation>放大（%1 %2/格）</translation>
    </message>
    <message>
        <source>Smaller (%1 %2/div)</source>
        <translation>缩小（%1 %2/格）</translation>
    </message>
    <message>
        <source>Reset type and scale</source>
        <translation>重置类型和刻度</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="112"/>
        <source>Loading page…</source>
        <translation>正在加载页面…</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="112"/>
        <source>Open an EDF/BDF recording (File → Open, or drop it here)</source>
        <translation>打开 EDF/BDF 记录（文件 → 打开，或拖放到此处）</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::OverviewView</name>
    <message>
        <source>Overview of the whole recording: click or drag to move the page (keys ← → Home End)</source>
        <extracomment>Accessible name / tooltip of the overview strip under the traces</extracomment>
        <translation>整个记录的概览：单击或拖动以移动页面（按键 ← → Home End）</translation>
    </message>
    <message>
        <source>Recording overview</source>
        <translation>记录概览</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>Indexing the recording… %1%</source>
        <translation>正在索引记录… %1%</translation>
    </message>
</context>
<context>
    <name>neurolm::app::ExportSelectionDialog</name>
    <message>
        <source>Export selection</source>
        <translation>导出选区</translation>
    </message>
    <message>
        <source>Seconds (90.5), h:mm:ss (1:02:03.5) or a clock time (@23:15:00)</source>
        <translation>秒数（90.5）、h:mm:ss（1:02:03.5）或时钟时间（@23:15:00）</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>起始(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>结束(&amp;T)</translation>
    </message>
    <message>
        <source>The extension picks the format: .edf (EDF+), .bdf (BDF+), .csv, .npy (with a .json description)</source>
        <translation>扩展名决定格式：.edf（EDF+）、.bdf（BDF+）、.csv、.npy（附 .json 说明）</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>F&amp;ile</source>
        <translation>文件(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Channels</source>
        <translation>通道(&amp;C)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>EDF+ (*.edf);;BDF+ (*.bdf);;CSV (*.csv);;NumPy array (*.npy)</source>
        <translation>EDF+ (*.edf);;BDF+ (*.bdf);;CSV (*.csv);;NumPy 数组 (*.npy)</translation>
    </message>
    <message>
        <source>The range must end after it starts and within the recording (%1).</source>
        <translation>范围必须在开始之后结束，且位于记录之内（%1）。</translation>
    </message>
    <message>
        <source>Choose at least one channel.</source>
        <translation>请至少选择一个通道。</translation>
    </message>
    <message>
        <source>Unknown format: the file name must end in .edf, .bdf, .csv or .npy.</source>
        <translation>未知格式：文件名必须以 .edf、.bdf、.csv 或 .npy 结尾。</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::FilterDialog</name>
    <message>
        <source>Display filters</source>
        <translation>显示滤波器</translation>
    </message>
    <message>
        <source>All channels</source>
        <translation>所有通道</translation>
    </message>
    <message>
        <source>&amp;Channels:</source>
        <translation>通道(&amp;C):</translation>
    </message>
    <message>
        <source>&amp;Same as all channels</source>
        <extracomment>Per-channel scope of the filter dialog: this channel uses the filter set for all channels</extracomment>
        <translation>与所有通道相同(&amp;S)</translation>
    </message>
    <message>
        <source> Hz</source>
        <translation> Hz</translation>
    </message>
    <message>
        <source>&amp;High-pass</source>
        <translation>高通(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Low-pass</source>
        <translation>低通(&amp;L)</translation>
    </message>
    <message>
        <source>Butterworth order of each of the high-pass and low-pass; run forward and backward (zero phase), so the cut-offs are at −6 dB</source>
        <translation>高通和低通各自的巴特沃斯阶数；正向和反向各运行一次（零相位），因此截止频率处为 −6 dB</translation>
    </message>
    <message>
        <source>Butterworth &amp;order:</source>
        <translation>巴特沃斯阶数(&amp;O):</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>50 Hz</source>
        <translation>50 Hz</translation>
    </message>
    <message>
        <source>60 Hz</source>
        <translation>60 Hz</translation>
    </message>
    <message>
        <source>&amp;Notch:</source>
        <translation>陷波(&amp;N):</translation>
    </message>
    <message>
        <source>Also at the ha&amp;rmonics</source>
        <translation>同时滤除谐波(&amp;R)</translation>
    </message>
    <message>
        <source>Frequency response</source>
        <translation>频率响应</translation>
    </message>
    <message>
        <source>Frequency (Hz)</source>
        <translation>频率 (Hz)</translation>
    </message>
    <message>
        <source>Magnitude (dB)</source>
        <translation>幅度 (dB)</translation>
    </message>
    <message>
        <source>Not applicable at %1 Hz: %2</source>
        <translation>在 %1 Hz 下不可用：%2</translation>
    </message>
    <message>
        <source>Channel %1: %2</source>
        <translation>通道 %1：%2</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::MontageEditorDialog</name>
    <message>
        <source>Custom montage</source>
        <translation>自定义导联</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N):</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Terms</source>
        <translation>项</translation>
    </message>
    <message>
        <source>Terms: separated by &apos;;&apos;, each an optional weight and a channel, e.g. &quot;Fp1; -1 F7&quot; or &quot;Cz; -0.25 C3; -0.25 C4; -0.25 Fz; -0.25 Pz&quot;.</source>
        <extracomment>Help under the custom montage table: how to write the terms of a derivation</extracomment>
        <translation>项：以 &apos;;&apos; 分隔，每项为可选的权重和一个通道，例如 &quot;Fp1; -1 F7&quot; 或 &quot;Cz; -0.25 C3; -0.25 C4; -0.25 Fz; -0.25 Pz&quot;。</translation>
    </message>
    <message>
        <source>&amp;Add row</source>
        <translation>添加行(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Remove row</source>
        <translation>删除行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Load…</source>
        <translation>载入(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation>保存(&amp;S)…</translation>
    </message>
    <message>
        <source>Load montage</source>
        <translation>载入导联</translation>
    </message>
    <message>
        <source>Montage files (*.json);;All files (*)</source>
        <translation>导联文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save montage</source>
        <translation>保存导联</translation>
    </message>
    <message>
        <source>row %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>%1: the label is empty</source>
        <translation>%1：标签为空</translation>
    </message>
    <message>
        <source>%1: a term without a channel in &quot;%2&quot;</source>
        <translation>%1：“%2”中有一项没有通道</translation>
    </message>
    <message>
        <source>%1 (&apos;%2&apos;): no terms</source>
        <translation>%1（&apos;%2&apos;）：没有项</translation>
    </message>
    <message>
        <source>the montage has no derivations</source>
        <translation>该导联没有任何导出</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>custom montage</source>
        <translation>自定义导联</translation>
    </message>
</context>
<context>
    <name>neurolm::app::MontageControls</name>
    <message>
        <source>Referential (as recorded)</source>
        <translation>参考导联（按记录）</translation>
    </message>
    <message>
        <source>Common average reference</source>
        <translation>共同平均参考</translation>
    </message>
    <message>
        <source>Longitudinal bipolar (double banana)</source>
        <translation>纵向双极（双香蕉）</translation>
    </message>
    <message>
        <source>Transverse bipolar</source>
        <translation>横向双极</translation>
    </message>
    <message>
        <source>Laplacian</source>
        <translation>拉普拉斯</translation>
    </message>
    <message>
        <source>&amp;Montage</source>
        <translation>导联(&amp;M)</translation>
    </message>
    <message>
        <source>Montage</source>
        <translation>导联</translation>
    </message>
    <message>
        <source> Montage </source>
        <translation> 导联 </translation>
    </message>
    <message>
        <source>What each lane shows (Alt+M: Montage menu)</source>
        <translation>每条迹线显示的内容（Alt+M：导联菜单）</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>&amp;Edit custom montage…</source>
        <translation>编辑自定义导联(&amp;E)…</translation>
    </message>
    <message>
        <source>Display &amp;filters…</source>
        <translation>显示滤波器(&amp;F)…</translation>
    </message>
    <message>
        <source>Display filters: %1</source>
        <translation>显示滤波器：%1</translation>
    </message>
    <message>
        <source>The page could not be drawn: %1</source>
        <translation>无法绘制该页：%1</translation>
    </message>
    <message>
        <source>%1: the recording has no 10-20 channels for this montage</source>
        <translation>%1：该记录没有此导联所需的 10-20 通道</translation>
    </message>
    <message>
        <source>Custom: %1</source>
        <translation>自定义：%1</translation>
    </message>
    <message>
        <source>Open a recording first</source>
        <translation>请先打开记录</translation>
    </message>
    <message>
        <source>My montage</source>
        <translation>我的导联</translation>
    </message>
    <message>
        <source>&amp;Bad channels</source>
        <extracomment>Submenu of the Montage menu: channels checked here are left out of the average and Laplacian references</extracomment>
        <translation>坏通道(&amp;B)</translation>
    </message>
</context>
<context>
    <name>JobForms</name>
    <message>
        <source>Unknown stage &quot;%1&quot;.</source>
        <translation>未知阶段“%1”。</translation>
    </message>
    <message>
        <source>Choose a dataset definition.</source>
        <translation>请选择数据集定义。</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <source>Choose a run folder.</source>
        <translation>请选择运行文件夹。</translation>
    </message>
    <message>
        <source>The run folder must be an absolute path.</source>
        <translation>运行文件夹必须是绝对路径。</translation>
    </message>
    <message>
        <source>%1 already holds a run: choose another folder, or select that job and resume it.</source>
        <translation>%1 中已有一次运行：请选择其他文件夹，或选中该任务并继续它。</translation>
    </message>
    <message>
        <source>The %1 stage needs a tokenizer.</source>
        <translation>%1 阶段需要一个分词器。</translation>
    </message>
    <message>
        <source>The %1 stage needs a model to start from.</source>
        <translation>%1 阶段需要一个起始模型。</translation>
    </message>
    <message>
        <source>The learning rate must be a number in (0, 1], e.g. 5e-5.</source>
        <translation>学习率必须是 (0, 1] 内的数，例如 5e-5。</translation>
    </message>
    <message>
        <source>Other keys must be a JSON object, e.g. {&quot;device&quot;: &quot;cuda&quot;}.</source>
        <translation>其他键必须是一个 JSON 对象，例如 {&quot;device&quot;: &quot;cuda&quot;}。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is set by the form.</source>
        <translation>“%1”由表单设置。</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::JobsPanel</name>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>New job</source>
        <translation>新任务</translation>
    </message>
    <message>
        <source>vq: neural tokenizer</source>
        <translation>vq：神经分词器</translation>
    </message>
    <message>
        <source>pretrain: NeuroLM pre-training</source>
        <translation>pretrain：NeuroLM 预训练</translation>
    </message>
    <message>
        <source>instruct: instruction tuning</source>
        <translation>instruct：指令微调</translation>
    </message>
    <message>
        <source>eval: score a labelled split</source>
        <translation>eval：评估带标签的划分</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Dataset definition</source>
        <translation>数据集定义</translation>
    </message>
    <message>
        <source>Dataset definitions (*.json)</source>
        <translation>数据集定义 (*.json)</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>a new folder for this run</source>
        <translation>本次运行的新文件夹</translation>
    </message>
    <message>
        <source>Run folder</source>
        <translation>运行文件夹</translation>
    </message>
    <message>
        <source>model.safetensors of a vq run</source>
        <translation>某次 vq 运行的 model.safetensors</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Models (*.safetensors *.pt)</source>
        <translation>模型 (*.safetensors *.pt)</translation>
    </message>
    <message>
        <source>model.safetensors of a pretrain or instruct run</source>
        <translation>某次 pretrain 或 instruct 运行的 model.safetensors</translation>
    </message>
    <message>
        <source>Start from model</source>
        <translation>起始模型</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Max steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <source>Padded length</source>
        <translation>填充长度</translation>
    </message>
    <message>
        <source>Other keys (JSON)</source>
        <translation>其他键 (JSON)</translation>
    </message>
    <message>
        <source>Start job</source>
        <translation>开始任务</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Official defaults of %1: %2 epochs, batch size %3, learning rate %4, padded length %5.</source>
        <translation>%1 的官方默认值：%2 轮，批大小 %3，学习率 %4，填充长度 %5。</translation>
    </message>
    <message>
        <source>Official defaults of %1: batch size %2, padded length %3; nothing is trained.</source>
        <translation>%1 的官方默认值：批大小 %2，填充长度 %3；不进行训练。</translation>
    </message>
    <message>
        <source>Fix the fields marked above.</source>
        <translation>请修正上面标出的字段。</translation>
    </message>
    <message>
        <source>%1 cannot be created.</source>
        <translation>无法创建 %1。</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>正在启动 %1…</translation>
    </message>
    <message>
        <source>Started %1.</source>
        <translation>已启动 %1。</translation>
    </message>
    <message>
        <source>preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>preparing data: %1 of %2 files</source>
        <translation>准备数据：%1 / %2 个文件</translation>
    </message>
    <message>
        <source>resumed %1 at step %2 of %3 on %4</source>
        <translation>在 %4 上从第 %2 步（共 %3 步）继续 %1</translation>
    </message>
    <message>
        <source>started %1: %2 steps on %3</source>
        <translation>已开始 %1：在 %3 上共 %2 步</translation>
    </message>
    <message>
        <source>step %1/%2  loss %3  lr %4  %5 samples/s</source>
        <translation>第 %1/%2 步  损失 %3  学习率 %4  %5 样本/秒</translation>
    </message>
    <message>
        <source>%1 metrics at step %2: %3</source>
        <translation>第 %2 步的 %1 指标：%3</translation>
    </message>
    <message>
        <source>checkpoint at step %1</source>
        <translation>第 %1 步的检查点</translation>
    </message>
    <message>
        <source>done at step %1: %2</source>
        <translation>在第 %1 步完成：%2</translation>
    </message>
    <message>
        <source>stopped at step %1 (exit code %2)</source>
        <translation>在第 %1 步停止（退出码 %2）</translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>%1 · %2 · step %3/%4 · %5</source>
        <translation>%1 · %2 · 第 %3/%4 步 · %5</translation>
    </message>
    <message>
        <source>No job selected. Start one in the &quot;New job&quot; tab.</source>
        <translation>未选择任务。请在“新任务”标签页中启动一个。</translation>
    </message>
    <message>
        <source>job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>the process ended with exit code %1 without a final report</source>
        <translation>进程以退出码 %1 结束，未给出最终报告</translation>
    </message>
    <message>
        <source>the process ended without a final report</source>
        <translation>进程结束，未给出最终报告</translation>
    </message>
    <message>
        <source> · last checkpoint: step %1</source>
        <translation> · 最新检查点：第 %1 步</translation>
    </message>
    <message>
        <source> · %1</source>
        <translation> · %1</translation>
    </message>
    <message>
        <source>preparing data: %v of %m files</source>
        <translation>准备数据：%v / %m 个文件</translation>
    </message>
    <message>
        <source>step %1 of %2 (%p%)</source>
        <translation>第 %1 步，共 %2 步（%p%）</translation>
    </message>
    <message>
        <source> · ETA %1</source>
        <translation> · 预计剩余 %1</translation>
    </message>
    <message>
        <source> · loss %1</source>
        <translation> · 损失 %1</translation>
    </message>
</context>
<context>
    <name>neurolm::app::LocalJobRunner</name>
    <message>
        <source>%1 is not an executable.</source>
        <translation>%1 不是可执行文件。</translation>
    </message>
    <message>
        <source>A job is already running in %1.</source>
        <translation>%1 中已有任务在运行。</translation>
    </message>
    <message>
        <source>%1 cannot be created: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
    <message>
        <source>setsid /bin/sh could not be started: %1</source>
        <translation>无法启动 setsid /bin/sh：%1</translation>
    </message>
</context>
</TS>
