<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatConversation</name>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="183"/>
        <source>NeuroLM conversation</source>
        <translation>NeuroLM 对话</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="189"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="192"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="194"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="197"/>
        <source>Channels</source>
        <translation>通道</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="201"/>
        <source>Montage</source>
        <translation>导联</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="203"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="206"/>
        <source>Decoding</source>
        <translation>解码</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="207"/>
        <source>sampled</source>
        <translation>采样</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="208"/>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="209"/>
        <source>max new tokens</source>
        <translation>最多新词元数</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="220"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="223"/>
        <source>Answer shown</source>
        <translation>显示的回答</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="227"/>
        <source>Instruction</source>
        <translation>指令</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="230"/>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="234"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="236"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="240"/>
        <source>Option</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatConversation.cpp" line="241"/>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
</context>
<context>
    <name>ComputeDeviceText</name>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="11"/>
        <source>CPU — %1 cores, %2 GiB free memory</source>
        <translation>CPU — %1 核，%2 GiB 可用内存</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="12"/>
        <source>CPU — %1 cores, free memory unknown</source>
        <translation>CPU — %1 核，可用内存未知</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="13"/>
        <source>CUDA device %1</source>
        <translation>CUDA 设备 %1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="15"/>
        <source>%1 (cuda:%2) — %3 of %4 GiB free</source>
        <translation>%1（cuda:%2）— %4 GiB 中 %3 GiB 可用</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="16"/>
        <source>%1 (cuda:%2) — %3 GiB free</source>
        <translation>%1（cuda:%2）— %3 GiB 可用</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="17"/>
        <source>%1 (cuda:%2) — free memory unknown</source>
        <translation>%1（cuda:%2）— 可用显存未知</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="25"/>
        <source>no CUDA device: this LibTorch build has no CUDA</source>
        <translation>无 CUDA 设备：此 LibTorch 构建不含 CUDA</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="27"/>
        <source>no CUDA device: no NVIDIA driver is loaded</source>
        <translation>无 CUDA 设备：未加载 NVIDIA 驱动</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/ComputeDevice.cpp" line="29"/>
        <source>no CUDA device: the NVIDIA driver sees no GPU</source>
        <translation>无 CUDA 设备：NVIDIA 驱动未发现 GPU</translation>
    </message>
</context>
<context>
    <name>JobForms</name>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="87"/>
        <source>Unknown stage &quot;%1&quot;.</source>
        <translation>未知阶段“%1”。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="91"/>
        <source>Choose a dataset definition.</source>
        <translation>请选择数据集定义。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="93"/>
        <location filename="../widgets/jobs/JobForm.cpp" line="118"/>
        <location filename="../widgets/jobs/JobForm.cpp" line="125"/>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="96"/>
        <source>Choose a run folder.</source>
        <translation>请选择运行文件夹。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="98"/>
        <source>The run folder must be an absolute path.</source>
        <translation>运行文件夹必须是绝对路径。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="102"/>
        <source>%1 already holds a run: choose another folder, or select that job and resume it.</source>
        <translation>%1 中已有一次运行：请选择其他文件夹，或选中该任务并继续它。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="113"/>
        <source>A job cannot wait for itself.</source>
        <translation>任务不能等待自身。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="116"/>
        <source>The %1 stage needs a tokenizer.</source>
        <translation>%1 阶段需要一个分词器。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="123"/>
        <source>The %1 stage needs a model to start from.</source>
        <translation>%1 阶段需要一个起始模型。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="133"/>
        <source>The learning rate must be a number in (0, 1], e.g. 5e-5.</source>
        <translation>学习率必须是 (0, 1] 内的数，例如 5e-5。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="137"/>
        <source>Unknown scheduler &quot;%1&quot;.</source>
        <translation>未知的调度方式“%1”。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="140"/>
        <source>A partition name has no spaces or quotes.</source>
        <translation>分区名称不能包含空格或引号。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="144"/>
        <source>The memory must not be negative.</source>
        <translation>内存不能为负数。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="148"/>
        <source>The stop warning must be between 0 and 65535 s.</source>
        <translation>停止预警必须在 0 到 65535 秒之间。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="153"/>
        <source>The time limit (%1 min) must be longer than the stop warning before it (%2 s).</source>
        <translation>时间限制（%1 分钟）必须长于其前的停止预警（%2 秒）。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="150"/>
        <source>Other keys must be a JSON object, e.g. {&quot;warmup_epochs&quot;: 0}.</source>
        <translation>其他键必须是一个 JSON 对象，例如 {&quot;warmup_epochs&quot;: 0}。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="155"/>
        <source>&quot;%1&quot; is set by the form.</source>
        <translation>“%1”由表单设置。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="158"/>
        <source>Unknown device &quot;%1&quot; (cpu or cuda).</source>
        <translation>未知设备“%1”（应为 cpu 或 cuda）。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="179"/>
        <source>This computer cannot train on CUDA (%1): choose the CPU, or run on Slurm with GPUs.</source>
        <translation>此计算机无法在 CUDA 上训练（%1）：请选择 CPU，或在 Slurm 上使用 GPU 运行。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobForm.cpp" line="180"/>
        <source>no CUDA device was listed</source>
        <translation>未列出任何 CUDA 设备</translation>
    </message>
</context>
<context>
    <name>JobPresets</name>
    <message>
        <location filename="../widgets/jobs/JobPresets.cpp" line="61"/>
        <source>Small model for this CPU (the embedded recipe)</source>
        <translation>适合本机 CPU 的小模型（内置配方）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobPresets.cpp" line="62"/>
        <source>Smoke test (a few steps, tiny sizes)</source>
        <translation>冒烟测试（几步，极小尺寸）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobPresets.cpp" line="63"/>
        <source>Official defaults</source>
        <translation>官方默认值</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobPresets.cpp" line="69"/>
        <source>A few steps of a tiny model, logged every step: checks a dataset and the pipeline in a minute.</source>
        <translation>极小模型训练几步，每步记录日志：一分钟内检查数据集和流程。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobPresets.cpp" line="71"/>
        <source>The values of models/recipes/embedded/%1, which trained the shipped model.</source>
        <translation>models/recipes/embedded/%1 中的值，即训练随附模型所用的配置。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobPresets.cpp" line="73"/>
        <source>The official NeuroLM defaults of the %1 stage.</source>
        <translation>%1 阶段的 NeuroLM 官方默认值。</translation>
    </message>
</context>
<context>
    <name>StudioOptions</name>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="18"/>
        <source>%1 needs a value</source>
        <translation>%1 需要一个值</translation>
    </message>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="27"/>
        <source>unknown option %1</source>
        <translation>未知选项 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="32"/>
        <source>more than one file given</source>
        <translation>给出了多个文件</translation>
    </message>
    <message>
        <location filename="../app/studio/StudioOptions.cpp" line="37"/>
        <source>--tokenizer needs --model</source>
        <translation>--tokenizer 需要同时指定 --model</translation>
    </message>
</context>
<context>
    <name>TraceView</name>
    <message>
        <location filename="../widgets/traces/TraceRenderer.cpp" line="196"/>
        <source>%1 %2/div</source>
        <extracomment>Per-lane scale under a channel label: amplitude per division (half a lane) and its unit, e.g. &quot;100 µV&quot;</extracomment>
        <translation>%1 %2/格</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceRenderer.cpp" line="332"/>
        <source>gain ×%1</source>
        <extracomment>Global gain legend of the trace view; %1 is the factor applied to every lane&apos;s scale</extracomment>
        <translation>增益 ×%1</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceRenderer.cpp" line="324"/>
        <source>gap %1</source>
        <extracomment>Marker on the time axis of an EDF+D recording: %1 is the time without data between two records</extracomment>
        <translation>间隙 %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main_studio.cpp" line="39"/>
        <source>usage: neurolm-studio [FILE] [--lang LOCALE] [--model NEUROLM [--tokenizer VQ]]
                      [--screenshot PNG]
  FILE            EDF/EDF+/BDF/BDF+ recording (default: the embedded sample)
  --lang LOCALE   user interface language, e.g. zh_CN
  --model PATH    NeuroLM model for the chat (default: the embedded model)
  --tokenizer P   its VQ tokenizer (optional)
  --screenshot P  save the window with its first page to P and quit</source>
        <translation>用法：neurolm-studio [文件] [--lang 语言区域] [--model NEUROLM [--tokenizer VQ]]
                      [--screenshot PNG]
  文件            EDF/EDF+/BDF/BDF+ 记录（默认：内置示例）
  --lang 语言区域  界面语言，例如 zh_CN
  --model PATH    对话使用的 NeuroLM 模型（默认：内置模型）
  --tokenizer P   其 VQ 分词器（可选）
  --screenshot P  保存显示第一页的窗口截图到 P 并退出</translation>
    </message>
