//===- ImporterTest.cpp - The ONNX importer through its C++ API
//------------===//
#include "frontend/onnx/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlir;
namespace frontend = anvil::onnx_frontend;

namespace {
/// Writes `text` to a temporary .onnxtxt file and imports it, collecting
/// diagnostics.
struct Imported {
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> errors;
};

Imported importText(MLIRContext &ctx, llvm::StringRef text,
                    const frontend::ImportOptions &options = {}) {
  llvm::SmallString<128> path;
  int fd;
  EXPECT_FALSE(
      llvm::sys::fs::createTemporaryFile("anvil-test", "onnxtxt", fd, path));
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
  }
  Imported result;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    result.errors.push_back(d.str());
    return success();
  });
  result.module = frontend::importOnnxFile(ctx, path, options);
  llvm::sys::fs::remove(path);
  return result;
}

constexpr const char *kModel = R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x) => (float[N, 4] y) {
  r = Relu(x)
  y = Add(r, x)
})";
} // namespace

TEST(Importer, KeepsSymbolicBatchDimension) {
  MLIRContext ctx;
  Imported r = importText(ctx, kModel);
  ASSERT_TRUE(r.module) << (r.errors.empty() ? "" : r.errors.front());
  auto func = r.module->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(func);
  auto in = cast<RankedTensorType>(func.getArgumentTypes()[0]);
  EXPECT_TRUE(in.isDynamicDim(0));
  EXPECT_EQ(in.getDimSize(1), 4);
  EXPECT_EQ(func.getResultTypes()[0], in);
}

TEST(Importer, InputShapeOverridePinsDimension) {
  MLIRContext ctx;
  frontend::ImportOptions options;
  options.inputShapes["x"] = {3, -1};
  Imported r = importText(ctx, kModel, options);
  ASSERT_TRUE(r.module);
  auto func = r.module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(cast<RankedTensorType>(func.getResultTypes()[0]).getShape(),
            (llvm::ArrayRef<int64_t>{3, 4}));
}

TEST(Importer, InputShapeOverrideRejectsUnknownInput) {
  MLIRContext ctx;
  frontend::ImportOptions options;
  options.inputShapes["nope"] = {1, 4};
  Imported r = importText(ctx, kModel, options);
  EXPECT_FALSE(r.module);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("'nope'"), std::string::npos);
}

TEST(Importer, ReportsEveryUnsupportedOp) {
  MLIRContext ctx;
  Imported r = importText(ctx, R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[4] x) => (float[4] y) {
  a = FancyOp(x)
  b = OtherOp(a)
  y = Relu(b)
})");
  EXPECT_FALSE(r.module);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].find("unsupported op 'FancyOp'"), std::string::npos);
  EXPECT_NE(r.errors[1].find("unsupported op 'OtherOp'"), std::string::npos);
}

TEST(Importer, SupportedOpListIsSortedAndCoversTheCore) {
  std::vector<std::string> ops = frontend::supportedOpTypes();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  for (const char *op :
       {"Conv", "MatMul", "Gemm", "Softmax", "LayerNormalization",
        "QuantizeLinear", "Resize", "TopK"})
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
}
