//===- ShapeInference.cpp - Result shapes of anvil ops
//----------------------===//
#include "dialects/Graph/ShapeInference.h"

#include <algorithm>
#include <cctype>

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
    return b; // `?` against a static d must be d (or 1) at run time; d is the
              // result
  if (isDynamic(b))
    return a;
  if (a != b)
    return std::nullopt;
  return a;
}

std::optional<Shape> broadcast(llvm::ArrayRef<int64_t> a,
                               llvm::ArrayRef<int64_t> b) {
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

Shape reduce(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> axes,
             bool keepdims) {
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

Shape dropDims(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> axes) {
  Shape out;
  for (int64_t i = 0, e = in.size(); i < e; ++i)
    if (!llvm::is_contained(axes, i))
      out.push_back(in[i]);
  return out;
}

std::optional<Shape> matmul(llvm::ArrayRef<int64_t> a,
                            llvm::ArrayRef<int64_t> b) {
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
  std::optional<Shape> batch = broadcast(llvm::ArrayRef(sa).drop_back(2),
                                         llvm::ArrayRef(sb).drop_back(2));
  if (!batch)
    return std::nullopt;
  Shape out = *batch;
  if (!vecA)
    out.push_back(sa[sa.size() - 2]);
  if (!vecB)
    out.push_back(sb.back());
  return out;
}

int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride,
                     int64_t padBegin, int64_t padEnd, int64_t dilation,
                     bool ceilMode) {
  if (isDynamic(in) || isDynamic(kernel) || stride <= 0)
    return kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t avail = in + padBegin + padEnd - span;
  if (avail < 0)
    return 0;
  int64_t out = (ceilMode ? (avail + stride - 1) / stride : avail / stride) + 1;
  // With ceil mode, a last window that starts inside the end padding is
  // dropped.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

std::optional<Shape> einsum(llvm::StringRef equation,
                            llvm::ArrayRef<llvm::ArrayRef<int64_t>> operands,
                            std::string &explicitEquation, std::string &error) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  llvm::StringRef lhs = eq, rhs;
  bool hasArrow = false;
  if (size_t arrow = llvm::StringRef(eq).find("->");
      arrow != llvm::StringRef::npos) {
    lhs = llvm::StringRef(eq).take_front(arrow);
    rhs = llvm::StringRef(eq).drop_front(arrow + 2);
    hasArrow = true;
  }
  llvm::SmallVector<llvm::StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != operands.size()) {
    error = "equation has " + std::to_string(terms.size()) +
            " operand terms for " + std::to_string(operands.size()) + " inputs";
    return std::nullopt;
  }
  int64_t letterDim[128];
  int letterCount[128] = {0};
  std::fill(std::begin(letterDim), std::end(letterDim), -2);
  Shape ellipsis;
  bool sawEllipsis = false;
  for (auto [term, shape] : llvm::zip(terms, operands)) {
    size_t dots = term.find("...");
    int64_t letters = term.size() - (dots == llvm::StringRef::npos ? 0 : 3);
    int64_t ellRank = shape.size() - letters;
    if (ellRank < 0 || (dots == llvm::StringRef::npos && ellRank != 0)) {
      error = "term '" + term.str() + "' does not match an operand of rank " +
              std::to_string(shape.size());
      return std::nullopt;
    }
    int64_t dim = 0;
    for (size_t i = 0; i < term.size(); ++i) {
      if (i == dots) {
        std::optional<Shape> b = broadcast(ellipsis, shape.slice(dim, ellRank));
        if (!b) {
          error = "'...' dimensions do not broadcast";
          return std::nullopt;
        }
        ellipsis = *b;
        sawEllipsis = true;
        dim += ellRank;
        i += 2;
        continue;
      }
      unsigned char c = term[i];
      if (!std::isalpha(c)) {
        error = std::string("invalid subscript '") + (char)c + "'";
        return std::nullopt;
      }
      int64_t d = shape[dim++];
      int64_t &known = letterDim[c];
      if (known == -2 || isDynamic(known) || known == 1)
        known = (known == -2 || d != 1 || isDynamic(known)) ? d : known;
      else if (!isDynamic(d) && d != known && d != 1) {
        error = std::string("subscript '") + (char)c + "' has sizes " +
                std::to_string(known) + " and " + std::to_string(d);
        return std::nullopt;
      }
      ++letterCount[c];
    }
  }
  std::string out;
  if (hasArrow) {
    out = rhs.str();
  } else {
    if (sawEllipsis)
      out = "...";
    for (int c = 0; c < 128; ++c)
      if (letterCount[c] == 1)
        out.push_back((char)c);
  }
  Shape result;
  bool inOutput[128] = {false};
  for (size_t i = 0; i < out.size(); ++i) {
    if (llvm::StringRef(out).substr(i).starts_with("...")) {
      result.append(ellipsis.begin(), ellipsis.end());
      i += 2;
      continue;
    }
    unsigned char c = out[i];
    if (std::isalpha(c) && inOutput[c]) {
      error = std::string("output subscript '") + (char)c + "' appears twice";
      return std::nullopt;
    }
    if (std::isalpha(c))
      inOutput[c] = true;
    if (!std::isalpha(c) || letterCount[c] == 0) {
      error =
          std::string("output subscript '") + (char)c + "' is not in any input";
      return std::nullopt;
    }
    result.push_back(letterDim[c]);
  }
  explicitEquation = lhs.str() + "->" + out;
  return result;
}

