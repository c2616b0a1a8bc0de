#include <gtest/gtest.h>

#include <filesystem>

#include "common/TestPaths.h"
#include "core/io/Npy.h"

using namespace neurolm;

TEST(Npy, ReadsOfficialFixtureWithAppendixAValues) {
  const auto a = readNpy(test::parityDir() / "preprocessing" / "Subject00_2_last60s_200Hz_uV_window0.npy");
  ASSERT_EQ(a.type, NpyType::Float64);
  ASSERT_EQ(a.shape, (std::vector<std::size_t>{19, 800}));
  const auto v = a.toDouble();
  // spec Appendix A: w[0, FP1, 0:2] = 10.2651048028, 14.6715702967
  EXPECT_NEAR(v[0], 10.2651048028, 1e-9);
  EXPECT_NEAR(v[1], 14.6715702967, 1e-9);
}

TEST(Npy, RoundTripsAndRejectsTruncation) {
  const auto dir = std::filesystem::temp_directory_path() / "neurolm_npy_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "a.npy";
  writeNpy(path, makeNpy(std::vector<float>{1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}, {2, 3}));
  const auto back = readNpy(path);
  EXPECT_EQ(back.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(back.toFloat()[2], 3.25f);
  auto bytes = back.bytes;
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  try {
    readNpy(path);
    FAIL() << "truncated file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("a.npy"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}
