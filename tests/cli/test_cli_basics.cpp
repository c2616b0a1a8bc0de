#include <gtest/gtest.h>

#include <sstream>

#include "app/cli/Cli.h"

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