std::optional<AttentionShapes>
attention(llvm::ArrayRef<int64_t> q, llvm::ArrayRef<int64_t> k,
          llvm::ArrayRef<int64_t> v, llvm::ArrayRef<int64_t> pastKey,
          int64_t qHeads, int64_t kvHeads, std::string &error) {
  size_t rank = q.size();
  if ((rank != 3 && rank != 4) || k.size() != rank || v.size() != rank) {
    error = "q, k and v must all be 3-D or all be 4-D";
    return std::nullopt;
  }
  auto divide = [](int64_t a, int64_t b) { return isDynamic(a) ? a : a / b; };
  int64_t headQ, headK, headV, sq = q[rank - 2], skv = k[rank - 2];
  if (rank == 3) {
    if (qHeads < 1 || kvHeads < 1) {
      error = "3-D inputs need positive q_num_heads and kv_num_heads";
      return std::nullopt;
    }
    sq = q[1];
    skv = k[1];
    headQ = divide(q[2], qHeads);
    headK = divide(k[2], kvHeads);
    headV = divide(v[2], kvHeads);
  } else {
    qHeads = q[1];
    kvHeads = k[1];
    headQ = q[3];
    headK = k[3];
    headV = v[3];
  }
  if (!isDynamic(qHeads) && !isDynamic(kvHeads) &&
      (kvHeads < 1 || qHeads % kvHeads)) {
    error = "q_num_heads must be a multiple of kv_num_heads";
    return std::nullopt;
  }
  if (!isDynamic(headQ) && !isDynamic(headK) && headQ != headK) {
    error = "q and k head sizes differ";
    return std::nullopt;
  }
  if (!pastKey.empty() && pastKey.size() != 4) {
    error = "past_key and past_value must be 4-D";
    return std::nullopt;
  }
  int64_t past = pastKey.empty() ? 0 : pastKey[2];
  int64_t total = isDynamic(past) || isDynamic(skv) ? kDynamic : past + skv;
  int64_t batch = q[0];
  AttentionShapes s;
  s.y = rank == 4
            ? Shape{batch, qHeads, sq, headV}
            : Shape{batch, sq, isDynamic(headV) ? kDynamic : qHeads * headV};
  s.presentKey = {batch, kvHeads, total, headK};
  s.presentValue = {batch, kvHeads, total, headV};
  s.qk = {batch, qHeads, sq, total};
  return s;
}

int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    // An overflowing product is no size a tensor can have: treat it as unknown.
    if (isDynamic(d) || __builtin_mul_overflow(p, d, &p))
      return kDynamic;
  }
  return p;
}

} // namespace anvil::shape
