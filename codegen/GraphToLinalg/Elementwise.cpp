//===- Elementwise.cpp - Elementwise anvil ops → linalg.generic -----------===//
//
// Math, activations, comparisons, logical/bitwise ops, select, clip and casts
// become one linalg.generic whose indexing maps spell out numpy broadcasting.
// Scalar semantics follow the ONNX reference: integer division truncates, Mod
// without fmod takes the divisor's sign, Max/Min propagate NaN, Round ties to
// even. Unsigned tensors are computed on as signless with unsigned arith ops.
//
//===----------------------------------------------------------------------===//
#include "codegen/GraphToLinalg/LoweringHelpers.h"
#include "dialects/Graph/AnvilDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace anvil;
using namespace anvil::lowering;

namespace {

/// Which element types an elementwise op is lowered for.
enum class Accepts { Float, Int, FloatOrInt, Bool, Any };

/// Computes one element; `isUnsigned` says whether the operands were unsigned
/// integers (they arrive as signless).
using ElementFn = std::function<Value(OpBuilder &, Location, Type, ValueRange,
                                      bool isUnsigned)>;

bool accepted(Type t, Accepts accepts) {
  bool isFloat = isa<FloatType>(t) && t.getIntOrFloatBitWidth() >= 16;
  // Sub-byte integers (int4, uint2...) have ONNX-specific packing and
  // saturation; they are left alone.
  bool isInt = isa<IntegerType>(t) && t.getIntOrFloatBitWidth() % 8 == 0;
  switch (accepts) {
  case Accepts::Float:
    return isFloat;
  case Accepts::Int:
    return isInt;
  case Accepts::FloatOrInt:
    return isFloat || isInt;
  case Accepts::Bool:
    return t.isInteger(1);
  case Accepts::Any:
    return isFloat || isInt || t.isInteger(1);
  }
  return false;
}

/// An elementwise op whose scalar computation is `fn`, for operand element
/// types that `accepts` allows.
template <typename OpTy> struct ElementwisePattern : OpRewritePattern<OpTy> {
  ElementwisePattern(MLIRContext *ctx, ElementFn fn, Accepts accepts)
      : OpRewritePattern<OpTy>(ctx), fn(std::move(fn)), accepts(accepts) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type et = getElementTypeOrSelf(op->getOperand(0).getType());
    if (!accepted(et, accepts))
      return rewriter.notifyMatchFailure(
          op, "element type has no scalar lowering for this op");
    bool isUnsigned = isUnsignedInt(et) || et.isInteger(1);
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          return fn(b, l, t, a, isUnsigned);
        });
  }

  ElementFn fn;
  Accepts accepts;
};

Value cmpF(OpBuilder &b, Location l, arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(b, l, p, x, y);
}
Value cmpI(OpBuilder &b, Location l, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, l, p, x, y);
}
Value select(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}

/// Integer quotient and remainder that never trap: a zero divisor gives 0
/// (as numpy does) and INT_MIN / -1 wraps.
Value safeDivisor(OpBuilder &b, Location l, Value y, bool isUnsigned) {
  Type t = y.getType();
  Value one = intConst(b, l, t, 1);
  Value bad = cmpI(b, l, arith::CmpIPredicate::eq, y, zeroOf(b, l, t));
  if (!isUnsigned)
    bad = arith::OrIOp::create(
        b, l, bad,
        cmpI(b, l, arith::CmpIPredicate::eq, y, intConst(b, l, t, -1)));
  return select(b, l, bad, one, y);
}

Value intDiv(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  Type t = x.getType();
  Value d = safeDivisor(b, l, y, isUnsigned);
  Value zero = zeroOf(b, l, t);
  Value isZero = cmpI(b, l, arith::CmpIPredicate::eq, y, zero);
  if (isUnsigned)
    return select(b, l, isZero, zero, arith::DivUIOp::create(b, l, x, d));
  Value q = arith::DivSIOp::create(b, l, x, d);
  Value isMinusOne =
      cmpI(b, l, arith::CmpIPredicate::eq, y, intConst(b, l, t, -1));
  q = select(b, l, isMinusOne, arith::SubIOp::create(b, l, zero, x), q);
  return select(b, l, isZero, zero, q);
}

