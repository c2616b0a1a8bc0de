#include "app/cli/Cli.h"

#include <functional>
#include <map>
#include <ostream>

#include "app/cli/Commands.h"

namespace neurolm::cli {

namespace {
void printUsage(std::ostream& out) {
  out << "neurolm " << NEUROLM_VERSION << " - NeuroLM Studio command line\n\n"
      << "usage: neurolm <command> [options]\n\n"
      << "commands:\n"
      << "  info FILE [--json]      header, channels, duration, annotations and repair report of a recording\n"
      << "  tokenize FILE --vq CKPT neural tokens (codes per channel and second) and features of EEG windows\n"
      << "  ask FILE --model CKPT --window a:b \"INSTRUCTION\"\n"
      << "                          NeuroLM's answer about EEG windows, streamed, with option probabilities\n"
      << "  psd FILE --window a:b [--channels C1,C2] [--nperseg N] [--overlap F] [--json]\n"
      << "                          Welch power spectral density (µV²/Hz) and band powers of a time window\n"
      << "  spectrogram FILE --out S.npy [--window a:b] [--channels C1,C2] [--nperseg-sec S] [--json]\n"
      << "                          short-time PSD (µV²/Hz) of channels as a [channels, freqs, times] .npy\n"
      << "  export FILE --range a:b --out OUT.edf|.csv|.npy [--channels C1,C2]\n"
      << "                          a time range of the recording's channels as EDF+, CSV or NumPy .npy\n"
      << "  init --kind vq|neurolm --out FILE.safetensors\n"
      << "                          a randomly initialised model in our format (tests, demos)\n"
      << "  convert IN.safetensors --precision float32|float16|bfloat16|int8 --out OUT.safetensors\n"
      << "                          the model with its weights stored in another precision (int8: 1/4)\n"
      << "  train CONFIG.json [--resume]\n"
      << "                          one training stage (vq, pretrain, instruct) with the JSON job protocol\n"
      << "  submit CONFIG.json --slurm [--partition P] [--time T] [--cpus N] [--mem SIZE] [--gpus N]\n"
      << "                          a training run as a requeue-safe Slurm batch job; prints the job id\n"
      << "  jobs status|cancel JOBID\n"
      << "                          state of a submitted Slurm job (squeue/sacct), or cancel it (scancel)\n"
      << "  blas                    the BLAS library the engine uses (warns on the slow reference BLAS)\n"
      << "  help                    this text\n\n"
      << "Run 'neurolm <command> --help' for the options of a command.\n";
}
}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    printUsage(args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    out << "neurolm " << NEUROLM_VERSION << "\n";
    return 0;
  }
  const std::map<std::string, std::function<int(const std::vector<std::string>&, std::ostream&, std::ostream&)>>
      commands = {{"info", runInfo}, {"blas", runBlas}, {"tokenize", runTokenize},
                  {"ask", runAsk},   {"init", runInit}, {"train", runTrain}, {"psd", runPsd},
                  {"spectrogram", runSpectrogram}, {"convert", runConvert},
                  {"submit", runSubmit}, {"jobs", runJobs}, {"export", runExport}};
  const auto it = commands.find(args[0]);
  if (it == commands.end()) {
    err << "neurolm: unknown command '" << args[0] << "'\n";
    printUsage(err);
    return 2;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return it->second(rest, out, err);
  } catch (const std::exception& e) {
    err << "neurolm " << args[0] << ": error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace neurolm::cli
