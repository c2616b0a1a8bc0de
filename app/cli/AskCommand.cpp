#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/EngineArgs.h"
#include "models/runtime/InferenceRuntime.h"

namespace neurolm::cli {
namespace {

constexpr const char* kWorkloadPrompt = "Question: Is this EEG segment of high workload? Answer:";

constexpr const char* kUsage =
    "usage: neurolm ask FILE [--model CKPT] [--vq CKPT] (--window a:b | --windows LEN:HOP [--range a:b])\n"
    "                   [--options \" Yes, No\"] [--max-new-tokens N] [--official-generate] [--evidence [N]]\n"
    "                   [--json] \"INSTRUCTION\"\n"
    "       neurolm ask FILE --no-answer [--batch N] (--window a:b | --windows LEN:HOP) \"INSTRUCTION\"\n"
    "       neurolm ask --list-tasks [--model CKPT] [--json]\n";

// The model shipped in resources/model (the embedded NeuroLM), used when --model is not given.
std::filesystem::path embeddedModelPath() {
  return std::filesystem::path(NEUROLM_RESOURCES_DIR) / "model" / "neurolm.safetensors";
}

void printHelp(std::ostream& out) {
  out << kUsage
      << "\nAsks NeuroLM about EEG windows. The prompt is [SEP] + GPT-2 BPE(INSTRUCTION); the answer tokens "
         "are\n"
         "printed as they are produced (greedy decoding, KV cache, padding skipped), then the probability "
         "of\n"
         "each answer option (log-softmax of the model's next-token outputs, normalised over the "
         "options).\n\n"
      << kInputOptionsHelp
      << "model and decoding:\n"
         "  --model CKPT            NeuroLM: official checkpoint (.pt) or ours (.safetensors); its own\n"
         "                          tokenizer encoder gives the EEG features (default: the embedded\n"
         "                          model, resources/model/neurolm.safetensors)\n"
         "  --list-tasks            print the questions the model was tuned on (prompt and options, from\n"
         "                          its metadata) and exit; with --json one {type:\"task\", name, prompt,\n"
         "                          options[], description} line each\n"
         "  --vq CKPT               optional tokenizer file: adds the window's codes to the output\n"
         "  --options \"A,B\"         answer options, split at commas, spaces kept (default: the options\n"
         "                          of the model's task with this prompt; for the Workload prompt '"
      << kWorkloadPrompt
      << "'\n"
         "                          \" Yes, No\" when the model records no tasks; none otherwise)\n"
         "  --max-new-tokens N      answer length limit (default 5, as the official evaluation)\n"
         "  --official-generate     the official generate with its quirks (mask rows of ones, additive "
         "float\n"
         "                          mask after step 1, full recomputation, no early stop) - for parity only\n"
         "  --no-kv-cache           recompute everything every step (reference for the cache)\n"
         "  --keep-padding          run the padding tokens (default: skipped exactly, spec 8.33)\n"
         "  --sample [--temperature T] [--top-k K] [--top-p P] [--seed S]   sampled chat (default greedy)\n"
         "  --json-tokens           with --json: also a {type:\"token\"} line per generated token\n"
         "  --no-answer             score the answer options only, generate no text (needs options): the\n"
         "                          windows go through the model in batches (the whole-recording path);\n"
         "                          same probabilities as without it, mode \"options\", answer_ids empty\n"
         "  --batch N               with --no-answer: windows per batch (default 8)\n"
         "  --evidence [N]          after each answer, the N EEG tokens (default 10) that mattered most to\n"
         "                          the best option: gradient x input of log p(best option | EEG, prompt)\n"
         "                          (the option's summed token log-probability, not a difference of\n"
         "                          options) with respect to the EEG embeddings E of the real tokens\n"
         "                          (E = encode_transform_layer(tokenizer(x)) + pos_embed, before wpe);\n"
         "                          score = |sum_d E * dlogp/dE|, share = score / sum of scores; one\n"
         "                          backward pass, padding skipped. Needs answer options\n\n"
         "--json lines: first {type:\"input\", ...} (see neurolm tokenize --help), then per window\n"
         "  {type:\"answer\", window:[a, b], padded_length, mode (greedy|official|sample), prompt_ids[],\n"
         "   answer_ids[], answer, cancelled, step_top_logits[] (largest text logit per step),\n"
         "   options[{text, ids[], log_prob, mean_log_prob, probability}],\n"
         "   best_option (text or null), codes_flat[] (with --vq), seconds};\n"
         "  with --evidence then {type:\"evidence\", window:[a, b], option, log_prob, method:\n"
         "   \"gradient_x_input\", tokens:[{token, channel, channel_row, second, contribution, score, share}]\n"
         "   (the N highest scores), seconds};\n"
         "  token lines {type:\"token\", window:[a, b], step, id, text}\n";
}

std::vector<std::string> splitOptions(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (;;) {
    const auto comma = text.find(',', begin);
    const std::string item =
        text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    if (item.empty()) throw std::invalid_argument("--options '" + text + "' has an empty option");
    out.push_back(item);
    if (comma == std::string::npos) return out;
    begin = comma + 1;
  }
}

double number(const std::vector<std::string>& args, std::size_t& i) {
  const auto& v = optionValue(args, i);
  try {
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size()) return d;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(args[i - 1] + " '" + v + "' is not a number");
}

}  // namespace

int runAsk(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  InputArgs input;
  runtime::RuntimeOptions ro;
  runtime::AskOptions ao;
  std::optional<std::string> options;
  std::optional<std::string> instruction;
  bool jsonTokens = false;
  bool listTasks = false;
  bool noAnswer = false;
  std::optional<int> batchSize;
  std::optional<std::size_t> evidenceTop;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printHelp(out);
      return 0;
    } else if (parseInputOption(args, i, input)) {
    } else if (a == "--model") {
      ro.neuroLmPath = optionValue(args, i);
    } else if (a == "--vq") {
      ro.tokenizerPath = optionValue(args, i);
    } else if (a == "--options") {
      options = optionValue(args, i);
    } else if (a == "--max-new-tokens") {
      const double n = number(args, i);
      if (n < 1 || n > 1000 || n != static_cast<double>(static_cast<int64_t>(n)))
        throw std::invalid_argument("--max-new-tokens must be a whole number 1...1000");
      ao.maxNewTokens = static_cast<int64_t>(n);
    } else if (a == "--official-generate") {
      ao.officialGenerate = true;
    } else if (a == "--no-kv-cache") {
      ao.kvCache = false;
    } else if (a == "--keep-padding") {
      ao.dropEegPadding = false;
    } else if (a == "--sample") {
      ao.sample = true;
    } else if (a == "--temperature") {
      ao.temperature = number(args, i);
    } else if (a == "--top-k") {
      ao.topK = static_cast<int64_t>(number(args, i));
    } else if (a == "--top-p") {
      ao.topP = number(args, i);
    } else if (a == "--seed") {
      ao.seed = static_cast<uint64_t>(number(args, i));
    } else if (a == "--json-tokens") {
      jsonTokens = true;
    } else if (a == "--no-answer") {
      noAnswer = true;
    } else if (a == "--batch") {
      const double n = number(args, i);
      if (n < 1 || n > 1024 || n != static_cast<double>(static_cast<int64_t>(n)))
        throw std::invalid_argument("--batch must be a whole number 1...1024");
      batchSize = static_cast<int>(n);
    } else if (a == "--evidence") {
      evidenceTop = 10;
      if (i + 1 < args.size() && !args[i + 1].empty() &&
          args[i + 1].find_first_not_of("0123456789") == std::string::npos) {
        const double n = number(args, i);
        if (n < 1) throw std::invalid_argument("--evidence N must be a whole number >= 1");
        evidenceTop = static_cast<std::size_t>(n);
      }
    } else if (a == "--list-tasks") {
      listTasks = true;
    } else if (!a.empty() && a[0] == '-' && a.size() > 1) {
      err << "neurolm ask: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else if (input.file.empty()) {
      input.file = a;
    } else if (!instruction) {
      instruction = a;
    } else {
      err << "neurolm ask: more than one INSTRUCTION given (quote it)\n" << kUsage;
      return 2;
    }
  }
  if (ro.neuroLmPath.empty()) {
    if (!std::filesystem::exists(embeddedModelPath()))
      throw std::invalid_argument("no --model given and no embedded model at " +
                                  embeddedModelPath().string());
    ro.neuroLmPath = embeddedModelPath();
  }
  if (listTasks) {
    if (!input.file.empty() || instruction) {
      err << "neurolm ask: --list-tasks takes no FILE or INSTRUCTION\n" << kUsage;
      return 2;
    }
    ro.bpeDir = std::filesystem::path(NEUROLM_RESOURCES_DIR) / "tokenizer" / "gpt2";
    ro.device = "cpu";
    const runtime::InferenceRuntime engine(ro);
    const auto tasks = nlohmann::json::parse(engine.neuroLmSummary()->tasksJson);
    if (!input.json) {
      out << ro.neuroLmPath.string() << ": " << tasks.size() << " task(s)\n";
      for (const auto& t : tasks) {
        out << "\n" << t.value("name", "") << "\n  prompt:  " << t.value("prompt", "") << "\n  options:";
        for (const auto& o : t["options"]) out << " \"" << o.get<std::string>() << "\"";
        out << "\n";
        if (!t.value("description", "").empty()) out << "  " << t.value("description", "") << "\n";
      }
    } else {
      for (auto t : tasks) {
        t["type"] = "task";
        out << t.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      }
    }
    return 0;
  }
  if (input.file.empty() || !instruction) {
    err << "neurolm ask: need FILE and an INSTRUCTION\n" << kUsage;
    return 2;
  }
  if (ao.officialGenerate && ao.sample)
    throw std::invalid_argument("--official-generate is greedy; drop --sample");

  if (evidenceTop && noAnswer)
    throw std::invalid_argument("--evidence explains one answer per window; drop --no-answer");
  if (batchSize && !noAnswer)
    throw std::invalid_argument("--batch batches option scoring only; add --no-answer (no generated text)");
  if (noAnswer && (ao.officialGenerate || ao.sample || jsonTokens || !ao.kvCache || !ao.dropEegPadding))
    throw std::invalid_argument(
        "--no-answer generates no text: drop --official-generate, --sample, --json-tokens, --no-kv-cache and "
        "--keep-padding");

  const std::string mode = noAnswer              ? "options"
                           : ao.officialGenerate ? "official"
                                                 : (ao.sample ? "sample" : "greedy");
  const std::size_t padded = preprocess::kInstructionPaddedLength;
  ro.device = input.device;
  ro.cpuThreads = input.threads;
  ro.bpeDir = std::filesystem::path(NEUROLM_RESOURCES_DIR) / "tokenizer" / "gpt2";
  const auto source = runtime::EegSource::open(input.file, input.source);
  const auto windows = windowsToRun(input, source, padded);
  std::vector<preprocess::PatchGrid> grids;
  for (const auto& w : windows) grids.push_back(source.window(w, padded));  // all checked before loading
  runtime::InferenceRuntime engine(ro);
  if (options) {
    if (*options != "none") ao.choices = splitOptions(*options);
  } else {
    const auto tasks = nlohmann::json::parse(engine.neuroLmSummary()->tasksJson);
    for (const auto& t : tasks)
      if (t.value("prompt", "") == *instruction) ao.choices = t["options"].get<std::vector<std::string>>();
    if (tasks.empty() && *instruction == kWorkloadPrompt) ao.choices = {" Yes", " No"};
  }

  if (evidenceTop && ao.choices.empty())
    throw std::invalid_argument(
        "--evidence explains the best answer option: give --options (or use a prompt of the model's tasks)");

  if (input.json)
    out << describeInput(source, padded, engine.deviceDescription()).dump() << "\n";
  else
    out << describeInputText(source, padded, engine.deviceDescription()) << "prompt:   " << *instruction
        << "\n";
  out.flush();

  if (noAnswer) {
    if (ao.choices.empty())
      throw std::invalid_argument(
          "--no-answer needs answer options (--options, or a task of the model with "
          "this prompt)");
    const auto scored = engine.scoreWindows(grids, *instruction, ao.choices, batchSize.value_or(8)).get();
    for (std::size_t k = 0; k < scored.windows.size(); ++k) {
      const auto& w = scored.windows[k];
      const nlohmann::json window = {windows[k].startSec, windows[k].endSec};
      std::vector<int64_t> codes;
      if (engine.hasTokenizer()) codes = engine.tokenize(grids[k]).get().codes;
      if (input.json) {
        nlohmann::json opts = nlohmann::json::array();
        for (std::size_t c = 0; c < scored.choices.size(); ++c)
          opts.push_back({{"text", scored.choices[c]},
                          {"ids", scored.choiceIds[c]},
                          {"log_prob", w.logProb[c]},
                          {"mean_log_prob", w.logProb[c] / static_cast<double>(scored.choiceIds[c].size())},
                          {"probability", w.probability[c]}});
        nlohmann::json j = {{"type", "answer"},
                            {"window", window},
                            {"padded_length", padded},
                            {"mode", mode},
                            {"prompt_ids", scored.promptIds},
                            {"answer_ids", nlohmann::json::array()},
                            {"answer", ""},
                            {"cancelled", false},
                            {"step_top_logits", nlohmann::json::array()},
                            {"options", opts},
                            {"seconds", scored.seconds / static_cast<double>(scored.windows.size())}};
        j["best_option"] = nlohmann::json(scored.choices[static_cast<std::size_t>(w.bestChoice)]);
        if (!codes.empty()) j["codes_flat"] = codes;
        out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        out << "\nwindow " << windows[k].startSec << ":" << windows[k].endSec << " s\n";
        for (std::size_t c = 0; c < scored.choices.size(); ++c)
          out << "  option \"" << scored.choices[c] << "\": p = " << std::fixed << std::setprecision(4)
              << w.probability[c] << "  log p = " << w.logProb[c] << std::defaultfloat << "\n";
        out << "  best option: \"" << scored.choices[static_cast<std::size_t>(w.bestChoice)] << "\"\n";
        if (!codes.empty()) {
          out << "  codes:";
          for (auto c : codes) out << ' ' << c;
          out << "\n";
        }
      }
    }
    if (!input.json)
      out << "\n"
          << scored.windows.size() << " window(s) scored in batches of " << batchSize.value_or(8) << ", "
          << std::fixed << std::setprecision(3) << scored.seconds << " s" << std::defaultfloat << "\n";
    out.flush();
    return 0;
  }

  for (std::size_t k = 0; k < windows.size(); ++k) {
    const nlohmann::json window = {windows[k].startSec, windows[k].endSec};
    if (!input.json)
      out << "\nwindow " << windows[k].startSec << ":" << windows[k].endSec << " s answer: " << std::flush;
    auto stream = [&](const runtime::AskToken& t) {
      if (!input.json)
        out << t.bytes << std::flush;
      else if (jsonTokens)
        out << nlohmann::json{{"type", "token"},
                              {"window", window},
                              {"step", t.step},
                              {"id", t.tokenId},
                              {"text", t.bytes}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n"
            << std::flush;
      return true;
    };
    const auto r = engine.ask(grids[k], *instruction, ao, stream).get();
    std::vector<int64_t> codes;
    if (engine.hasTokenizer()) codes = engine.tokenize(grids[k]).get().codes;
    if (input.json) {
      nlohmann::json opts = nlohmann::json::array();
      for (const auto& c : r.choices)
        opts.push_back({{"text", c.text},
                        {"ids", c.tokenIds},
                        {"log_prob", c.logProb},
                        {"mean_log_prob", c.meanLogProb},
                        {"probability", c.probability}});
      nlohmann::json j = {
          {"type", "answer"},   {"window", window},          {"padded_length", padded},
          {"mode", mode},       {"prompt_ids", r.promptIds}, {"answer_ids", r.answerIds},
          {"answer", r.answer}, {"cancelled", r.cancelled},  {"step_top_logits", r.stepTopLogits},
          {"options", opts},    {"seconds", r.seconds}};
      j["best_option"] = r.bestChoice >= 0
                             ? nlohmann::json(r.choices[static_cast<std::size_t>(r.bestChoice)].text)
                             : nlohmann::json(nullptr);
      if (!codes.empty()) j["codes_flat"] = codes;
      out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n" << std::flush;
    } else {
      out << "\n  ids: ";
      for (auto id : r.answerIds) out << id << ' ';
      out << "(" << mode << ", " << std::fixed << std::setprecision(3) << r.seconds << " s)"
          << std::defaultfloat << "\n";
      for (const auto& c : r.choices)
        out << "  option \"" << c.text << "\": p = " << std::fixed << std::setprecision(4) << c.probability
            << "  log p = " << c.logProb << std::defaultfloat << "\n";
      if (r.bestChoice >= 0)
        out << "  best option: \"" << r.choices[static_cast<std::size_t>(r.bestChoice)].text << "\"\n";
      if (!codes.empty()) {
        out << "  codes:";
        for (auto c : codes) out << ' ' << c;
        out << "\n";
      }
    }
    if (evidenceTop && r.bestChoice >= 0) {
      const auto& best = r.choices[static_cast<std::size_t>(r.bestChoice)].text;
      const auto e = engine.evidence(grids[k], *instruction, best).get();
      const auto shown = std::min(*evidenceTop, e.tokens.size());
      if (input.json) {
        nlohmann::json tokens = nlohmann::json::array();
        for (std::size_t i = 0; i < shown; ++i) {
          const auto& t = e.tokens[i];
          tokens.push_back({{"token", t.token},
                            {"channel", t.channelName},
                            {"channel_row", t.channelRow},
                            {"second", t.second},
                            {"contribution", t.contribution},
                            {"score", t.score},
                            {"share", t.share}});
        }
        out << nlohmann::json{{"type", "evidence"},     {"window", window},  {"option", best},
                              {"log_prob", e.logProb},   {"method", "gradient_x_input"},
                              {"tokens", tokens},        {"seconds", e.seconds}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n"
            << std::flush;
      } else {
        out << "  evidence for \"" << best << "\" (gradient x input of log p, " << shown << " of "
            << e.tokens.size() << " tokens, " << std::fixed << std::setprecision(3) << e.seconds << " s):\n";
        for (std::size_t i = 0; i < shown; ++i) {
          const auto& t = e.tokens[i];
          const double windowSecond = windows[k].startSec + static_cast<double>(t.second);
          out << "    " << std::setw(2) << i + 1 << ". " << std::left << std::setw(6) << t.channelName
              << std::right << " " << std::setprecision(0) << windowSecond << "-" << windowSecond + 1
              << " s  share " << std::setprecision(3) << t.share << "  (" << std::showpos
              << std::scientific << std::setprecision(2) << t.contribution << std::noshowpos << std::fixed
              << ")\n";
        }
        out << std::defaultfloat;
      }
    }
  }
  return 0;
}

}  // namespace neurolm::cli