/// Remainder with the sign of the dividend (C fmod) or, with `floorMod`, of
/// the divisor (Python %).
Value intRem(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned,
             bool floorMod) {
  Type t = x.getType();
  Value d = safeDivisor(b, l, y, isUnsigned);
  Value zero = zeroOf(b, l, t);
  Value isZero = cmpI(b, l, arith::CmpIPredicate::eq, y, zero);
  if (isUnsigned)
    return select(b, l, isZero, zero, arith::RemUIOp::create(b, l, x, d));
  // With d = 1 for y = -1 the remainder is 0, which is right for -1 too.
  Value r = arith::RemSIOp::create(b, l, x, d);
  if (floorMod) {
    Value rNeg = cmpI(b, l, arith::CmpIPredicate::slt, r, zero);
    Value yNeg = cmpI(b, l, arith::CmpIPredicate::slt, y, zero);
    Value fix = arith::AndIOp::create(
        b, l, cmpI(b, l, arith::CmpIPredicate::ne, r, zero),
        arith::XOrIOp::create(b, l, rNeg, yNeg));
    r = select(b, l, fix, arith::AddIOp::create(b, l, r, y), r);
  }
  return select(b, l, isZero, zero, r);
}

Value floatRem(OpBuilder &b, Location l, Value x, Value y, bool floorMod) {
  Value r = arith::RemFOp::create(b, l, x, y);
  if (!floorMod)
    return r;
  Type t = x.getType();
  Value zero = zeroOf(b, l, t);
  Value rNeg = cmpF(b, l, arith::CmpFPredicate::OLT, r, zero);
  Value yNeg = cmpF(b, l, arith::CmpFPredicate::OLT, y, zero);
  Value fix = arith::AndIOp::create(
      b, l, cmpF(b, l, arith::CmpFPredicate::ONE, r, zero),
      arith::XOrIOp::create(b, l, rNeg, yNeg));
  r = select(b, l, fix, arith::AddFOp::create(b, l, r, y), r);
  // A zero remainder takes the divisor's sign too (numpy: 0 % -2 == -0.0).
  Value isZero = cmpF(b, l, arith::CmpFPredicate::OEQ, r, zero);
  return select(b, l, isZero, math::CopySignOp::create(b, l, r, y), r);
}

/// Shifts by at least the bit width give 0 (as the ONNX reference does)
/// instead of poison.
Value shift(OpBuilder &b, Location l, Value x, Value y, bool left,
            bool isUnsigned) {
  Type t = x.getType();
  Value width = intConst(b, l, t, t.getIntOrFloatBitWidth());
  Value outOfRange = cmpI(b, l, arith::CmpIPredicate::uge, y, width);
  Value zero = zeroOf(b, l, t);
  Value safe = select(b, l, outOfRange, zero, y);
  Value r, fill = zero;
  if (left) {
    r = arith::ShLIOp::create(b, l, x, safe);
  } else if (isUnsigned) {
    r = arith::ShRUIOp::create(b, l, x, safe);
  } else {
    r = arith::ShRSIOp::create(b, l, x, safe);
    fill = select(b, l, cmpI(b, l, arith::CmpIPredicate::slt, x, zero),
                  intConst(b, l, t, -1), zero);
  }
  return select(b, l, outOfRange, fill, r);
}

