#include <gtest/gtest.h>

#include "core/system/BlasInfo.h"
#include "models/runtime/Device.h"

using namespace neurolm;

TEST(Device, FallsBackToCpuWithAReasonWhenCudaIsMissing) {
  const auto choice = chooseDevice("cuda");
  if (torch::cuda::is_available()) {
    EXPECT_TRUE(choice.device.is_cuda());
  } else {
    EXPECT_TRUE(choice.device.is_cpu());
    EXPECT_NE(choice.reason.find("CUDA requested but not available"), std::string::npos) << choice.reason;
  }
  EXPECT_TRUE(chooseDevice("cpu").device.is_cpu());
  EXPECT_THROW(chooseDevice("tpu"), std::invalid_argument);
}

TEST(Device, TorchMatmulMatchesAHandComputedProductAndBlasIsReported) {
  const auto a = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}});
  const auto b = torch::tensor({{5.0f, 6.0f}, {7.0f, 8.0f}});
  const auto c = torch::matmul(a, b);  // [[19, 22], [43, 50]]
  EXPECT_FLOAT_EQ(c[0][0].item<float>(), 19.0f);
  EXPECT_FLOAT_EQ(c[1][1].item<float>(), 50.0f);
  const auto big = torch::ones({64, 64});
  EXPECT_FLOAT_EQ(torch::matmul(big, big)[3][5].item<float>(), 64.0f);  // forces the BLAS path
  const auto blas = detectBlas();
  EXPECT_FALSE(blas.libraryPath.empty()) << "no BLAS library mapped after a float matmul";
}
