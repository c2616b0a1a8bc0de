#pragma once
// One function per CLI command. Each returns the exit code; errors are thrown as exceptions with a message
// naming the file and the problem (caught and printed by cli::run).
#include <iosfwd>
#include <string>
#include <vector>

namespace neurolm::cli {

int runInfo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runBlas(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runTokenize(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runAsk(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runConvert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runInit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runTrain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runPsd(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runSpectrogram(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runExport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runSubmit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runJobs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace neurolm::cli