/// Integer x^y: a float exponent goes through f64 (as numpy computes it), an
/// integer one by squaring over its bits (math.ipowi has no CPU lowering). A
/// negative exponent gives the integer part of 1 / x^-y: 1 or -1 for x = 1 or
/// -1, else 0.
Value intPow(OpBuilder &b, Location l, Type t, Value x, Value y,
             bool isUnsigned) {
  Type f64 = b.getF64Type();
  if (isa<FloatType>(y.getType())) {
    Value xf = isUnsigned ? arith::UIToFPOp::create(b, l, f64, x).getResult()
                          : arith::SIToFPOp::create(b, l, f64, x).getResult();
    Value yf = y.getType() == f64
                   ? y
                   : arith::ExtFOp::create(b, l, f64, y).getResult();
    Value p = math::PowFOp::create(b, l, xf, yf);
    return isUnsigned ? arith::FPToUIOp::create(b, l, t, p).getResult()
                      : arith::FPToSIOp::create(b, l, t, p).getResult();
  }
  unsigned width = t.getIntOrFloatBitWidth();
  unsigned yWidth = y.getType().getIntOrFloatBitWidth();
  if (yWidth > width)
    y = arith::TruncIOp::create(b, l, t, y);
  else if (yWidth < width)
    y = isUnsigned ? arith::ExtUIOp::create(b, l, t, y).getResult()
                   : arith::ExtSIOp::create(b, l, t, y).getResult();
  Value zero = intConst(b, l, t, 0), one = intConst(b, l, t, 1);
  Value result = one, base = x;
  for (unsigned bit = 0; bit < width; ++bit) {
    Value set = cmpI(
        b, l, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, l, y, intConst(b, l, t, 1LL << bit)), zero);
    result =
        select(b, l, set, arith::MulIOp::create(b, l, result, base), result);
    base = arith::MulIOp::create(b, l, base, base);
  }
  if (isUnsigned)
    return result;
  // Negative exponents: only |x| = 1 keeps a non-zero integer part.
  Value negative = cmpI(b, l, arith::CmpIPredicate::slt, y, zero);
  Value minusOne = intConst(b, l, t, -1);
  Value odd = cmpI(b, l, arith::CmpIPredicate::ne,
                   arith::AndIOp::create(b, l, y, one), zero);
  Value ofMinusOne = select(b, l, odd, minusOne, one);
  Value inverse =
      select(b, l, cmpI(b, l, arith::CmpIPredicate::eq, x, one), one,
             select(b, l, cmpI(b, l, arith::CmpIPredicate::eq, x, minusOne),
                    ofMinusOne, zero));
  return select(b, l, negative, inverse, result);
}

Value softplus(OpBuilder &b, Location l, Value x) {
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|), which does not overflow.
  Type t = x.getType();
  Value m = arith::MaximumFOp::create(b, l, x, zeroOf(b, l, t));
  Value e = math::ExpOp::create(
      b, l, arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x)));
  return arith::AddFOp::create(b, l, m, math::Log1pOp::create(b, l, e));
}

/// Clip with constant bounds: max then min against the bounds that are
/// present (NaN stays NaN for floats).
struct ClipPattern : OpRewritePattern<ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    if (!accepted(et, Accepts::FloatOrInt))
      return rewriter.notifyMatchFailure(op, "only float and integer clip");
    std::optional<double> lo, hi;
    if (op.getMin())
      lo = op.getMin()->convertToDouble();
    if (op.getMax())
      hi = op.getMax()->convertToDouble();
    bool isUnsigned = isUnsignedInt(et);
    if (auto it = dyn_cast<IntegerType>(et)) {
      // A bound outside the type's range clips nothing; others are exact.
      unsigned w = it.getWidth();
      double minV = isUnsigned ? 0 : -std::ldexp(1.0, w - 1);
      double maxV =
          isUnsigned ? std::ldexp(1.0, w) - 1 : std::ldexp(1.0, w - 1) - 1;
      if ((lo && (*lo != std::floor(*lo) || *lo > maxV)) ||
          (hi && (*hi != std::floor(*hi) || *hi < minV)))
        return rewriter.notifyMatchFailure(
            op, "integer clip bounds must be integers in the type's range");
      if (lo && *lo <= minV)
        lo.reset();
      if (hi && *hi >= maxV)
        hi.reset();
    }
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          Value v = a[0];
          if (isa<FloatType>(t)) {
            if (lo)
              v = arith::MaximumFOp::create(b, l, v, floatConst(b, l, t, *lo));
            if (hi)
              v = arith::MinimumFOp::create(b, l, v, floatConst(b, l, t, *hi));
            return v;
          }
          auto c = [&](double d) {
            return intConst(b, l, t,
                            isUnsigned ? (int64_t)(uint64_t)d : (int64_t)d);
          };
          if (lo)
            v = isUnsigned ? Value(arith::MaxUIOp::create(b, l, v, c(*lo)))
                           : Value(arith::MaxSIOp::create(b, l, v, c(*lo)));
          if (hi)
            v = isUnsigned ? Value(arith::MinUIOp::create(b, l, v, c(*hi)))
                           : Value(arith::MinSIOp::create(b, l, v, c(*hi)));
          return v;
        });
  }
};

