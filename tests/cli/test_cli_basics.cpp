#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "app/cli/Cli.h"
#include "common/TestPaths.h"

using namespace neurolm;

TEST(Cli, UnknownCommandIsRefusedWithExitCode2) {
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"frobnicate"}, out, err), 2);
  EXPECT_NE(err.str().find("unknown command 'frobnicate'"), std::string::npos);
}

TEST(Cli, BlasCommandNamesTheLoadedLibrary) {
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"blas"}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("BLAS: "), std::string::npos);
  EXPECT_EQ(out.str().find("none loaded"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("inference thread policy: "), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("decode kernel: "), std::string::npos) << out.str();
}

namespace {
// Runs the built `neurolm` executable with `env` (an env(1) prefix) and returns its stdout.
std::string runExecutable(const std::string& env, const std::string& args) {
  const std::string cmd = "env -u OMP_WAIT_POLICY " + env + " '" +
                          (test::binDir() / "neurolm").string() + "' " + args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "(cannot start " + cmd + ")";
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  return out;
}
}  // namespace

TEST(Cli, ExecutableRestartsWithPassiveOpenMpWaitUnlessTheUserChose) {
  // Without a policy the executable starts with OMP_WAIT_POLICY=PASSIVE (core/system/OpenMpWait.h) and runs LibTorch's and OpenBLAS's pools side by side.
  const auto plain = runExecutable("", "blas");
  EXPECT_NE(plain.find("OpenMP wait passive"), std::string::npos) << plain;
  EXPECT_NE(plain.find("inference thread policy: stock"), std::string::npos) << plain;
  // The user's own policy is kept; spinning OpenMP gets the single-pool policy instead.
  const auto active = runExecutable("OMP_WAIT_POLICY=active", "blas");
  EXPECT_NE(active.find("OpenMP wait active"), std::string::npos) << active;
  EXPECT_NE(active.find("inference thread policy: single pool"), std::string::npos) << active;
  // OMP_NUM_THREADS decides the thread count (as --threads does for tokenize / ask).
  EXPECT_NE(runExecutable("OMP_NUM_THREADS=1", "blas").find("threads: 1\n"), std::string::npos);
}
