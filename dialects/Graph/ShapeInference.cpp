//===- ShapeInference.cpp - Result shapes of anvil ops ----------------------===//
#include "dialects/Graph/ShapeInference.h"

#include <algorithm>

namespace anvil::shape {

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

static std::optional<int64_t> broadcastDim(int64_t a, int64_t b) {
  if (a == 1)
    return b;
  if (b == 1)
    return a;
  if (isDynamic(a))
    return b; // `?` against a static d must be d (or 1) at run time; d is the result
  if (isDynamic(b))
    return a;
  if (a != b)
    return std::nullopt;
  return a;
}

std::optional<Shape> broadcast(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    std::optional<int64_t> d = broadcastDim(da, db);
    if (!d)
      return std::nullopt;
    out[i] = *d;
  }
  return out;
}

bool compatible(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!isDynamic(x) && !isDynamic(y) && x != y)
      return false;
  return true;
}

Shape reduce(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> axes, bool keepdims) {
  Shape out;
  for (int64_t i = 0, e = in.size(); i < e; ++i) {
    bool reduced = axes.empty() || llvm::is_contained(axes, i);
    if (!reduced)
      out.push_back(in[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

std::optional<Shape> matmul(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  if (a.empty() || b.empty())
    return std::nullopt;
  Shape sa(a), sb(b);
  bool vecA = sa.size() == 1, vecB = sb.size() == 1;
  if (vecA)
    sa.insert(sa.begin(), 1);
  if (vecB)
    sb.push_back(1);
  int64_t ka = sa.back(), kb = sb[sb.size() - 2];
  if (!isDynamic(ka) && !isDynamic(kb) && ka != kb)
    return std::nullopt;
  std::optional<Shape> batch =
      broadcast(llvm::ArrayRef(sa).drop_back(2), llvm::ArrayRef(sb).drop_back(2));
  if (!batch)
    return std::nullopt;
  Shape out = *batch;
  if (!vecA)
    out.push_back(sa[sa.size() - 2]);
  if (!vecB)
    out.push_back(sb.back());
  return out;
}

int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                     int64_t padEnd, int64_t dilation, bool ceilMode) {
  if (isDynamic(in) || stride <= 0)
    return kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t avail = in + padBegin + padEnd - span;
  if (avail < 0)
    return 0;
  int64_t out = (ceilMode ? (avail + stride - 1) / stride : avail / stride) + 1;
  // With ceil mode, a last window that starts inside the end padding is dropped.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (isDynamic(d))
      return kDynamic;
    p *= d;
  }
  return p;
}

} // namespace anvil::shape