/// Cast between floats (16 bits and wider) and integers (bool counts as an
/// unsigned integer 0/1); float to integer truncates toward zero, as ONNX
/// specifies. Float8 casts (saturation) are left alone.
struct CastPattern : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    if (!accepted(from, Accepts::Any) || !accepted(to, Accepts::Any))
      return rewriter.notifyMatchFailure(
          op, "only float (16 bits or wider) and integer casts");
    bool fromUnsigned = isUnsignedInt(from) || from.isInteger(1);
    bool toUnsigned = isUnsignedInt(to);
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          Value v = a[0];
          Type src = v.getType();
          auto fromF = dyn_cast<FloatType>(src), toF = dyn_cast<FloatType>(t);
          if (fromF && toF)
            return fromF.getWidth() < toF.getWidth()
                       ? Value(arith::ExtFOp::create(b, l, t, v))
                   : fromF.getWidth() > toF.getWidth() || fromF != toF
                       ? Value(arith::TruncFOp::create(b, l, t, v))
                       : v;
          if (fromF) {
            if (t.isInteger(1)) // x != 0 (NaN is true, as in numpy)
              return cmpF(b, l, arith::CmpFPredicate::UNE, v,
                          zeroOf(b, l, src));
            return toUnsigned ? Value(arith::FPToUIOp::create(b, l, t, v))
                              : Value(arith::FPToSIOp::create(b, l, t, v));
          }
          if (toF)
            return fromUnsigned ? Value(arith::UIToFPOp::create(b, l, t, v))
                                : Value(arith::SIToFPOp::create(b, l, t, v));
          unsigned fw = src.getIntOrFloatBitWidth(),
                   tw = t.getIntOrFloatBitWidth();
          if (tw == 1)
            return cmpI(b, l, arith::CmpIPredicate::ne, v, zeroOf(b, l, src));
          if (fw < tw)
            return fromUnsigned ? Value(arith::ExtUIOp::create(b, l, t, v))
                                : Value(arith::ExtSIOp::create(b, l, t, v));
          return fw > tw ? Value(arith::TruncIOp::create(b, l, t, v)) : v;
        });
  }
};

/// Bit reinterpretation between types of one width (not bool, whose ONNX
/// width is a byte).
struct BitcastPattern : OpRewritePattern<BitcastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BitcastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    if (!accepted(from, Accepts::Any) || !accepted(to, Accepts::Any) ||
        from.isInteger(1) || to.isInteger(1) ||
        from.getIntOrFloatBitWidth() != to.getIntOrFloatBitWidth())
      return rewriter.notifyMatchFailure(op, "needs equal non-bool widths");
    // arith.bitcast in a generic (which bufferizes) on signless types.
    return lowerElementwise(
        op, rewriter, [](OpBuilder &b, Location l, Type t, ValueRange a) {
          return arith::BitcastOp::create(b, l, t, a[0]).getResult();
        });
  }
};

struct IsNaNPattern : OpRewritePattern<IsNaNOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IsNaNOp op,
                                PatternRewriter &rewriter) const override {
    return lowerElementwise(
        op, rewriter, [](OpBuilder &b, Location l, Type, ValueRange a) {
          return cmpF(b, l, arith::CmpFPredicate::UNO, a[0], a[0]);
        });
  }
};

struct IsInfPattern : OpRewritePattern<IsInfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IsInfOp op,
                                PatternRewriter &rewriter) const override {
    bool pos = op.getDetectPositive(), neg = op.getDetectNegative();
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          Type ft = a[0].getType();
          double inf = std::numeric_limits<double>::infinity();
          Value r = zeroOf(b, l, t);
          if (pos)
            r = arith::OrIOp::create(b, l, r,
                                     cmpF(b, l, arith::CmpFPredicate::OEQ, a[0],
                                          floatConst(b, l, ft, inf)));
          if (neg)
            r = arith::OrIOp::create(b, l, r,
                                     cmpF(b, l, arith::CmpFPredicate::OEQ, a[0],
                                          floatConst(b, l, ft, -inf)));
          return r;
        });
  }
};