</context>
<context>
    <name>neurolm::app::ExportSelectionDialog</name>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="21"/>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="72"/>
        <source>Export selection</source>
        <translation>导出选区</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="28"/>
        <source>Seconds (90.5), h:mm:ss (1:02:03.5) or a clock time (@23:15:00)</source>
        <translation>秒数（90.5）、h:mm:ss（1:02:03.5）或时钟时间（@23:15:00）</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="31"/>
        <source>&amp;From</source>
        <translation>起始(&amp;F)</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="32"/>
        <source>&amp;To</source>
        <translation>结束(&amp;T)</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="36"/>
        <source>The extension picks the format: .edf (EDF+), .bdf (BDF+), .csv, .npy (with a .json description)</source>
        <translation>扩展名决定格式：.edf（EDF+）、.bdf（BDF+）、.csv、.npy（附 .json 说明）</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="38"/>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="42"/>
        <source>F&amp;ile</source>
        <translation>文件(&amp;I)</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="44"/>
        <source>&amp;Channels</source>
        <translation>通道(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="60"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="73"/>
        <source>EDF+ (*.edf);;BDF+ (*.bdf);;CSV (*.csv);;NumPy array (*.npy)</source>
        <translation>EDF+ (*.edf);;BDF+ (*.bdf);;CSV (*.csv);;NumPy 数组 (*.npy)</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="88"/>
        <source>The range must end after it starts and within the recording (%1).</source>
        <translation>范围必须在开始之后结束，且位于记录之内（%1）。</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="98"/>
        <source>Choose at least one channel.</source>
        <translation>请至少选择一个通道。</translation>
    </message>
    <message>
        <location filename="../app/studio/ExportSelectionDialog.cpp" line="105"/>
        <source>Unknown format: the file name must end in .edf, .bdf, .csv or .npy.</source>
        <translation>未知格式：文件名必须以 .edf、.bdf、.csv 或 .npy 结尾。</translation>
    </message>
</context>
<context>
    <name>neurolm::app::LocalJobRunner</name>
    <message>
        <location filename="../app/studio/LocalJobRunner.cpp" line="71"/>
        <source>%1 is not an executable.</source>
        <translation>%1 不是可执行文件。</translation>
    </message>
    <message>
        <location filename="../app/studio/LocalJobRunner.cpp" line="74"/>
        <source>A job is already running in %1.</source>
        <translation>%1 中已有任务在运行。</translation>
    </message>
    <message>
        <location filename="../app/studio/LocalJobRunner.cpp" line="80"/>
        <source>%1 cannot be created: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/LocalJobRunner.cpp" line="99"/>
        <source>setsid /bin/sh could not be started: %1</source>
        <translation>无法启动 setsid /bin/sh：%1</translation>
    </message>
</context>
<context>
    <name>neurolm::app::MainWindow</name>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="138"/>
        <source>Training jobs</source>
        <translation>训练任务</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="70"/>
        <source>NeuroLM Studio</source>
        <translation>NeuroLM Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="100"/>
        <source>File report</source>
        <translation>文件报告</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="113"/>
        <source>Spectrum</source>
        <translation>频谱</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="121"/>
        <source>Spectrogram</source>
        <translation>时频谱</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="149"/>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="161"/>
        <source>Loading the model %1…</source>
        <translation>正在加载模型 %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="174"/>
        <source>The model could not be loaded</source>
        <translation>无法加载模型</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="175"/>
        <source>Could not load the model: %1</source>
        <translation>无法加载模型：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="182"/>
        <source>Code usage</source>
        <translation>码元使用</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="282"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="283"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="292"/>
        <source>Load &amp;model…</source>
        <translation>加载模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="295"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="298"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="299"/>
        <source>&amp;Next page</source>
        <translation>下一页(&amp;N)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="300"/>
        <source>&amp;Previous page</source>
        <translation>上一页(&amp;P)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="357"/>
        <source>Page</source>
        <translation>页面</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="359"/>
        <source>Page length </source>
        <translation>页长 </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="362"/>
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="362"/>
        <source>%n min</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="370"/>
        <source> Gain </source>
        <translation> 增益 </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="376"/>
        <source>×</source>
        <translation>×</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="377"/>
        <source>Factor on every lane&apos;s scale (keys + and −, Ctrl+wheel)</source>
        <translation>应用于每个通道刻度的系数（按键 + 和 −，Ctrl+滚轮）</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="1051"/>
        <source>Load NeuroLM model</source>
        <translation>加载 NeuroLM 模型</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="1052"/>
        <source>NeuroLM models (*.safetensors *.pt);;All files (*)</source>
        <translation>NeuroLM 模型 (*.safetensors *.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="1068"/>
        <source>%1 is a tokenizer: load a NeuroLM model first, then use it as that model&apos;s tokenizer.</source>
        <translation>%1 是分词器：请先加载一个 NeuroLM 模型，再将其用作该模型的分词器。</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="302"/>
        <source>&amp;Clip traces to their lanes</source>
        <translation>将曲线限制在各自通道内(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="404"/>
        <source>Open recording</source>
        <translation>打开记录</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="405"/>
        <source>EEG recordings (*.edf *.EDF *.bdf *.BDF);;All files (*)</source>
        <translation>脑电记录 (*.edf *.EDF *.bdf *.BDF);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="414"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="456"/>
        <source>%1 — NeuroLM Studio</source>
        <translation>%1 — NeuroLM Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="466"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="498"/>
        <source>Could not open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="500"/>
        <source>Open failed</source>
        <translation>打开失败</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="742"/>
        <source>%1 – %2 of %3</source>
        <translation>%1 – %2（共 %3）</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="747"/>
        <source>indexing %1%</source>
        <translation>正在建立索引 %1%</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="765"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="766"/>
        <source>Start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="768"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="769"/>
        <location filename="../app/studio/MainWindow.cpp" line="793"/>
        <source>Channels</source>
        <translation>通道</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="128"/>
        <location filename="../app/studio/MainWindow.cpp" line="770"/>
        <source>Annotations</source>
        <translation>注释</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="771"/>
        <source>indexing…</source>
        <translation>正在建立索引…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="781"/>
        <source>Repair report</source>
        <translation>修复报告</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="785"/>
        <source>No repairs were needed.</source>
        <translation>无需修复。</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="446"/>
        <source>the file holds annotations only, no signals. Open its recording first, then open this file to add its annotations.</source>
        <translation>该文件只包含注释，没有信号。请先打开对应的记录，再打开此文件以添加其注释。</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="837"/>
        <source>&amp;Annotations</source>
        <translation>注释(&amp;A)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="843"/>
        <source>&amp;Quick labels</source>
        <translation>快速标签(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="846"/>
        <source>Import &amp;CSV…</source>
        <translation>导入 CSV(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="848"/>
        <source>Import &amp;EDF+…</source>
        <translation>导入 EDF+(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="850"/>
        <source>Export C&amp;SV…</source>
        <translation>导出 CSV(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="852"/>
        <source>Export ED&amp;F+…</source>
        <translation>导出 EDF+(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="521"/>
        <location filename="../app/studio/MainWindow.cpp" line="546"/>
        <location filename="../app/studio/MainWindow.cpp" line="566"/>
        <location filename="../app/studio/MainWindow.cpp" line="652"/>
        <location filename="../app/studio/MainWindow.cpp" line="858"/>
        <location filename="../app/studio/MainWindow.cpp" line="978"/>
        <source>Open a recording first</source>
        <translation>请先打开一个记录</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="862"/>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="863"/>
        <source>EDF+ files (*.edf *.EDF *.bdf *.BDF);;All files (*)</source>
        <translation>EDF+ 文件 (*.edf *.EDF *.bdf *.BDF);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="864"/>
        <source>Import annotations</source>
        <translation>导入注释</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="864"/>
        <source>Export annotations</source>
        <translation>导出注释</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="926"/>
        <source>The annotation file could not be read, so annotation changes will not be saved: %1</source>
        <translation>无法读取注释文件，因此注释的更改不会被保存：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="963"/>
        <source>Annotations could not be saved: %1</source>
        <translation>无法保存注释：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="1000"/>
        <source>Could not import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="1040"/>
        <source>Could not export the annotations: %1</source>
        <translation>无法导出注释：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="1006"/>
        <source>Imported %n annotation(s) from %1</source>
        <translation>
            <numerusform>已从 %1 导入 %n 条注释</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="1038"/>
        <source>Exported %n annotation(s) to %1</source>
        <translation>
            <numerusform>已将 %n 条注释导出到 %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="777"/>
        <source>Gaps</source>
        <translation>间断</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/MainWindow.cpp" line="778"/>
        <source>%n gap(s), %1 s without data</source>
        <translation>
            <numerusform>%n 处间断，共 %1 秒无数据</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="89"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="307"/>
        <source>&amp;Go to time…</source>
        <translation>转到时间(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="315"/>
        <source>&amp;Longer page</source>
        <extracomment>View menu: next longer page length of the page-length list (1 s ... 60 min)</extracomment>
        <translation>更长的页面(&amp;L)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="320"/>
        <source>&amp;Shorter page</source>
        <translation>更短的页面(&amp;S)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="323"/>
        <source>Clock &amp;time on the axis</source>
        <translation>坐标轴显示时钟时间(&amp;T)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="329"/>
        <source>Label the time axis with the time of day (from the recording&apos;s start time) instead of the time from the start</source>
        <translation>用一天中的时刻（由记录的开始时间推算）标注时间轴，而不是从开始起的时间</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="332"/>
        <source>&amp;Export view as</source>
        <translation>导出视图为(&amp;E)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="333"/>
        <source>&amp;PNG image…</source>
        <translation>PNG 图像(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="334"/>
        <source>P&amp;DF document…</source>
        <translation>PDF 文档(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="336"/>
        <source>&amp;SVG drawing…</source>
        <translation>SVG 矢量图(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="287"/>
        <source>&amp;Export selection…</source>
        <translation>导出选区(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="167"/>
        <source>The chat now uses %1 from %2</source>
        <extracomment>Status bar after a model loaded: %1 its file name and size, %2 its folder</extracomment>
        <translation>对话现在使用 %2 中的 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="289"/>
        <source>&amp;Cancel export</source>
        <translation>取消导出(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="386"/>
        <source> Go to </source>
        <extracomment>Toolbar: label of the box that moves the page to a typed time</extracomment>
        <translation> 转到 </translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="391"/>
        <source>90, 1:02:03, @23:15</source>
        <extracomment>Placeholder of the go-to box: seconds, h:mm:ss from the start, or @ and a clock time of day</extracomment>
        <translation>90, 1:02:03, @23:15</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="393"/>
        <source>Go to a time (Ctrl+G): seconds (90.5), h:mm:ss(.s) from the start (1:02:03.5), or a clock time of day with @ (@23:15:00). Enter moves the page there.</source>
        <translation>转到某个时间（Ctrl+G）：秒数（90.5）、从开始起的 h:mm:ss(.s)（1:02:03.5），或以 @ 开头的时钟时间（@23:15:00）。按 Enter 将页面移到该处。</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="530"/>
        <source>%1 is after the end of the recording (%2)</source>
        <translation>%1 在记录结束（%2）之后</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="539"/>
        <source>Cannot go there: %1</source>
        <translation>无法转到该处：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="551"/>
        <source>Export view</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="565"/>
        <source>Unknown image format of %1 (expected .png, .pdf or .svg)</source>
        <translation>%1 的图像格式未知（应为 .png、.pdf 或 .svg）</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="583"/>
        <source>%1, %2 from %3</source>
        <translation>%1，自 %3 起 %2</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="637"/>
        <source>Saved the view to %1</source>
        <translation>已将视图保存到 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="640"/>
        <source>Could not export the view to %1: %2</source>
        <translation>无法将视图导出到 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="676"/>
        <source>Exporting to %1…</source>
        <translation>正在导出到 %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="689"/>
        <source>Exporting to %1… %2%</source>
        <translation>正在导出到 %1… %2%</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="705"/>
        <source>Exported the selection to %1</source>
        <translation>已将选区导出到 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="708"/>
        <source>Could not export the selection: %1</source>
        <translation>无法导出选区：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MainWindow.cpp" line="326"/>
        <source>Clock time</source>
        <extracomment>Short toolbar text of the &quot;Clock time on the axis&quot; toggle</extracomment>
        <translation>时钟时间</translation>
    </message>
</context>
<context>
    <name>neurolm::app::MontageControls</name>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="26"/>
        <source>Referential (as recorded)</source>
        <translation>参考导联（按记录）</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="28"/>
        <source>Common average reference</source>
        <translation>共同平均参考</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="30"/>
        <source>Longitudinal bipolar (double banana)</source>
        <translation>纵向双极（双香蕉）</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="32"/>
        <source>Transverse bipolar</source>
        <translation>横向双极</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="36"/>
        <source>Laplacian</source>
        <translation>拉普拉斯</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="44"/>
        <source>&amp;Montage</source>
        <translation>导联(&amp;M)</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="46"/>
        <source>Montage</source>
        <translation>导联</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="48"/>
        <source> Montage </source>
        <translation> 导联 </translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="54"/>
        <source>What each lane shows (Alt+M: Montage menu)</source>
        <translation>每条迹线显示的内容（Alt+M：导联菜单）</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="62"/>
        <location filename="../app/studio/MontageControls.cpp" line="179"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="67"/>
        <source>&amp;Edit custom montage…</source>
        <translation>编辑自定义导联(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="68"/>
        <source>&amp;Open montage file…</source>
        <translation>打开导联文件(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="91"/>
        <source>Display &amp;filters…</source>
        <translation>显示滤波器(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="105"/>
        <source>Display filters: %1</source>
        <translation>显示滤波器：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="108"/>
        <source>The page could not be drawn: %1</source>
        <translation>无法绘制该页：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="126"/>
        <source>%1: the recording has no 10-20 channels for this montage</source>
        <translation>%1：该记录没有此导联所需的 10-20 通道</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="166"/>
        <source>Custom: %1</source>
        <translation>自定义：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="191"/>
        <location filename="../app/studio/MontageControls.cpp" line="212"/>
        <location filename="../app/studio/MontageControls.cpp" line="243"/>
        <location filename="../app/studio/MontageControls.cpp" line="267"/>
        <source>Open a recording first</source>
        <translation>请先打开记录</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="222"/>
        <source>My montage</source>
        <translation>我的导联</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="258"/>
        <source>Montage file %1 not used, showing the referential montage: %2</source>
        <extracomment>Status bar; %1 is a montage file, %2 why it could not be used (file missing, malformed, channels)</extracomment>
        <translation>未使用导联文件 %1，改为显示参考导联：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="270"/>
        <source>Open montage file</source>
        <translation>打开导联文件</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="271"/>
        <source>Montage files (*.json);;All files (*)</source>
        <translation>导联文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/MontageControls.cpp" line="70"/>
        <source>&amp;Bad channels</source>
        <extracomment>Submenu of the Montage menu: channels checked here are left out of the average and Laplacian references</extracomment>
        <translation>坏通道(&amp;B)</translation>
    </message>
</context>
<context>
    <name>neurolm::app::RuntimeChatBackend</name>
    <message>
        <location filename="../app/studio/RuntimeChatBackend.cpp" line="56"/>
        <source>Loading the model %1…</source>
        <translation>正在加载模型 %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/RuntimeChatBackend.cpp" line="60"/>
        <source>The model could not be loaded: %1</source>
        <translation>无法加载模型：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/RuntimeChatBackend.cpp" line="97"/>
        <source>No model loaded. Load one with File → Load model…</source>
        <translation>未加载模型。请通过 文件 → 加载模型… 加载一个模型</translation>
    </message>
    <message>
        <location filename="../app/studio/RuntimeChatBackend.cpp" line="98"/>
        <source>No model loaded: the embedded model %1 is not there. Load a NeuroLM model with File → Load model… (neurolm init writes a random one for trying the pane).</source>
        <translation>未加载模型：内置模型 %1 不存在。请通过 文件 → 加载模型… 加载 NeuroLM 模型（neurolm init 可生成一个随机模型用于试用此面板）。</translation>
    </message>
</context>
<context>
    <name>neurolm::app::SessionSettings</name>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="42"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="92"/>
        <source>&amp;%1 %2  (%3)</source>
        <extracomment>File → Open recent entry: number (mnemonic), file name, folder</extracomment>
        <translation>&amp;%1 %2  (%3)</translation>
    </message>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="95"/>
        <source>(missing)</source>
        <translation>(已不存在)</translation>
    </message>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="99"/>
        <source>%1 no longer exists</source>
        <translation>%1 已不存在</translation>
    </message>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="101"/>
        <source>No recent files</source>
        <translation>没有最近的文件</translation>
    </message>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="103"/>
        <source>&amp;Clear list</source>
        <translation>清空列表(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/SessionSettings.cpp" line="114"/>
        <source>Recent files no longer found: %1</source>
        <translation>找不到以下最近的文件：%1</translation>
    </message>
</context>
<context>
    <name>neurolm::app::SlurmJobRunner</name>
    <message>
        <location filename="../app/studio/SlurmJobRunner.cpp" line="43"/>
        <source>Slurm job %1 of %2 has not ended yet.</source>
        <translation>%2 的 Slurm 作业 %1 尚未结束。</translation>
    </message>
    <message>
        <location filename="../app/studio/SlurmJobRunner.cpp" line="68"/>
        <source>Slurm job %1 was submitted, but %2 cannot be written: %3</source>
        <translation>Slurm 作业 %1 已提交，但无法写入 %2：%3</translation>
    </message>
    <message>
        <location filename="../app/studio/SlurmJobRunner.cpp" line="120"/>
        <source>Slurm job %1: %2</source>
        <translation>Slurm 作业 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/SlurmJobRunner.cpp" line="107"/>
        <source>Slurm job %1</source>
        <translation>Slurm 作业 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/SlurmJobRunner.cpp" line="134"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::AnnotationTableModel</name>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="110"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="114"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="118"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="120"/>
        <source>user</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="122"/>
        <source>imported</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="141"/>
        <source>%1 s from the start of the recording</source>
        <translation>距记录开始 %1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="153"/>
        <source>Onset</source>
        <translation>起始时间</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="155"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="157"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="159"/>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="161"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="182"/>
        <source>&apos;%1&apos; is not a time (seconds, or h:mm:ss)</source>
        <translation>“%1”不是时间（秒，或 h:mm:ss）</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="191"/>
        <source>&apos;%1&apos; is not a duration (seconds &gt;= 0)</source>
        <translation>“%1”不是时长（秒数 &gt;= 0）</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationTableModel.cpp" line="199"/>
        <source>An annotation needs a text</source>
        <translation>注释需要文本</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::AnnotationsDock</name>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="22"/>
        <source>Artifact</source>
        <translation>伪迹</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="23"/>
        <source>Arousal</source>
        <translation>觉醒</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="23"/>
        <source>Seizure</source>
        <translation>癫痫发作</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="23"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="35"/>
        <source>Filter annotations</source>
        <translation>筛选注释</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="78"/>
        <source>&amp;Add annotation</source>
        <translation>添加注释(&amp;A)</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="80"/>
        <source>Add an annotation at the start of the current page (Insert)</source>
        <translation>在当前页的起点添加注释（Insert）</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="81"/>
        <source>&amp;Delete annotation</source>
        <translation>删除注释(&amp;D)</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="83"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="85"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="161"/>
        <source>Label page as &apos;%1&apos;</source>
        <translation>将本页标注为“%1”</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="179"/>
        <source>Page %1 labelled &apos;%2&apos;</source>
        <translation>起于 %1 的页面已标注为“%2”</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="186"/>
        <source>New annotation</source>
        <translation>新注释</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="236"/>
        <source>Undo: %1</source>
        <translation>撤销：%1</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="237"/>
        <source>Nothing to undo</source>
        <translation>没有可撤销的操作</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="238"/>
        <source>Redo: %1</source>
        <translation>重做：%1</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="239"/>
        <source>Nothing to redo</source>
        <translation>没有可重做的操作</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="243"/>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="88"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="89"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="90"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="91"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/annotations/AnnotationsDock.cpp" line="242"/>
        <source>%n annotation(s)</source>
        <translation>
            <numerusform>%n 条注释</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::ChatPane</name>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="148"/>
        <source>What the next question is about: the page shown, or a range dragged on the traces (the model reads whole seconds, up to the length it accepts for these channels)</source>
        <translation>下一个问题所针对的内容：当前显示的页面，或在波形上拖选的时间范围（模型读取整秒，最长为其对这些通道可接受的长度）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="161"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="178"/>
        <source>Ask about this EEG segment, e.g. &quot;Question: Is this EEG segment of high workload? Answer:&quot; (Ctrl+Enter sends)</source>
        <translation>询问这段脑电，例如 &quot;Question: Is this EEG segment of high workload? Answer:&quot;（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="180"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="188"/>
        <source>&amp;Options</source>
        <extracomment>Chat pane: label of the answer options box</extracomment>
        <translation>选项(&amp;O)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="191"/>
        <source>Yes, No</source>
        <translation>Yes, No</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="193"/>
        <source>Answer options to score, separated by commas; each is scored as the answer&apos;s continuation after a space (&quot;Yes&quot; is scored as &quot; Yes&quot;)</source>
        <translation>要评分的回答选项，用逗号分隔；每个选项作为回答在一个空格之后的续写来评分（&quot;Yes&quot; 按 &quot; Yes&quot; 评分）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="199"/>
        <source>&amp;Max tokens</source>
        <extracomment>Chat pane: label of the answer length limit (new tokens)</extracomment>
        <translation>最多词元(&amp;M)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="206"/>
        <source>S&amp;ample</source>
        <translation>采样(&amp;A)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="207"/>
        <source>Sample the answer (temperature 1) instead of the greedy choice</source>
        <translation>对回答进行采样（温度 1），而不是贪心选择</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="217"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="659"/>
        <source>%v of %m windows</source>
        <extracomment>Progress bar of &quot;Ask about the whole recording&quot;: %v windows scored of %m</extracomment>
        <translation>%v / %m 个窗口</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="218"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="219"/>
        <source>Stop after the batch of windows being scored (nothing partial is drawn)</source>
        <translation>在当前这批窗口评分完成后停止（不绘制部分结果）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="228"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="231"/>
        <source>Conversation as &amp;Markdown…</source>
        <translation>将对话导出为 &amp;Markdown…</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="233"/>
        <source>Conversation as &amp;JSON…</source>
        <translation>将对话导出为 &amp;JSON…</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="236"/>
        <source>&amp;Clear conversation</source>
        <translation>清空对话(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="241"/>
        <source>&amp;Whole recording</source>
        <translation>整段记录(&amp;W)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="243"/>
        <source>Ask about the whole recording: a question with answer options over every window of the recording (windows as long as the context chip&apos;s, one after another); the probability of an option is drawn under the overview</source>
        <translation>询问整段记录：对记录的每个窗口提出带答案选项的问题（窗口长度与上下文标签相同，首尾相接）；某个选项的概率绘制在概览条下方</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="251"/>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="252"/>
        <source>Stop the answer at its next token (Esc)</source>
        <translation>在下一个词元处停止回答（Esc）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="254"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="484"/>
        <source>&amp;Send</source>
        <translation>发送(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="256"/>
        <source>Ask the model (Ctrl+Enter)</source>
        <translation>向模型提问（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="338"/>
        <source>The chat history could not be read (a new one starts): %1</source>
        <translation>无法读取对话历史（将开始新的对话）：%1</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="381"/>
        <source>&lt;b&gt;Model&lt;/b&gt; %1 · %2</source>
        <translation>&lt;b&gt;模型&lt;/b&gt; %1 · %2</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="386"/>
        <source>No model loaded. Load a NeuroLM model with File → Load model…</source>
        <translation>未加载模型。请通过 文件 → 加载模型… 加载 NeuroLM 模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="413"/>
        <source>Ask “%1” about the whole recording</source>
        <extracomment>Chat pane, &quot;Whole recording&quot; menu: %1 is a task of the model (e.g. Workload)</extracomment>
        <translation>对整段记录询问“%1”</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="416"/>
        <source>Ask the typed question (with its options) about the whole recording</source>
        <translation>对整段记录询问输入的问题（及其选项）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="440"/>
        <source>referential</source>
        <translation>参考导联</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="447"/>
        <source>No recording open</source>
        <translation>未打开记录</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="452"/>
        <source>%1 · preparing the channels for the model…</source>
        <translation>%1 · 正在为模型准备通道…</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="456"/>
        <source>%1 · the model cannot read this recording</source>
        <translation>%1 · 模型无法读取此记录</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="461"/>
        <source>%1 · too short for the model (1 s at least)</source>
        <translation>%1 · 对模型而言太短（至少 1 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="466"/>
        <source>selection</source>
        <translation>选区</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="466"/>
        <source>page</source>
        <translation>页面</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="468"/>
        <source>%1, first %2 s: the model reads at most %3 s of %4 channels</source>
        <translation>%1，前 %2 秒：模型对 %4 个通道最多读取 %3 秒</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="472"/>
        <source>%1 · %2 channels · %3–%4 s (%5) · %6</source>
        <translation>%1 · %2 个通道 · %3–%4 秒（%5）· %6</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="618"/>
        <source>The whole recording is asked a multiple-choice question: give answer options (e.g. Yes, No).</source>
        <translation>整段记录只能询问选择题：请给出答案选项（例如 Yes, No）。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="660"/>
        <source>Windows of %1 s every %2 s (the context chip&apos;s window length), %3 at a time</source>
        <translation>窗口长 %1 秒，每 %2 秒一个（上下文标签的窗口长度），每批 %3 个</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="665"/>
        <source>Scoring the whole recording: windows of %1 s every %2 s (the context chip&apos;s length)</source>
        <translation>正在为整段记录评分：窗口长 %1 秒，每 %2 秒一个（上下文标签的长度）</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="681"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="726"/>
        <source>Cancelled after %1 of %2 windows: no track is drawn.</source>
        <translation>已在 %1 / %2 个窗口后取消：未绘制曲线。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="695"/>
        <source>Whole recording: %1 windows of %2 s (every %3 s) · mean P(%4) %5 · %6% of windows above 0.5 · %7 s · %8 windows/s</source>
        <extracomment>Chat pane, summary of a whole-recording answer. %1 windows, %2/%3 window length and hop (s), %4 option, %5 mean probability, %6 share of windows above 0.5, %7 seconds taken, %8 windows per second</extracomment>
        <translation>整段记录：%1 个 %2 秒窗口（每 %3 秒）· 平均 P(%4) %5 · %6% 的窗口高于 0.5 · %7 秒 · %8 窗口/秒</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="751"/>
        <source>P(%1)</source>
        <extracomment>Label of the overview track: probability of an answer option, e.g. P(Yes)</extracomment>
        <translation>P(%1)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="752"/>
        <source>P(%1) per %2-s window: %3%4 · %5</source>
        <translation>每个 %2 秒窗口的 P(%1)：%3%4 · %5</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="792"/>
        <source>Export whole-recording answer</source>
        <translation>导出整段记录的回答</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="793"/>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="817"/>
        <source>Computing the evidence for &quot;%1&quot; (gradient × input)… Stop cancels.</source>
        <extracomment>Chat pane note while the evidence of an answer is computed on the inference thread</extracomment>
        <translation>正在计算“%1”的依据（梯度 × 输入）… 点击“停止”可取消。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="835"/>
        <source>Evidence cancelled.</source>
        <extracomment>Chat pane note after Stop during the evidence computation</extracomment>
        <translation>已取消依据计算。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="854"/>
        <source>Evidence computed in %1 s.</source>
        <extracomment>Chat pane note when the evidence is shown; %1 seconds</extracomment>
        <translation>依据计算用时 %1 秒。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="867"/>
        <source>Cancelling after this batch… %v of %m windows</source>
        <extracomment>Chat pane: shown on the whole-recording progress bar after Cancel</extracomment>
        <translation>本批完成后取消… %v / %m 个窗口</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="890"/>
        <source>first token %1 ms · %2 tokens/s · %3 tokens</source>
        <translation>首个词元 %1 毫秒 · 每秒 %2 个词元 · 共 %3 个词元</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="484"/>
        <source>Re&amp;send</source>
        <translation>重新发送(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="504"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="613"/>
        <source>Type a question first.</source>
        <translation>请先输入问题。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="544"/>
        <source>Editing question %1: Send adds the new answer beside the old one (Esc cancels).</source>
        <translation>正在编辑问题 %1：发送后新回答将与旧回答并列保存（Esc 取消）。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="552"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="599"/>
        <source>No model loaded. Load one with File → Load model…</source>
        <translation>未加载模型。请通过 文件 → 加载模型… 加载一个模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="561"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="623"/>
        <source>Open a recording first.</source>
        <translation>请先打开一个记录。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="562"/>
        <location filename="../widgets/chat/ChatPane.cpp" line="624"/>
        <source>The recording is not ready for the model yet.</source>
        <translation>记录尚未为模型准备好。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="589"/>
        <source>Waiting for the first token…</source>
        <translation>正在等待第一个词元…</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="895"/>
        <source>no tokens</source>
        <translation>没有词元</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="938"/>
        <source>Ask about the page or a range dragged on the traces. Answers appear here token by token.</source>
        <translation>询问当前页面或在波形上拖选的范围。回答会逐个词元显示在这里。</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="961"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="993"/>
        <source>Evidence for &quot;%1&quot; (gradient × input):</source>
        <extracomment>Chat pane, under an answer: %1 the option, then the top EEG tokens (channel, seconds, share)</extracomment>
        <translation>“%1”的依据（梯度 × 输入）：</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1008"/>
        <source>Overview track:</source>
        <extracomment>Chat pane, under a whole-recording answer: the option drawn on the overview follows</extracomment>
        <translation>概览曲线：</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1019"/>
        <source>Show on overview</source>
        <translation>在概览中显示</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1019"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1024"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1024"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1027"/>
        <source>Evidence</source>
        <extracomment>Chat pane link under an answer with options: highlight the EEG tokens that mattered most</extracomment>
        <translation>依据</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1030"/>
        <source>%1 ms to first token · %2 tokens/s</source>
        <translation>首个词元 %1 毫秒 · 每秒 %2 个词元</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1062"/>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1092"/>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1093"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../widgets/chat/ChatPane.cpp" line="1093"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::CodeUsageView</name>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="28"/>
        <source>top </source>
        <extracomment>Code usage dock: how many of the most frequent codes the chart shows</extracomment>
        <translation>前 </translation>
    </message>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="29"/>
        <source>Number of most frequent codes shown</source>
        <translation>显示的最常见码元数量</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="39"/>
        <source>Occurrences</source>
        <translation>出现次数</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="46"/>
        <source>Code</source>
        <translation>码元</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="48"/>
        <source>Occurrences in the recording</source>
        <translation>在记录中的出现次数</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="97"/>
        <source>No codes yet: load a tokenizer and open a recording.</source>
        <translation>尚无码元：请加载分词器并打开一个记录。</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/CodeUsageView.cpp" line="102"/>
        <source>%1 tokens, %2 distinct codes of %3; the top %4 cover %5 %</source>
        <extracomment>Code usage dock summary, e.g. &quot;1178 tokens, 417 distinct codes of 8192; the top 20 cover 12.3 %&quot;</extracomment>
        <translation>%1 个标记，%3 个码元中出现了 %2 个；前 %4 个占 %5 %</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::FilterDialog</name>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="28"/>
        <source>Display filters</source>
        <translation>显示滤波器</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="32"/>
        <source>All channels</source>
        <translation>所有通道</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="34"/>
        <source>&amp;Channels:</source>
        <translation>通道(&amp;C):</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="36"/>
        <source>&amp;Same as all channels</source>
        <extracomment>Per-channel scope of the filter dialog: this channel uses the filter set for all channels</extracomment>
        <translation>与所有通道相同(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="45"/>
        <source> Hz</source>
        <translation> Hz</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="51"/>
        <source>&amp;High-pass</source>
        <translation>高通(&amp;H)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="52"/>
        <source>&amp;Low-pass</source>
        <translation>低通(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="56"/>
        <source>Butterworth order of each of the high-pass and low-pass; run forward and backward (zero phase), so the cut-offs are at −6 dB</source>
        <translation>高通和低通各自的巴特沃斯阶数；正向和反向各运行一次（零相位），因此截止频率处为 −6 dB</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="58"/>
        <source>Butterworth &amp;order:</source>
        <translation>巴特沃斯阶数(&amp;O):</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="60"/>
        <source>Off</source>
        <translation>关</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="61"/>
        <source>50 Hz</source>
        <translation>50 Hz</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="62"/>
        <source>60 Hz</source>
        <translation>60 Hz</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="63"/>
        <source>&amp;Notch:</source>
        <translation>陷波(&amp;N):</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="64"/>
        <source>Also at the ha&amp;rmonics</source>
        <translation>同时滤除谐波(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="70"/>
        <source>Frequency response</source>
        <translation>频率响应</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="74"/>
        <source>Frequency (Hz)</source>
        <translation>频率 (Hz)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="77"/>
        <source>Magnitude (dB)</source>
        <translation>幅度 (dB)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="194"/>
        <source>Not applicable at %1 Hz: %2</source>
        <translation>在 %1 Hz 下不可用：%2</translation>
    </message>
    <message>
        <location filename="../widgets/traces/FilterDialog.cpp" line="230"/>
        <source>Channel %1: %2</source>
        <translation>通道 %1：%2</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::JobsPanel</name>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="87"/>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="93"/>
        <source>New job</source>
        <translation>新任务</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="159"/>
        <source>vq: neural tokenizer</source>
        <translation>vq：神经分词器</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="160"/>
        <source>pretrain: NeuroLM pre-training</source>
        <translation>pretrain：NeuroLM 预训练</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="161"/>
        <source>instruct: instruction tuning</source>
        <translation>instruct：指令微调</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="162"/>
        <source>eval: score a labelled split</source>
        <translation>eval：评估带标签的划分</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="163"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="180"/>
        <source>Dataset definition</source>
        <translation>数据集定义</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="181"/>
        <source>Dataset definitions (*.json)</source>
        <translation>数据集定义 (*.json)</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="184"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="187"/>
        <source>a new folder for this run</source>
        <translation>本次运行的新文件夹</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="188"/>
        <source>Run folder</source>
        <translation>运行文件夹</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="190"/>
        <source>model.safetensors of a vq run</source>
        <translation>某次 vq 运行的 model.safetensors</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="191"/>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="192"/>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="196"/>
        <source>Models (*.safetensors *.pt)</source>
        <translation>模型 (*.safetensors *.pt)</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="194"/>
        <source>model.safetensors of a pretrain or instruct run</source>
        <translation>某次 pretrain 或 instruct 运行的 model.safetensors</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="195"/>
        <source>Start from model</source>
        <translation>起始模型</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="200"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="203"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="205"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="208"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="209"/>
        <source>Max steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="212"/>
        <source>Padded length</source>
        <translation>填充长度</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="215"/>
        <source>Other keys (JSON)</source>
        <translation>其他键 (JSON)</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="217"/>
        <source>now</source>
        <translation>立即</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="219"/>
        <source>Queue this job behind another job of the list: it starts when that one is done, and does not start if that one fails or is stopped.</source>
        <translation>将此任务排在列表中另一个任务之后：该任务完成时它才开始；若该任务失败或被停止，它不会开始。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="221"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="223"/>
        <source>this computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="224"/>
        <source>Slurm (sbatch, as neurolm submit --slurm)</source>
        <translation>Slurm（sbatch，与 neurolm submit --slurm 相同）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="225"/>
        <source>Run on</source>
        <translation>运行于</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="227"/>
        <source>the cluster&apos;s default</source>
        <translation>集群默认</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="228"/>
        <source>Partition</source>
        <translation>分区</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="231"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="232"/>
        <source>the partition&apos;s default</source>
        <translation>分区默认</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="233"/>
        <source>Time limit</source>
        <translation>时间限制</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="236"/>
        <source>CPUs</source>
        <translation>CPU 数</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="239"/>
        <source>GPUs</source>
        <translation>GPU 数</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="45"/>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="48"/>
        <source>Memory for the job on its node (sbatch --mem), in megabytes; the partition&apos;s default when not set. Slurm ends a job that uses more.</source>
        <translation>作业在其节点上可用的内存（sbatch --mem），单位为兆字节；未设置时使用分区默认值。用量超出时 Slurm 会结束该作业。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="50"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="54"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="55"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="57"/>
        <source>Slurm warns the job this long before its time limit (sbatch --signal=B:USR1@N): the trainer finishes its step, writes a checkpoint and the job queues itself again to go on. It must be shorter than the time limit.</source>
        <translation>Slurm 在时间限制到达前这么久向作业发出预警（sbatch --signal=B:USR1@N）：训练程序完成当前步并写入检查点，作业随后重新排队以继续运行。它必须短于时间限制。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelSlurm.cpp" line="60"/>
        <source>Stop warning</source>
        <translation>停止预警</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="625"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="776"/>
        <source> · %1: %2</source>
        <translation> · %1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="253"/>
        <source>Start job</source>
        <translation>开始任务</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="282"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="283"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="284"/>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="875"/>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="285"/>
        <source>Remove from list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="305"/>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="314"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="307"/>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="311"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="316"/>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="359"/>
        <source>Official defaults of %1: %2 epochs, batch size %3, learning rate %4, padded length %5.</source>
        <translation>%1 的官方默认值：%2 轮，批大小 %3，学习率 %4，填充长度 %5。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="365"/>
        <source>Official defaults of %1: batch size %2, padded length %3; nothing is trained.</source>
        <translation>%1 的官方默认值：批大小 %2，填充长度 %3；不进行训练。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="437"/>
        <source>%1 is not a job of this list.</source>
        <translation>%1 不是此列表中的任务。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="440"/>
        <source>Fix the fields marked above.</source>
        <translation>请修正上面标出的字段。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="445"/>
        <source>%1 cannot be created.</source>
        <translation>无法创建 %1。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="452"/>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="464"/>
        <source>%1 cannot be written: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="474"/>
        <source>Starting %1…</source>
        <translation>正在启动 %1…</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="477"/>
        <source>%1 waits for %2.</source>
        <translation>%1 正在等待 %2。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="510"/>
        <source>Started %1.</source>
        <translation>已启动 %1。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="556"/>
        <source>%1 was removed from the list, so this job was not started.</source>
        <translation>%1 已从列表中移除，因此此任务未启动。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="574"/>
        <source>%1 is blocked, so this job was not started.</source>
        <translation>%1 已被阻塞，因此此任务未启动。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="576"/>
        <source>%1 failed, so this job was not started.</source>
        <translation>%1 失败，因此此任务未启动。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="578"/>
        <source>%1 was stopped, so this job was not started.</source>
        <translation>%1 已被停止，因此此任务未启动。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="603"/>
        <source>after %1 (%2)</source>
        <translation>在 %1（%2）之后</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="645"/>
        <source>waiting for %1</source>
        <translation>等待 %1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="646"/>
        <source>blocked</source>
        <translation>已阻塞</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="649"/>
        <source>preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="651"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="653"/>
        <source>stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="655"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="657"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="659"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="701"/>
        <source>preparing data: %1 of %2 files</source>
        <translation>准备数据：%1 / %2 个文件</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="703"/>
        <source>resumed %1 at step %2 of %3 on %4</source>
        <translation>在 %4 上从第 %2 步（共 %3 步）继续 %1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="708"/>
        <source>started %1: %2 steps on %3</source>
        <translation>已开始 %1：在 %3 上共 %2 步</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="713"/>
        <source>step %1/%2  loss %3  lr %4  %5 samples/s</source>
        <translation>第 %1/%2 步  损失 %3  学习率 %4  %5 样本/秒</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="723"/>
        <source>%1 metrics at step %2: %3</source>
        <translation>第 %2 步的 %1 指标：%3</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="728"/>
        <source>checkpoint at step %1</source>
        <translation>第 %1 步的检查点</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="730"/>
        <source>done at step %1: %2</source>
        <translation>在第 %1 步完成：%2</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="734"/>
        <source>stopped at step %1 (exit code %2)</source>
        <translation>在第 %1 步停止（退出码 %2）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="736"/>
        <source>error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="750"/>
        <source>%1 · %2 · step %3/%4 · %5</source>
        <translation>%1 · %2 · 第 %3/%4 步 · %5</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="762"/>
        <source>No job selected. Start one in the &quot;New job&quot; tab.</source>
        <translation>未选择任务。请在“新任务”标签页中启动一个。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="780"/>
        <source>job</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="791"/>
        <source>the process ended with exit code %1 without a final report</source>
        <translation>进程以退出码 %1 结束，未给出最终报告</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="792"/>
        <source>the process ended without a final report</source>
        <translation>进程结束，未给出最终报告</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="797"/>
        <source> · last checkpoint: step %1</source>
        <translation> · 最新检查点：第 %1 步</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="798"/>
        <source> · %1</source>
        <translation> · %1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="808"/>
        <source>preparing data: %v of %m files</source>
        <translation>准备数据：%v / %m 个文件</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="812"/>
        <source>step %1 of %2 (%p%)</source>
        <translation>第 %1 步，共 %2 步（%p%）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="814"/>
        <source> · ETA %1</source>
        <translation> · 预计剩余 %1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="815"/>
        <source> · loss %1</source>
        <translation> · 损失 %1</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="870"/>
        <source>Use as tokenizer</source>
        <translation>用作分词器</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="872"/>
        <source>A vq run trains the neural tokenizer, not a NeuroLM: its model gives the token lane&apos;s codes to the NeuroLM loaded now.</source>
        <translation>vq 运行训练的是神经分词器，而不是 NeuroLM：它的模型为当前加载的 NeuroLM 提供令牌通道的编码。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanel.cpp" line="877"/>
        <source>Load this run&apos;s model into the chat, with the tokenizer it was trained with.</source>
        <translation>将此运行的模型连同其训练时所用的分词器加载到对话中。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelPresets.cpp" line="30"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelPresets.cpp" line="71"/>
        <source>%1 (modified)</source>
        <translation>%1（已修改）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelPresets.cpp" line="76"/>
        <source>%1 Modified: %2.</source>
        <translation>%1 已修改：%2。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="32"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="92"/>
        <source>The trainer uses the first CUDA device; start the app with CUDA_VISIBLE_DEVICES=%1 to train on this one.</source>
        <translation>训练器使用第一个 CUDA 设备；要在此设备上训练，请以 CUDA_VISIBLE_DEVICES=%1 启动应用。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="96"/>
        <source>CPU (reading the free memory…)</source>
        <translation>CPU（正在读取可用内存…）</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="98"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="101"/>
        <source>CUDA: not known yet</source>
        <translation>CUDA：尚未知</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="102"/>
        <source>The devices of this computer have not been read yet.</source>
        <translation>尚未读取此计算机的设备。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="115"/>
        <source>Under Slurm the job trains on the node&apos;s GPUs (%1, the GPUs field) when its LibTorch sees them, else on its CPUs; this computer&apos;s devices do not apply.</source>
        <translation>在 Slurm 下，若节点的 LibTorch 能识别 GPU，任务就在节点的 GPU 上训练（%1 个，见 GPU 字段），否则在其 CPU 上训练；此计算机的设备不适用。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="118"/>
        <source>Under Slurm the job trains on the node&apos;s CPUs; ask for GPUs in the GPUs field to train on the node&apos;s GPUs.</source>
        <translation>在 Slurm 下，任务在节点的 CPU 上训练；在 GPU 字段中申请 GPU 即可在节点的 GPU 上训练。</translation>
    </message>
    <message>
        <location filename="../widgets/jobs/JobsPanelDevice.cpp" line="121"/>
        <source>Not everything could be read: %1</source>
        <translation>部分信息无法读取：%1</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::MontageEditorDialog</name>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="20"/>
        <source>Custom montage</source>
        <translation>自定义导联</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="24"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N):</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="31"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="31"/>
        <source>Terms</source>
        <translation>项</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="37"/>
        <source>Terms: separated by &apos;;&apos;, each an optional weight and a channel, e.g. &quot;Fp1; -1 F7&quot; or &quot;Cz; -0.25 C3; -0.25 C4; -0.25 Fz; -0.25 Pz&quot;.</source>
        <extracomment>Help under the custom montage table: how to write the terms of a derivation</extracomment>
        <translation>项：以 &apos;;&apos; 分隔，每项为可选的权重和一个通道，例如 &quot;Fp1; -1 F7&quot; 或 &quot;Cz; -0.25 C3; -0.25 C4; -0.25 Fz; -0.25 Pz&quot;。</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="49"/>
        <source>&amp;Add row</source>
        <translation>添加行(&amp;A)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="50"/>
        <source>&amp;Remove row</source>
        <translation>删除行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="51"/>
        <source>&amp;Load…</source>
        <translation>载入(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="52"/>
        <source>&amp;Save…</source>
        <translation>保存(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="73"/>
        <source>Load montage</source>
        <translation>载入导联</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="74"/>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="80"/>
        <source>Montage files (*.json);;All files (*)</source>
        <translation>导联文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="79"/>
        <source>Save montage</source>
        <translation>保存导联</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="119"/>
        <source>row %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="121"/>
        <source>%1: the label is empty</source>
        <translation>%1：标签为空</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="141"/>
        <source>%1: a term without a channel in &quot;%2&quot;</source>
        <translation>%1：“%2”中有一项没有通道</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="145"/>
        <source>%1 (&apos;%2&apos;): no terms</source>
        <translation>%1（&apos;%2&apos;）：没有项</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="149"/>
        <source>the montage has no derivations</source>
        <translation>该导联没有任何导出</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="177"/>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/traces/MontageEditorDialog.cpp" line="195"/>
        <source>custom montage</source>
        <translation>自定义导联</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::OverviewView</name>
    <message>
        <location filename="../widgets/overview/OverviewView.cpp" line="20"/>
        <source>Overview of the whole recording: click or drag to move the page (keys ← → Home End)</source>
        <extracomment>Accessible name / tooltip of the overview strip under the traces</extracomment>
        <translation>整个记录的概览：单击或拖动以移动页面（按键 ← → Home End）</translation>
    </message>
    <message>
        <location filename="../widgets/overview/OverviewView.cpp" line="22"/>
        <source>Recording overview</source>
        <translation>记录概览</translation>
    </message>
    <message>
        <location filename="../widgets/overview/OverviewView.cpp" line="215"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location filename="../widgets/overview/OverviewView.cpp" line="221"/>
        <source>Indexing the recording… %1%</source>
        <translation>正在索引记录… %1%</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::PatchSpectrumPopup</name>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="48"/>
        <source>Real</source>
        <translation>实际</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="52"/>
        <source>Reconstructed from the code</source>
        <extracomment>Patch spectrum popup: the curve the tokenizer&apos;s decoder computes from the patch&apos;s code</extracomment>
        <translation>由码元重建</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="57"/>
        <source>Frequency (Hz)</source>
        <translation>频率（Hz）</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="63"/>
        <source>Amplitude (z)</source>
        <extracomment>Patch spectrum popup, y axis: |DFT| standardised (z-score) with the window&apos;s mean and standard deviation</extracomment>
        <translation>幅值（z）</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="101"/>
        <source>Reconstructing the spectrum…</source>
        <translation>正在重建频谱…</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="109"/>
        <source>No spectrum: %1</source>
        <extracomment>Patch spectrum popup: why there is no spectrum (e.g. &quot;this tokenizer has no spectrum decoder&quot;)</extracomment>
        <translation>无频谱：%1</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="128"/>
        <source>z over the window %1–%2 s: |DFT| mean %3 µV, s.d. %4 µV</source>
        <extracomment>Patch spectrum popup: z = (|DFT| - mean) / s.d. over all patches of the window %1–%2 s</extracomment>
        <translation>z 值基于窗口 %1–%2 s：|DFT| 均值 %3 µV，标准差 %4 µV</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/PatchSpectrumPopup.cpp" line="138"/>
        <source>Spectrum failed: %1</source>
        <translation>频谱计算失败：%1</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::SpectrogramModel</name>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramModel.cpp" line="74"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::SpectrogramPlot</name>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="177"/>
        <source>Hz</source>
        <translation>Hz</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="191"/>
        <source>dB</source>
        <translation>dB</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::SpectrogramView</name>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="199"/>
        <source>Channels</source>
        <translation>通道</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="200"/>
        <source>Channels to show (check one or more; Space toggles the current one)</source>
        <translation>要显示的通道（勾选一个或多个；空格键切换当前项）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="208"/>
        <source>Page</source>
        <translation>当前页</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="209"/>
        <source>Whole recording</source>
        <translation>整个记录</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="210"/>
        <source>&amp;Range</source>
        <translation>范围(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="214"/>
        <source>Colour &amp;map</source>
        <translation>色图(&amp;M)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="216"/>
        <source>&amp;Auto</source>
        <translation>自动(&amp;A)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="225"/>
        <source> dB</source>
        <translation> dB</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="228"/>
        <source>Lowest colour (dB)</source>
        <translation>最低颜色 (dB)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="229"/>
        <source>Highest colour (dB)</source>
        <translation>最高颜色 (dB)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="218"/>
        <source>Colour limits from the 5th and 99.5th percentiles of the shown power (at most 80 dB apart)</source>
        <translation>颜色范围取所显示功率的第 5 和第 99.5 百分位数（相差最多 80 dB）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="233"/>
        <source>Limits</source>
        <translation>颜色范围</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="238"/>
        <source> Hz</source>
        <translation> Hz</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="239"/>
        <source>Up &amp;to</source>
        <translation>最高频率(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="247"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="248"/>
        <source>Stop computing (Esc)</source>
        <translation>停止计算 (Esc)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="394"/>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="395"/>
        <source>No recording</source>
        <translation>没有记录</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="396"/>
        <source>No spectrogram: %1</source>
        <translation>无法计算时频谱：%1</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramView.cpp" line="399"/>
        <source>%1 – %2 s, %3 columns of %4 s, %5 Hz resolution, power in dB re 1 %6</source>
        <translation>%1 – %2 秒，%3 列，每列 %4 秒，频率分辨率 %5 Hz，功率以 dB 表示（参考 1 %6）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramWorker.cpp" line="37"/>
        <source>the range is shorter than one segment (%1 s)</source>
        <translation>范围短于一个分段（%1 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramWorker.cpp" line="103"/>
        <source>Viridis</source>
        <translation>Viridis</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramWorker.cpp" line="105"/>
        <source>Magma</source>
        <translation>Magma</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram/SpectrogramWorker.cpp" line="109"/>
        <source>Grey</source>
        <translation>灰度</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::SpectrumView</name>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="129"/>
        <source>Frequency bands as name:low-high in Hz, separated by commas; Enter applies</source>
        <translation>频段，格式为 名称:下限-上限（Hz），以逗号分隔；按 Enter 应用</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="131"/>
        <source>Bands</source>
        <translation>频段</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="246"/>
        <source>Bands not changed: %1</source>
        <translation>频段未更改：%1</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="61"/>
        <source>Copy table</source>
        <translation>复制表格</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="52"/>
        <source>As recorded</source>
        <translation>按记录</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="54"/>
        <source>As displayed (montage + filters)</source>
        <extracomment>Spectrum dock: analyse the trace view&apos;s lanes (its montage derivations, display filters applied)</extracomment>
        <translation>按显示（导联 + 滤波）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="56"/>
        <source>The recorded channels, or the lanes of the trace view: its montage&apos;s derivations with the display filters applied</source>
        <translation>记录的通道，或迹线视图中的各道：其导联的派生信号，并应用显示滤波</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="62"/>
        <source>Copy the band powers as tab-separated text</source>
        <translation>将频段功率复制为制表符分隔的文本</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="65"/>
        <source>Power spectral density (Welch)</source>
        <translation>功率谱密度（Welch）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="73"/>
        <source>Frequency (Hz)</source>
        <translation>频率（Hz）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="93"/>
        <source>Relative band power</source>
        <translation>相对频段功率</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="97"/>
        <source>Relative power</source>
        <translation>相对功率</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="135"/>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="140"/>
        <source>Spectrum of</source>
        <extracomment>Spectrum dock, before the choice &quot;As recorded&quot; / &quot;As displayed (montage + filters)&quot;</extracomment>
        <translation>频谱对象</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="164"/>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="261"/>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="219"/>
        <source>Average of EEG channels</source>
        <translation>EEG 通道平均</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="249"/>
        <source>Band</source>
        <translation>频段</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="249"/>
        <source>Range (Hz)</source>
        <translation>范围（Hz）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="249"/>
        <source>Power (%1)</source>
        <translation>功率（%1）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="250"/>
        <source>Relative (%)</source>
        <translation>相对值（%）</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="261"/>
        <source>No recording</source>
        <translation>没有记录</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="262"/>
        <source>Cannot analyse this page: %1</source>
        <translation>无法分析此页：%1</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="295"/>
        <source>Power spectral density (Welch), %1</source>
        <translation>功率谱密度（Welch），%1</translation>
    </message>
    <message>
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="332"/>
        <source>%1, %2–%3 s: peak %4 Hz, resolution %5 Hz</source>
        <translation>%1，%2–%3 秒：峰值 %4 Hz，分辨率 %5 Hz</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/spectrum/SpectrumView.cpp" line="331"/>
        <source>mean of %n EEG channel(s)</source>
        <translation>
            <numerusform>%n 个 EEG 通道的平均</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::TokenLane</name>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="31"/>
        <location filename="../widgets/tokens/TokenLane.cpp" line="39"/>
        <source>Neural tokens</source>
        <translation>神经标记</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="52"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="53"/>
        <source>Stop tokenising this recording</source>
        <translation>停止对此记录进行分词</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="56"/>
        <source>◀ Previous</source>
        <translation>◀ 上一个</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="60"/>
        <source>Next ▶</source>
        <translation>下一个 ▶</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="58"/>
        <source>Previous occurrence of the selected code (P, Shift+F3)</source>
        <extracomment>Token lane button: move the page to the previous occurrence of the selected code (key P)</extracomment>
        <translation>所选码元的上一次出现 (P, Shift+F3)</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="61"/>
        <source>Next occurrence of the selected code (N, F3)</source>
        <translation>所选码元的下一次出现 (N, F3)</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="63"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="64"/>
        <source>Clear the selected code (Esc)</source>
        <translation>清除所选码元 (Esc)</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="207"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="222"/>
        <source>No tokenizer loaded</source>
        <translation>未加载分词器</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="224"/>
        <source>Open a recording to see its neural tokens</source>
        <translation>打开一个记录以查看其神经标记</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="226"/>
        <source>Tokenising…</source>
        <translation>正在分词…</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="231"/>
        <source>%1 channels × %2 s, %3 distinct codes of %4</source>
        <extracomment>Token lane status: e.g. &quot;19 channels × 62 s, 417 distinct codes of 8192&quot;</extracomment>
        <translation>%1 个通道 × %2 秒，%4 个码元中出现了 %3 个</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="238"/>
        <source>Tokenisation failed: %1</source>
        <translation>分词失败：%1</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="240"/>
        <source>Tokenisation cancelled</source>
        <translation>分词已取消</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="258"/>
        <source>Click a cell to select its code</source>
        <translation>点击单元格以选择其码元</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="262"/>
        <source>Code %1: %2 occurrences (%3 %), %4/%5</source>
        <extracomment>Token lane: the selected code, how often it occurs, and which occurrence is shown (e.g. &quot;3/12&quot;)</extracomment>
        <translation>码元 %1：出现 %2 次 (%3 %)，%4/%5</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="310"/>
        <source>%1, second %2: no code</source>
        <translation>%1，第 %2 秒：无码元</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="312"/>
        <source>Code %1
Channel %2, second %3 (%4–%5 s)
In this recording: %6 of %7 tokens (%8 %)</source>
        <extracomment>Token lane tooltip: code id; channel; second; how often the code occurs in the whole recording</extracomment>
        <translation>码元 %1
通道 %2，第 %3 秒 (%4–%5 秒)
在此记录中：%7 个标记中的 %6 个 (%8 %)</translation>
    </message>
    <message>
        <location filename="../widgets/tokens/TokenLane.cpp" line="352"/>
        <source>Tokenising… %1 %</source>
        <translation>正在分词… %1 %</translation>
    </message>
</context>
<context>
    <name>neurolm::widgets::TraceView</name>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="163"/>
        <source>EEG</source>
        <translation>脑电（EEG）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="165"/>
        <source>ECG</source>
        <translation>心电（ECG）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="167"/>
        <source>EMG</source>
        <translation>肌电（EMG）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="169"/>
        <source>EOG</source>
        <translation>眼电（EOG）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="171"/>
        <source>Respiration</source>
        <translation>呼吸</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="173"/>
        <source>Temperature</source>
        <translation>体温</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="175"/>
        <source>Trigger / status</source>
        <translation>触发 / 状态</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="179"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="195"/>
        <source>Signal type</source>
        <translation>信号类型</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="206"/>
        <source>Larger (%1 %2/div)</source>
        <extracomment>Context menu of a trace lane: make this channel&apos;s trace twice as large (half the amplitude per division)</extracomment>
        <translation>放大（%1 %2/格）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="209"/>
        <source>Smaller (%1 %2/div)</source>
        <translation>缩小（%1 %2/格）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="211"/>
        <source>Reset type and scale</source>
        <translation>重置类型和刻度</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="277"/>
        <source>Loading page…</source>
        <translation>正在加载页面…</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="277"/>
        <source>Open an EDF/BDF recording (File → Open, or drop it here)</source>
        <translation>打开 EDF/BDF 记录（文件 → 打开，或拖放到此处）</translation>
    </message>
    <message>
        <location filename="../widgets/traces/TraceView.cpp" line="465"/>
        <source>gap (no data)</source>
        <extracomment>Label at the top of the trace view where an EDF+D recording has no data between two records</extracomment>
        <translation>间隙（无数据）</translation>
    </message>
</context>
</TS>