struct SelectPattern : OpRewritePattern<SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectOp op,
                                PatternRewriter &rewriter) const override {
    if (!accepted(op.getType().getElementType(), Accepts::Any))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    return lowerElementwise(op, rewriter,
                            [](OpBuilder &b, Location l, Type, ValueRange a) {
                              return select(b, l, a[0], a[1], a[2]);
                            });
  }
};

/// Float activations whose scalar computation reads the op's attributes.
template <typename OpTy> struct ActivationPattern : OpRewritePattern<OpTy> {
  using Fn = std::function<Value(OpTy, OpBuilder &, Location, Type, Value)>;
  ActivationPattern(MLIRContext *ctx, Fn fn)
      : OpRewritePattern<OpTy>(ctx), fn(std::move(fn)) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!accepted(op.getType().getElementType(), Accepts::Float))
      return rewriter.notifyMatchFailure(op, "only float activations");
    return lowerElementwise(
        op, rewriter, [&](OpBuilder &b, Location l, Type t, ValueRange a) {
          return fn(op, b, l, t, a[0]);
        });
  }
  Fn fn;
};

/// The comparison `fp`/`sp`/`up` (float, signed, unsigned predicates).
template <typename OpTy>
void addCompare(RewritePatternSet &patterns, arith::CmpFPredicate fp,
                arith::CmpIPredicate sp, arith::CmpIPredicate up) {
  patterns.add<ElementwisePattern<OpTy>>(
      patterns.getContext(),
      [=](OpBuilder &b, Location l, Type, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return cmpF(b, l, fp, a[0], a[1]);
        return cmpI(b, l, uns ? up : sp, a[0], a[1]);
      },
      Accepts::Any);
}

} // namespace

void anvil::lowering::populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  auto add = [&](auto tag, ElementFn fn, Accepts accepts) {
    using OpTy = typename decltype(tag)::type;
    patterns.add<ElementwisePattern<OpTy>>(ctx, std::move(fn), accepts);
  };
  // Float-only unary math.
  auto unaryMath = [&](auto opTag, auto mathTag) {
    using MathOp = typename decltype(mathTag)::type;
    add(
        opTag,
        [](OpBuilder &b, Location l, Type, ValueRange a, bool) -> Value {
          return MathOp::create(b, l, a[0]);
        },
        Accepts::Float);
  };
  unaryMath(TypeTag<ExpOp>{}, TypeTag<math::ExpOp>{});
  unaryMath(TypeTag<LogOp>{}, TypeTag<math::LogOp>{});
  unaryMath(TypeTag<SqrtOp>{}, TypeTag<math::SqrtOp>{});
  unaryMath(TypeTag<TanhOp>{}, TypeTag<math::TanhOp>{});
  unaryMath(TypeTag<ErfOp>{}, TypeTag<math::ErfOp>{});
  unaryMath(TypeTag<FloorOp>{}, TypeTag<math::FloorOp>{});
  unaryMath(TypeTag<CeilOp>{}, TypeTag<math::CeilOp>{});
  unaryMath(TypeTag<RoundOp>{}, TypeTag<math::RoundEvenOp>{});
  unaryMath(TypeTag<SinOp>{}, TypeTag<math::SinOp>{});
  unaryMath(TypeTag<CosOp>{}, TypeTag<math::CosOp>{});
  unaryMath(TypeTag<TanOp>{}, TypeTag<math::TanOp>{});
  unaryMath(TypeTag<AsinOp>{}, TypeTag<math::AsinOp>{});
  unaryMath(TypeTag<AcosOp>{}, TypeTag<math::AcosOp>{});
  unaryMath(TypeTag<AtanOp>{}, TypeTag<math::AtanOp>{});
  unaryMath(TypeTag<SinhOp>{}, TypeTag<math::SinhOp>{});
  unaryMath(TypeTag<CoshOp>{}, TypeTag<math::CoshOp>{});
  unaryMath(TypeTag<AsinhOp>{}, TypeTag<math::AsinhOp>{});
  unaryMath(TypeTag<AcoshOp>{}, TypeTag<math::AcoshOp>{});
  unaryMath(TypeTag<AtanhOp>{}, TypeTag<math::AtanhOp>{});

  add(
      TypeTag<AbsOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return math::AbsFOp::create(b, l, a[0]);
        return uns ? a[0] : math::AbsIOp::create(b, l, a[0]).getResult();
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<NegOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        if (isa<FloatType>(t))
          return arith::NegFOp::create(b, l, a[0]);
        return arith::SubIOp::create(b, l, zeroOf(b, l, t), a[0]);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<SignOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        Value zero = zeroOf(b, l, t);
        if (isa<FloatType>(t)) // NaN stays NaN
          return select(
              b, l, cmpF(b, l, arith::CmpFPredicate::OGT, a[0], zero),
              floatConst(b, l, t, 1),
              select(b, l, cmpF(b, l, arith::CmpFPredicate::OLT, a[0], zero),
                     floatConst(b, l, t, -1), a[0]));
        Value pos = arith::ExtUIOp::create(
            b, l, t,
            cmpI(b, l,
                 uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
                 a[0], zero));
        if (uns)
          return pos;
        Value neg = arith::ExtUIOp::create(
            b, l, t, cmpI(b, l, arith::CmpIPredicate::slt, a[0], zero));
        return arith::SubIOp::create(b, l, pos, neg);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<ReciprocalOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        return arith::DivFOp::create(b, l, oneOf(b, l, t), a[0]);
      },
      Accepts::Float);

  // Binary arithmetic.
  add(
      TypeTag<AddOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        if (isa<FloatType>(t))
          return arith::AddFOp::create(b, l, a[0], a[1]);
        return arith::AddIOp::create(b, l, a[0], a[1]);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<SubOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        if (isa<FloatType>(t))
          return arith::SubFOp::create(b, l, a[0], a[1]);
        return arith::SubIOp::create(b, l, a[0], a[1]);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<MulOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        if (isa<FloatType>(t))
          return arith::MulFOp::create(b, l, a[0], a[1]);
        return arith::MulIOp::create(b, l, a[0], a[1]);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<DivOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return arith::DivFOp::create(b, l, a[0], a[1]);
        return intDiv(b, l, a[0], a[1], uns);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<RemOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return floatRem(b, l, a[0], a[1], /*floorMod=*/true);
        return intRem(b, l, a[0], a[1], uns, /*floorMod=*/true);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<FRemOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return floatRem(b, l, a[0], a[1], /*floorMod=*/false);
        return intRem(b, l, a[0], a[1], uns, /*floorMod=*/false);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<MaxOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return arith::MaximumFOp::create(b, l, a[0], a[1]);
        if (uns)
          return arith::MaxUIOp::create(b, l, a[0], a[1]);
        return arith::MaxSIOp::create(b, l, a[0], a[1]);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<MinOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return arith::MinimumFOp::create(b, l, a[0], a[1]);
        if (uns)
          return arith::MinUIOp::create(b, l, a[0], a[1]);
        return arith::MinSIOp::create(b, l, a[0], a[1]);
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<PowOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return math::PowFOp::create(b, l, a[0], a[1]);
        return intPow(b, l, t, a[0], a[1], uns);
      },
      Accepts::FloatOrInt);

  // Logical and bitwise.
  auto bitwise = [&](auto opTag, auto arithTag, Accepts accepts) {
    using ArithOp = typename decltype(arithTag)::type;
    add(
        opTag,
        [](OpBuilder &b, Location l, Type, ValueRange a, bool) -> Value {
          return ArithOp::create(b, l, a[0], a[1]);
        },
        accepts);
  };
  bitwise(TypeTag<AndOp>{}, TypeTag<arith::AndIOp>{}, Accepts::Bool);
  bitwise(TypeTag<OrOp>{}, TypeTag<arith::OrIOp>{}, Accepts::Bool);
  bitwise(TypeTag<XorOp>{}, TypeTag<arith::XOrIOp>{}, Accepts::Bool);
  bitwise(TypeTag<BitwiseAndOp>{}, TypeTag<arith::AndIOp>{}, Accepts::Int);
  bitwise(TypeTag<BitwiseOrOp>{}, TypeTag<arith::OrIOp>{}, Accepts::Int);
  bitwise(TypeTag<BitwiseXorOp>{}, TypeTag<arith::XOrIOp>{}, Accepts::Int);
  auto complement = [](OpBuilder &b, Location l, Type t, ValueRange a,
                       bool) -> Value {
    return arith::XOrIOp::create(b, l, a[0], intConst(b, l, t, -1));
  };
  add(TypeTag<NotOp>{}, complement, Accepts::Bool);
  add(TypeTag<BitwiseNotOp>{}, complement, Accepts::Int);
  add(
      TypeTag<ShiftLeftOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a, bool uns) -> Value {
        return shift(b, l, a[0], a[1], /*left=*/true, uns);
      },
      Accepts::Int);
  add(
      TypeTag<ShiftRightOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a, bool uns) -> Value {
        return shift(b, l, a[0], a[1], /*left=*/false, uns);
      },
      Accepts::Int);

  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  addCompare<EqualOp>(patterns, FP::OEQ, IP::eq, IP::eq);
  addCompare<LessOp>(patterns, FP::OLT, IP::slt, IP::ult);
  addCompare<LessEqualOp>(patterns, FP::OLE, IP::sle, IP::ule);
  addCompare<GreaterOp>(patterns, FP::OGT, IP::sgt, IP::ugt);
  addCompare<GreaterEqualOp>(patterns, FP::OGE, IP::sge, IP::uge);

  // Activations.
  add(
      TypeTag<ReluOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool uns) -> Value {
        if (isa<FloatType>(t))
          return arith::MaximumFOp::create(b, l, a[0], zeroOf(b, l, t));
        return uns ? a[0]
                   : arith::MaxSIOp::create(b, l, a[0], zeroOf(b, l, t))
                         .getResult();
      },
      Accepts::FloatOrInt);
  add(
      TypeTag<SigmoidOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, a[0]));
        return arith::DivFOp::create(
            b, l, oneOf(b, l, t),
            arith::AddFOp::create(b, l, oneOf(b, l, t), e));
      },
      Accepts::Float);
  add(
      TypeTag<SoftplusOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a, bool) -> Value {
        return softplus(b, l, a[0]);
      },
      Accepts::Float);
  add(
      TypeTag<SoftsignOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        Value d = arith::AddFOp::create(b, l, oneOf(b, l, t),
                                        math::AbsFOp::create(b, l, a[0]));
        return arith::DivFOp::create(b, l, a[0], d);
      },
      Accepts::Float);
  add(
      TypeTag<HardSwishOp>{},
      [](OpBuilder &b, Location l, Type t, ValueRange a, bool) -> Value {
        Value h = arith::AddFOp::create(
            b, l,
            arith::MulFOp::create(b, l, a[0], floatConst(b, l, t, 1.0 / 6)),
            floatConst(b, l, t, 0.5));
        h = arith::MinimumFOp::create(
            b, l, arith::MaximumFOp::create(b, l, h, zeroOf(b, l, t)),
            oneOf(b, l, t));
        return arith::MulFOp::create(b, l, a[0], h);
      },
      Accepts::Float);
  add(
      TypeTag<MishOp>{},
      [](OpBuilder &b, Location l, Type, ValueRange a, bool) -> Value {
        return arith::MulFOp::create(
            b, l, a[0], math::TanhOp::create(b, l, softplus(b, l, a[0])));
      },
      Accepts::Float);

  auto c = [](OpBuilder &b, Location l, Type t, APFloat v) {
    return floatConst(b, l, t, v.convertToDouble());
  };
  auto addF = [](OpBuilder &b, Location l, Value x, Value y) -> Value {
    return arith::AddFOp::create(b, l, x, y);
  };
  auto mulF = [](OpBuilder &b, Location l, Value x, Value y) -> Value {
    return arith::MulFOp::create(b, l, x, y);
  };
  auto less = [](OpBuilder &b, Location l, Value x, Value y) {
    return cmpF(b, l, arith::CmpFPredicate::OLT, x, y);
  };
  auto expm1 = [](OpBuilder &b, Location l, Value x) -> Value {
    return math::ExpM1Op::create(b, l, x);
  };
  patterns.add<ActivationPattern<LeakyReluOp>>(
      ctx, [=](LeakyReluOp op, OpBuilder &b, Location l, Type t, Value x) {
        return select(b, l, less(b, l, x, zeroOf(b, l, t)),
                      mulF(b, l, c(b, l, t, op.getAlpha()), x), x);
      });
  patterns.add<ActivationPattern<EluOp>>(
      ctx, [=](EluOp op, OpBuilder &b, Location l, Type t, Value x) {
        return select(b, l, less(b, l, x, zeroOf(b, l, t)),
                      mulF(b, l, c(b, l, t, op.getAlpha()), expm1(b, l, x)), x);
      });
  patterns.add<ActivationPattern<CeluOp>>(
      ctx, [=](CeluOp op, OpBuilder &b, Location l, Type t, Value x) {
        Value alpha = c(b, l, t, op.getAlpha());
        Value zero = zeroOf(b, l, t);
        Value e = mulF(b, l, alpha,
                       expm1(b, l, arith::DivFOp::create(b, l, x, alpha)));
        return addF(b, l, arith::MaximumFOp::create(b, l, x, zero),
                    arith::MinimumFOp::create(b, l, e, zero));
      });
  patterns.add<ActivationPattern<SeluOp>>(
      ctx, [=](SeluOp op, OpBuilder &b, Location l, Type t, Value x) {
        Value neg = mulF(b, l, c(b, l, t, op.getAlpha()), expm1(b, l, x));
        Value pos = cmpF(b, l, arith::CmpFPredicate::OGT, x, zeroOf(b, l, t));
        return mulF(b, l, c(b, l, t, op.getGamma()), select(b, l, pos, x, neg));
      });
  patterns.add<ActivationPattern<HardSigmoidOp>>(
      ctx, [=](HardSigmoidOp op, OpBuilder &b, Location l, Type t, Value x) {
        Value v = addF(b, l, mulF(b, l, c(b, l, t, op.getAlpha()), x),
                       c(b, l, t, op.getBeta()));
        return arith::MaximumFOp::create(
            b, l, arith::MinimumFOp::create(b, l, v, oneOf(b, l, t)),
            zeroOf(b, l, t));
      });
  patterns.add<ActivationPattern<ThresholdedReluOp>>(
      ctx,
      [=](ThresholdedReluOp op, OpBuilder &b, Location l, Type t, Value x) {
        return select(
            b, l,
            cmpF(b, l, arith::CmpFPredicate::OGT, x, c(b, l, t, op.getAlpha())),
            x, zeroOf(b, l, t));
      });
  patterns.add<ActivationPattern<ShrinkOp>>(
      ctx, [=](ShrinkOp op, OpBuilder &b, Location l, Type t, Value x) {
        Value lambd = c(b, l, t, op.getLambd()),
              bias = c(b, l, t, op.getBias());
        Value below = less(b, l, x, arith::NegFOp::create(b, l, lambd));
        Value above = cmpF(b, l, arith::CmpFPredicate::OGT, x, lambd);
        return select(b, l, below, addF(b, l, x, bias),
                      select(b, l, above, arith::SubFOp::create(b, l, x, bias),
                             zeroOf(b, l, t)));
      });
  patterns.add<ActivationPattern<GeluOp>>(ctx, [=](GeluOp op, OpBuilder &b,
                                                   Location l, Type t,
                                                   Value x) {
    Value half = floatConst(b, l, t, 0.5);
    Value inner;
    if (op.getTanhApproximation()) {
      // tanh(sqrt(2 / pi) * (x + 0.044715 x^3))
      Value x3 = mulF(b, l, x, mulF(b, l, x, x));
      Value s = addF(b, l, x, mulF(b, l, floatConst(b, l, t, 0.044715), x3));
      inner = math::TanhOp::create(
          b, l, mulF(b, l, floatConst(b, l, t, std::sqrt(2.0 / M_PI)), s));
    } else {
      inner = math::ErfOp::create(
          b, l, mulF(b, l, x, floatConst(b, l, t, M_SQRT1_2)));
    }
    return mulF(b, l, mulF(b, l, half, x), addF(b, l, oneOf(b, l, t), inner));
  });

  patterns.add<ClipPattern, CastPattern, BitcastPattern, IsNaNPattern,
               IsInfPattern, SelectPattern>(ctx);
}
