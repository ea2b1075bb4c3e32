//===- AnvilOps.td - Ops of the anvil graph dialect ------------*- tablegen -*-===//
//
// Ops are grouped by category (math, activations, tensor, NN, reductions, quantization), as
// the ONNX importers are. Verifiers live in AnvilOps.cpp; each constraint they check has a
// negative test in test/Dialect/Graph/invalid.mlir.
//
//===----------------------------------------------------------------------------------===//

#ifndef ANVIL_GRAPH_OPS_TD
#define ANVIL_GRAPH_OPS_TD

include "dialects/Graph/AnvilBase.td"

//===----------------------------------------------------------------------===//
// Elementwise math
//===----------------------------------------------------------------------===//

def Anvil_AbsOp : Anvil_UnaryOp<"abs", "Elementwise absolute value.", "|x|">;
def Anvil_NegOp : Anvil_UnaryOp<"neg", "Elementwise negation.", "-x">;
def Anvil_SqrtOp : Anvil_UnaryOp<"sqrt", "Elementwise square root.", "sqrt(x)">;
def Anvil_ReciprocalOp : Anvil_UnaryOp<"reciprocal", "Elementwise reciprocal.", "1 / x">;
def Anvil_ExpOp : Anvil_UnaryOp<"exp", "Elementwise natural exponential.", "e^x">;
def Anvil_LogOp : Anvil_UnaryOp<"log", "Elementwise natural logarithm.", "ln(x)">;
def Anvil_ErfOp : Anvil_UnaryOp<"erf", "Elementwise Gauss error function.", "erf(x)">;
def Anvil_TanhOp : Anvil_UnaryOp<"tanh", "Elementwise hyperbolic tangent.", "tanh(x)">;
def Anvil_FloorOp : Anvil_UnaryOp<"floor", "Elementwise rounding down.", "floor(x)">;
def Anvil_CeilOp : Anvil_UnaryOp<"ceil", "Elementwise rounding up.", "ceil(x)">;
def Anvil_RoundOp : Anvil_UnaryOp<"round",
    "Elementwise rounding to nearest, ties to even.", "roundeven(x)">;
def Anvil_SignOp : Anvil_UnaryOp<"sign", "Elementwise sign (-1, 0 or 1).", "sign(x)">;
def Anvil_SinOp : Anvil_UnaryOp<"sin", "Elementwise sine.", "sin(x)">;
def Anvil_CosOp : Anvil_UnaryOp<"cos", "Elementwise cosine.", "cos(x)">;
def Anvil_TanOp : Anvil_UnaryOp<"tan", "Elementwise tangent.", "tan(x)">;
def Anvil_AsinOp : Anvil_UnaryOp<"asin", "Elementwise arcsine.", "asin(x)">;
def Anvil_AcosOp : Anvil_UnaryOp<"acos", "Elementwise arccosine.", "acos(x)">;
def Anvil_AtanOp : Anvil_UnaryOp<"atan", "Elementwise arctangent.", "atan(x)">;
def Anvil_SinhOp : Anvil_UnaryOp<"sinh", "Elementwise hyperbolic sine.", "sinh(x)">;
def Anvil_CoshOp : Anvil_UnaryOp<"cosh", "Elementwise hyperbolic cosine.", "cosh(x)">;
def Anvil_AsinhOp : Anvil_UnaryOp<"asinh", "Elementwise inverse hyperbolic sine.", "asinh(x)">;
def Anvil_AcoshOp : Anvil_UnaryOp<"acosh", "Elementwise inverse hyperbolic cosine.",
                                  "acosh(x)">;
def Anvil_AtanhOp : Anvil_UnaryOp<"atanh", "Elementwise inverse hyperbolic tangent.",
                                  "atanh(x)">;
def Anvil_NotOp : Anvil_UnaryOp<"not", "Elementwise logical negation of booleans.", "!x">;
def Anvil_BitwiseNotOp : Anvil_UnaryOp<"bitwise_not", "Elementwise bitwise complement.", "~x">;

def Anvil_AddOp : Anvil_BinaryOp<"add", "Elementwise addition.", "lhs + rhs", [Commutative]>;
def Anvil_SubOp : Anvil_BinaryOp<"sub", "Elementwise subtraction.", "lhs - rhs">;
def Anvil_MulOp : Anvil_BinaryOp<"mul", "Elementwise multiplication.", "lhs * rhs",
                                 [Commutative]>;
def Anvil_DivOp : Anvil_BinaryOp<"div",
    "Elementwise division (integer division truncates toward zero).", "lhs / rhs">;
def Anvil_PowOp : Anvil_BinaryOp<"pow", "Elementwise power.", "lhs ^ rhs">;
def Anvil_MinOp : Anvil_BinaryOp<"min", "Elementwise minimum.", "min(lhs, rhs)",
                                 [Commutative]>;
def Anvil_MaxOp : Anvil_BinaryOp<"max", "Elementwise maximum.", "max(lhs, rhs)",
                                 [Commutative]>;
def Anvil_AndOp : Anvil_BinaryOp<"and", "Elementwise logical and of booleans.",
                                 "lhs && rhs", [Commutative]>;
def Anvil_OrOp : Anvil_BinaryOp<"or", "Elementwise logical or of booleans.", "lhs || rhs",
                                [Commutative]>;
def Anvil_XorOp : Anvil_BinaryOp<"xor", "Elementwise logical xor of booleans.", "lhs != rhs",
                                 [Commutative]>;
def Anvil_BitwiseAndOp : Anvil_BinaryOp<"bitwise_and", "Elementwise bitwise and.",
                                        "lhs & rhs", [Commutative]>;
def Anvil_BitwiseOrOp : Anvil_BinaryOp<"bitwise_or", "Elementwise bitwise or.", "lhs | rhs",
                                       [Commutative]>;
def Anvil_BitwiseXorOp : Anvil_BinaryOp<"bitwise_xor", "Elementwise bitwise xor.",
                                        "lhs ^ rhs", [Commutative]>;
def Anvil_ShiftLeftOp : Anvil_BinaryOp<"shift_left", "Elementwise logical shift left.",
                                       "lhs << rhs">;
def Anvil_ShiftRightOp : Anvil_BinaryOp<"shift_right",
    "Elementwise logical shift right.", "lhs >> rhs">;
def Anvil_RemOp : Anvil_BinaryOp<"rem",
    "Elementwise remainder with the sign of the divisor (Python `%`, ONNX Mod fmod=0).",
    "lhs mod rhs">;
def Anvil_FRemOp : Anvil_BinaryOp<"frem",
    "Elementwise remainder with the sign of the dividend (C `fmod`, ONNX Mod fmod=1).",
    "fmod(lhs, rhs)">;

def Anvil_EqualOp : Anvil_CompareOp<"equal", "Elementwise equality.", "lhs == rhs">;
def Anvil_LessOp : Anvil_CompareOp<"less", "Elementwise less-than.", "lhs < rhs">;
def Anvil_LessEqualOp : Anvil_CompareOp<"less_equal", "Elementwise less-or-equal.",
                                        "lhs <= rhs">;
def Anvil_GreaterOp : Anvil_CompareOp<"greater", "Elementwise greater-than.", "lhs > rhs">;
def Anvil_GreaterEqualOp : Anvil_CompareOp<"greater_equal", "Elementwise greater-or-equal.",
                                           "lhs >= rhs">;

def Anvil_IsNaNOp : Anvil_Op<"is_nan", [SameOperandsAndResultShape]> {
  let summary = "Elementwise test for NaN.";
  let description = [{
    Returns `true` where the element is NaN.

    ```mlir
    %m = anvil.is_nan %x : (tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$input);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Anvil_IsInfOp : Anvil_Op<"is_inf", [SameOperandsAndResultShape]> {
  let summary = "Elementwise test for infinity.";
  let description = [{
    Returns `true` where the element is +inf (if `detect_positive`) or -inf (if
    `detect_negative`).

    ```mlir
    %m = anvil.is_inf %x {detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_negative);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Anvil_SelectOp : Anvil_Op<"select"> {
  let summary = "Elementwise choice between two tensors (ONNX Where).";
  let description = [{
    Takes `on_true` where `condition` holds and `on_false` elsewhere; all three operands
    broadcast together.

    ```mlir
    %r = anvil.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I1]>:$condition, AnyRankedTensor:$on_true,
                       AnyRankedTensor:$on_false);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_CastOp : Anvil_Op<"cast", [SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type.";
  let description = [{
    Converts each element to the result's element type: float to integer truncates toward
    zero, out-of-range float8 values saturate when `saturate` is set, and booleans map to
    0/1.

    ```mlir
    %i = anvil.cast %x : tensor<?x4xf32> to tensor<?x4xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Anvil_ReluOp : Anvil_UnaryOp<"relu", "Rectified linear unit.", "max(x, 0)">;
def Anvil_SigmoidOp : Anvil_UnaryOp<"sigmoid", "Logistic sigmoid.", "1 / (1 + e^-x)">;
def Anvil_SoftplusOp : Anvil_UnaryOp<"softplus", "Softplus.", "ln(1 + e^x)">;
def Anvil_SoftsignOp : Anvil_UnaryOp<"softsign", "Softsign.", "x / (1 + |x|)">;
def Anvil_HardSwishOp : Anvil_UnaryOp<"hard_swish", "Hard swish.",
                                      "x * max(0, min(1, x / 6 + 0.5))">;
def Anvil_MishOp : Anvil_UnaryOp<"mish", "Mish.", "x * tanh(ln(1 + e^x))">;

class Anvil_ParamActivationOp<string mnemonic, string summ, string expr, dag params>
    : Anvil_Op<mnemonic, [SameOperandsAndResultType, Elementwise]> {
  let summary = summ;
  let description = "Computes `" # expr # "` for every element.\n\n```mlir\n%y = anvil."
    # mnemonic # " %x : tensor<?x16xf32>\n```";
  let arguments = !con((ins RankedTensorOf<[AnyFloat]>:$input), params);
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def Anvil_LeakyReluOp : Anvil_ParamActivationOp<"leaky_relu", "Leaky rectified linear unit.",
    "x >= 0 ? x : alpha * x", (ins DefaultValuedAttr<F32Attr, "0.01">:$alpha)>;
def Anvil_EluOp : Anvil_ParamActivationOp<"elu", "Exponential linear unit.",
    "x >= 0 ? x : alpha * (e^x - 1)", (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def Anvil_CeluOp : Anvil_ParamActivationOp<"celu", "Continuously differentiable ELU.",
    "max(0, x) + min(0, alpha * (e^(x / alpha) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def Anvil_SeluOp : Anvil_ParamActivationOp<"selu", "Scaled exponential linear unit.",
    "gamma * (x > 0 ? x : alpha * (e^x - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma)>;
def Anvil_HardSigmoidOp : Anvil_ParamActivationOp<"hard_sigmoid", "Hard sigmoid.",
    "max(0, min(1, alpha * x + beta))",
    (ins DefaultValuedAttr<F32Attr, "0.2">:$alpha, DefaultValuedAttr<F32Attr, "0.5">:$beta)>;
def Anvil_ThresholdedReluOp : Anvil_ParamActivationOp<"thresholded_relu",
    "Thresholded rectified linear unit.", "x > alpha ? x : 0",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def Anvil_ShrinkOp : Anvil_ParamActivationOp<"shrink", "Soft/hard shrinkage.",
    "x < -lambd ? x + bias : (x > lambd ? x - bias : 0)",
    (ins DefaultValuedAttr<F32Attr, "0.0">:$bias, DefaultValuedAttr<F32Attr, "0.5">:$lambd)>;
def Anvil_GeluOp : Anvil_ParamActivationOp<"gelu", "Gaussian error linear unit.",
    "0.5 * x * (1 + erf(x / sqrt(2))) (or its tanh approximation)",
    (ins DefaultValuedAttr<BoolAttr, "false">:$tanh_approximation)>;

def Anvil_ClipOp : Anvil_Op<"clip", [SameOperandsAndResultType, Elementwise]> {
  let summary = "Clamps every element into [min, max].";
  let description = [{
    Clamps each element; a missing bound is unbounded on that side. Bounds that are not
    compile-time constants are imported as `anvil.max`/`anvil.min` instead.

    ```mlir
    %y = anvil.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<?x32xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

def Anvil_ConstantOp : Anvil_Op<"constant",
    [ConstantLike, AllTypesMatch<["value", "output"]>]> {
  let summary = "A constant tensor (weights travel as dense resource blobs).";
  let description = [{
    Produces `value`. Large constants (ONNX initializers) are `dense_resource` blobs so the
    text form never spells out weights.

    ```mlir
    %w = anvil.constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32>
    %s = anvil.constant dense<[1, -1]> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Anvil_ConstantOfShapeOp : Anvil_Op<"constant_of_shape"> {
  let summary = "A tensor of the given runtime shape filled with one value.";
  let description = [{
    Produces a tensor whose dimensions are the elements of `shape`, every element `value`.

    ```mlir
    %z = anvil.constant_of_shape %s {value = dense<0.0> : tensor<1xf32>}
           : (tensor<2xi64>) -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins Anvil_IndexVector:$shape, ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_ShapeOp : Anvil_Op<"shape"> {
  let summary = "The shape of a tensor as a 1-D i64 tensor.";
  let description = [{
    Returns dimensions `[start, end)` of the operand's shape (negative bounds count from the
    back, as in ONNX Shape-15). Folds to a constant when those dimensions are static.

    ```mlir
    %s = anvil.shape %x {start = 0 : i64, end = 1 : i64} : (tensor<?x8xf32>) -> tensor<1xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<Anvil_I64Attr, "0">:$start,
                       OptionalAttr<Anvil_I64Attr>:$end);
  let results = (outs Anvil_IndexVector:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_SizeOp : Anvil_Op<"size"> {
  let summary = "The number of elements of a tensor as a 0-D i64 tensor.";
  let description = [{
    Folds to a constant when every dimension is static.

    ```mlir
    %n = anvil.size %x : (tensor<?x8xf32>) -> tensor<i64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs 0DTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Anvil_RangeOp : Anvil_Op<"range"> {
  let summary = "An arithmetic sequence [start, limit) with step delta.";
  let description = [{
    ```mlir
    %r = anvil.range %start, %limit, %delta
           : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins 0DTensorOf<[AnyType]>:$start, 0DTensorOf<[AnyType]>:$limit,
                       0DTensorOf<[AnyType]>:$delta);
  let results = (outs 1DTensorOf<[AnyType]>:$output);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Anvil_ReshapeOp : Anvil_Op<"reshape"> {
  let summary = "Reinterprets a tensor with a new shape given at run time.";
  let description = [{
    `shape` follows ONNX Reshape: `-1` infers one dimension and `0` copies the input's
    dimension unless `allowzero` is set. The element count must be preserved.

    ```mlir
    %y = anvil.reshape %x, %s : (tensor<?x4x4xf32>, tensor<2xi64>) -> tensor<?x16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_IndexVector:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allowzero);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_FlattenOp : Anvil_Op<"flatten", [SameOperandsAndResultElementType]> {
  let summary = "Collapses a tensor into 2-D around an axis.";
  let description = [{
    Dimensions before `axis` form the first result dimension, the rest the second.

    ```mlir
    %y = anvil.flatten %x {axis = 1 : i64} : (tensor<?x8x2x2xf32>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_I64Attr:$axis);
  let results = (outs RankedTensorOf<[AnyType], [HasAnyRankOfPred<[2]>]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_SqueezeOp : Anvil_Op<"squeeze"> {
  let summary = "Removes size-1 dimensions.";
  let description = [{
    Removes the dimensions listed in `axes` (each must be 1). Axes known
    only at run time come as the `dynamic_axes` operand (then `axes` is empty).

    ```mlir
    %y = anvil.squeeze %x {axes = array<i64: 1>} : (tensor<?x1x8xf32>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<Anvil_IndexVector>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $dynamic_axes^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_UnsqueezeOp : Anvil_Op<"unsqueeze"> {
  let summary = "Inserts size-1 dimensions.";
  let description = [{
    `axes` index the result's dimensions. Axes known
    only at run time come as the `dynamic_axes` operand (then `axes` is empty).

    ```mlir
    %y = anvil.unsqueeze %x {axes = array<i64: 0>} : (tensor<8xf32>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<Anvil_IndexVector>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $dynamic_axes^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_TransposeOp : Anvil_Op<"transpose", [SameOperandsAndResultElementType]> {
  let summary = "Permutes the dimensions of a tensor.";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    ```mlir
    %y = anvil.transpose %x {perm = array<i64: 0, 2, 1>}
           : (tensor<?x4x8xf32>) -> tensor<?x8x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_ConcatOp : Anvil_Op<"concat", [SameOperandsAndResultElementType]> {
  let summary = "Joins tensors along an axis.";
  let description = [{
    ```mlir
    %y = anvil.concat %a, %b {axis = 1 : i64}
           : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, Anvil_I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_SplitOp : Anvil_Op<"split"> {
  let summary = "Cuts a tensor into pieces along an axis.";
  let description = [{
    Piece `i` has `sizes[i]` elements along `axis`; the sizes add up to that dimension.
    Sizes known only at run time come as the `dynamic_sizes` operand instead (then `sizes`
    is empty).

    ```mlir
    %a, %b = anvil.split %x {axis = 1 : i64, sizes = array<i64: 2, 4>}
               : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x4xf32>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<Anvil_IndexVector>:$dynamic_sizes,
                       Anvil_I64Attr:$axis, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let assemblyFormat = [{
    $input (`,` $dynamic_sizes^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_SliceOp : Anvil_Op<"slice"> {
  let summary = "Strided slice with run-time bounds (ONNX Slice).";
  let description = [{
    For each `axes[i]`, takes `starts[i]` to `ends[i]` (exclusive) with step `steps[i]`;
    bounds are clamped and negative ones count from the end, as in ONNX.

    ```mlir
    %y = anvil.slice %x, %starts, %ends, %axes, %steps
           : (tensor<?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>)
           -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_IndexVector:$starts,
                       Anvil_IndexVector:$ends, Anvil_IndexVector:$axes,
                       Anvil_IndexVector:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_GatherOp : Anvil_Op<"gather"> {
  let summary = "Takes entries along an axis at the given indices (ONNX Gather).";
  let description = [{
    The result shape is `input.shape[:axis] + indices.shape + input.shape[axis+1:]`;
    negative indices count from the end.

    ```mlir
    %e = anvil.gather %table, %ids {axis = 0 : i64}
           : (tensor<100x64xf32>, tensor<?x16xi64>) -> tensor<?x16x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, RankedTensorOf<[I32, I64]>:$indices,
                       Anvil_I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_GatherElementsOp : Anvil_Op<"gather_elements"> {
  let summary = "Takes elements along an axis at per-element indices.";
  let description = [{
    The result has the shape of `indices`; `result[i][j] = input[indices[i][j]][j]` for
    `axis = 0`.

    ```mlir
    %y = anvil.gather_elements %x, %i {axis = 1 : i64}
           : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, RankedTensorOf<[I32, I64]>:$indices,
                       Anvil_I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_ExpandOp : Anvil_Op<"expand"> {
  let summary = "Broadcasts a tensor to a run-time shape.";
  let description = [{
    The result shape is the broadcast of the input's shape with `shape`.

    ```mlir
    %y = anvil.expand %x, %s : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_IndexVector:$shape);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_TileOp : Anvil_Op<"tile"> {
  let summary = "Repeats a tensor along each dimension.";
  let description = [{
    ```mlir
    %y = anvil.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_IndexVector:$repeats);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Anvil_PadOp : Anvil_Op<"pad", [AttrSizedOperandSegments]> {
  let summary = "Pads a tensor (constant, reflect, edge or wrap mode).";
  let description = [{
    `pads` holds all begin amounts then all end amounts, one per dimension (negative values
    crop). `value` is the 0-D fill for `constant` mode. When the optional `axes` operand is
    present, `pads` covers only those axes (ONNX Pad-18 with run-time pads).

    ```mlir
    %y = anvil.pad %x, %p value %v {mode = "constant"}
           : (tensor<?x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x5xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_IndexVector:$pads,
                       Optional<AnyRankedTensor>:$value, Optional<Anvil_IndexVector>:$axes,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $pads (`value` $value^)? (`axes` $axes^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_ResizeOp : Anvil_Op<"resize"> {
  let summary = "Resizes (interpolates) a tensor to the result shape.";
  let description = [{
    Attributes follow ONNX Resize; `scales` has one factor per dimension and the result
    shape holds the output sizes. Scales (f32) or sizes (i64) known only at run time come
    as the `dynamic_target` operand instead (then `scales` is empty); it covers `axes` when
    given (else every dimension) and sizes obey `keep_aspect_ratio_policy`.

    ```mlir
    %y = anvil.resize %x {mode = "nearest", scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
           : (tensor<?x8x4x4xf32>) -> tensor<?x8x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<1DTensorOf<[F32, I64]>>:$dynamic_target,
      DenseF64ArrayAttr:$scales,
      DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
      DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
      DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
      OptionalAttr<DenseF64ArrayAttr>:$roi,
      OptionalAttr<DenseI64ArrayAttr>:$axes,
      DefaultValuedAttr<StrAttr, "\"stretch\"">:$keep_aspect_ratio_policy);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $dynamic_target^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_DepthToSpaceOp : Anvil_Op<"depth_to_space", [SameOperandsAndResultElementType]> {
  let summary = "Moves channel blocks into spatial blocks (NCHW).";
  let description = [{
    `mode` is `DCR` (depth-column-row) or `CRD`.

    ```mlir
    %y = anvil.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"}
           : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyType], [HasAnyRankOfPred<[4]>]>:$input,
                       Anvil_I64Attr:$blocksize, DefaultValuedAttr<StrAttr, "\"DCR\"">:$mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_SpaceToDepthOp : Anvil_Op<"space_to_depth", [SameOperandsAndResultElementType]> {
  let summary = "Moves spatial blocks into channels (NCHW).";
  let description = [{
    ```mlir
    %y = anvil.space_to_depth %x {blocksize = 2 : i64}
           : (tensor<1x2x4x4xf32>) -> tensor<1x8x2x2xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyType], [HasAnyRankOfPred<[4]>]>:$input,
                       Anvil_I64Attr:$blocksize);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_TriluOp : Anvil_Op<"trilu", [AllTypesMatch<["input", "output"]>]> {
  let summary = "Keeps the upper or lower triangle of the last two dimensions.";
  let description = [{
    Elements outside the triangle offset by diagonal `k` become zero. A `k` known only at
    run time comes as the one-element `dynamic_k` operand.

    ```mlir
    %y = anvil.trilu %x {upper = true, k = 0 : i64} : tensor<4x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<RankedTensorOf<[I64]>>:$dynamic_k,
                       DefaultValuedAttr<BoolAttr, "true">:$upper,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$k);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $dynamic_k^ `:` type($dynamic_k))? attr-dict `:` type($output)
  }];
  let hasVerifier = 1;
}

class Anvil_CumulativeOp<string mnemonic, string what>
    : Anvil_Op<mnemonic, [AllTypesMatch<["input", "output"]>]> {
  let summary = "Cumulative " # what # " along an axis.";
  let description = [{
    An axis known only at run time comes as the one-element `dynamic_axis` operand.

    ```mlir
    %y = anvil.}] # mnemonic # [{ %x {axis = 0 : i64, exclusive = false, reverse = false}
        : tensor<5xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<RankedTensorOf<[I32, I64]>>:$dynamic_axis,
                       Anvil_I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $dynamic_axis^ `:` type($dynamic_axis))? attr-dict `:` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      if (getDynamicAxis())
        return ::mlir::success();
      return ::anvil::verifyAxis(*this, getAxis(), getInput().getType().getRank());
    }
  }];
}

def Anvil_CumSumOp : Anvil_CumulativeOp<"cumsum", "sum">;
def Anvil_CumProdOp : Anvil_CumulativeOp<"cumprod", "product">;


def Anvil_GatherNDOp : Anvil_Op<"gather_nd"> {
  let summary = "Gathers slices addressed by index tuples (ONNX GatherND).";
  let description = [{
    The last dimension of `indices` holds index tuples into `input` after its first
    `batch_dims` dimensions; the result is
    `indices.shape[:-1] + input.shape[batch_dims + indices.shape[-1]:]`.

    ```mlir
    %y = anvil.gather_nd %x, %i {batch_dims = 0 : i64}
           : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, RankedTensorOf<[I64]>:$indices,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$batch_dims);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_ScatterElementsOp : Anvil_Op<"scatter_elements"> {
  let summary = "Writes updates at per-element indices along an axis (ONNX ScatterElements).";
  let description = [{
    A copy of `input` where `output[..., indices[i...], ...] = updates[i...]` along `axis`,
    combined with the old value by `reduction` (`none`, `add`, `mul`, `max`, `min`).

    ```mlir
    %y = anvil.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "none"}
           : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, RankedTensorOf<[I64]>:$indices,
                       AnyRankedTensor:$updates, Anvil_I64Attr:$axis,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_ScatterNDOp : Anvil_Op<"scatter_nd"> {
  let summary = "Writes update slices at index tuples (ONNX ScatterND).";
  let description = [{
    A copy of `input` where the slice at each index tuple of `indices` (last dimension) is
    replaced by (or combined through `reduction` with) the matching slice of `updates`.

    ```mlir
    %y = anvil.scatter_nd %x, %i, %u {reduction = "add"}
           : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, RankedTensorOf<[I64]>:$indices,
                       AnyRankedTensor:$updates,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_OneHotOp : Anvil_Op<"one_hot"> {
  let summary = "One-hot encoding of indices (ONNX OneHot).";
  let description = [{
    Inserts a dimension of size `depth` at `axis`; it holds `on_value` where the index
    matches (negative indices count from `depth`) and `off_value` elsewhere. `values` is the
    2-element `[off_value, on_value]` tensor. A depth known only at run time comes as the
    one-element `dynamic_depth` operand (then `depth` is 0).

    ```mlir
    %y = anvil.one_hot %i, %v {axis = -1 : i64, depth = 10 : i64}
           : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyInteger, AnyFloat]>:$indices,
                       1DTensorOf<[AnyType]>:$values,
                       Optional<RankedTensorOf<[AnyInteger, AnyFloat]>>:$dynamic_depth,
                       Anvil_I64Attr:$depth, Anvil_I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $indices `,` $values (`depth` $dynamic_depth^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_EinsumOp : Anvil_Op<"einsum"> {
  let summary = "Einstein summation (ONNX Einsum).";
  let description = [{
    `equation` follows numpy (`"bij,bjk->bik"`, with `...` for broadcast dimensions); the
    importer makes the output subscripts explicit.

    ```mlir
    %y = anvil.einsum %a, %b {equation = "ij,jk->ik"}
           : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, StrAttr:$equation);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_BitcastOp : Anvil_Op<"bitcast"> {
  let summary = "Reinterprets the bits of each element as another type of the same width.";
  let description = [{
    ```mlir
    %i = anvil.bitcast %x : tensor<4xf32> to tensor<4xi32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
}

def Anvil_LRNOp : Anvil_Op<"lrn", [AllTypesMatch<["input", "output"]>]> {
  let summary = "Local response normalization across channels (ONNX LRN).";
  let description = [{
    `x / (bias + alpha / size * sum(x^2 over size neighbouring channels))^beta`.

    ```mlir
    %y = anvil.lrn %x {size = 5 : i64} : tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$input, Anvil_I64Attr:$size,
                       DefaultValuedAttr<F32Attr, "1e-4">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.75">:$beta,
                       DefaultValuedAttr<F32Attr, "1.0">:$bias);
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Anvil_GridSampleOp : Anvil_Op<"grid_sample"> {
  let summary = "Samples the input at grid locations (ONNX GridSample).";
  let description = [{
    `grid` is `[N, H_out, W_out, 2]` (or its N-D analogue) of normalized coordinates in
    [-1, 1]; `mode` is `linear`, `nearest` or `cubic`, `padding_mode` is `zeros`, `border`
    or `reflection`.

    ```mlir
    %y = anvil.grid_sample %x, %g {mode = "linear"}
           : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$grid,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners,
                       DefaultValuedAttr<StrAttr, "\"linear\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $grid attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_NonZeroOp : Anvil_Op<"non_zero"> {
  let summary = "Indices of the non-zero elements (ONNX NonZero).";
  let description = [{
    Returns `[rank, count]` i64 indices in row-major order; `count` is known only at run
    time.

    ```mlir
    %i = anvil.non_zero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs 2DTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}


def Anvil_NonMaxSuppressionOp : Anvil_Op<"non_max_suppression"> {
  let summary = "Selects boxes by score, dropping those that overlap a better one.";
  let description = [{
    ONNX NonMaxSuppression: per batch and class, keeps up to `max_output` boxes whose
    score exceeds `score_threshold` and whose IoU with every kept box is at most
    `iou_threshold`. The result lists `[batch, class, box]` index triples; how many is known
    only at run time. `center_point_box` selects `[x, y, w, h]` boxes instead of corners.

    ```mlir
    %sel = anvil.non_max_suppression %boxes, %scores, %max, %iou, %score
        : (tensor<1x100x4xf32>, tensor<1x3x100xf32>, tensor<1xi64>, tensor<1xf32>,
           tensor<1xf32>) -> tensor<?x3xi64>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$boxes, RankedTensorOf<[AnyFloat]>:$scores,
                       RankedTensorOf<[I64]>:$max_output, RankedTensorOf<[AnyFloat]>:$iou_threshold,
                       RankedTensorOf<[AnyFloat]>:$score_threshold,
                       DefaultValuedAttr<BoolAttr, "false">:$center_point_box);
  let results = (outs 2DTensorOf<[I64]>:$selected);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output `,` $iou_threshold `,` $score_threshold attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_RoiAlignOp : Anvil_Op<"roi_align"> {
  let summary = "Region-of-interest pooling with bilinear sampling (ONNX RoiAlign).";
  let description = [{
    Pools each box of `rois` (`[num_rois, 4]`, in input coordinates times `spatial_scale`)
    from image `batch_indices[i]` of `input` (NCHW) into `output_height x output_width`
    bins with `sampling_ratio` samples per bin (`mode` `avg` or `max`).

    ```mlir
    %y = anvil.roi_align %x, %rois, %idx {output_height = 7 : i64, output_width = 7 : i64}
        : (tensor<1x256x50x50xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x256x7x7xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat], [HasAnyRankOfPred<[4]>]>:$input,
                       2DTensorOf<[AnyFloat]>:$rois, 1DTensorOf<[I64]>:$batch_indices,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                       DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
                       DefaultValuedAttr<Anvil_I64Attr, "1">:$output_height,
                       DefaultValuedAttr<Anvil_I64Attr, "1">:$output_width,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$sampling_ratio,
                       DefaultValuedAttr<F32Attr, "1.0">:$spatial_scale);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $rois `,` $batch_indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_CompressOp : Anvil_Op<"compress"> {
  let summary = "Keeps the slices along an axis where a boolean condition holds.";
  let description = [{
    ONNX Compress with an axis (the importer flattens the input for the axis-less form);
    the kept count is known only at run time.

    ```mlir
    %y = anvil.compress %x, %c {axis = 0 : i64} : (tensor<5x2xf32>, tensor<?xi1>) -> tensor<?x2xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, 1DTensorOf<[I1]>:$condition, Anvil_I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $condition attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_EyeLikeOp : Anvil_Op<"eye_like"> {
  let summary = "A 2-D tensor with ones on diagonal `k` and zeros elsewhere.";
  let description = [{
    ```mlir
    %i = anvil.eye_like %x {k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[AnyType]>:$input, DefaultValuedAttr<Anvil_I64Attr, "0">:$k);
  let results = (outs 2DTensorOf<[AnyType]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_ReverseSequenceOp : Anvil_Op<"reverse_sequence", [AllTypesMatch<["input", "output"]>]> {
  let summary = "Reverses the first `lengths[b]` steps of each batch entry.";
  let description = [{
    ```mlir
    %y = anvil.reverse_sequence %x, %len {batch_axis = 1 : i64, time_axis = 0 : i64}
        : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, 1DTensorOf<[I64]>:$lengths,
                       DefaultValuedAttr<Anvil_I64Attr, "1">:$batch_axis,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$time_axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $lengths attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}


def Anvil_UniqueOp : Anvil_Op<"unique"> {
  let summary = "The distinct slices along an axis (or elements), with indices and counts.";
  let description = [{
    ONNX Unique with an axis (the importer flattens the input for the axis-less form):
    `output` holds the distinct slices (sorted if `sorted`), `indices` where each first
    occurs, `inverse_indices` which output slice each input slice became, and `counts`.
    How many there are is known only at run time.

    ```mlir
    %y, %i, %inv, %c = anvil.unique %x {axis = 0 : i64}
        : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs AnyRankedTensor:$output, 1DTensorOf<[I64]>:$indices,
                      1DTensorOf<[I64]>:$inverse_indices, 1DTensorOf<[I64]>:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_RotaryEmbeddingOp : Anvil_Op<"rotary_embedding",
    [AllTypesMatch<["input", "output"]>]> {
  let summary = "Rotary position embedding (ONNX RotaryEmbedding).";
  let description = [{
    Rotates pairs of features of `input` (`[batch, heads, seq, head]` or 3-D
    `[batch, seq, heads * head]` with `num_heads`) by the angles in `cos_cache`/`sin_cache`,
    indexed by `position_ids` when given; `interleaved` pairs neighbours instead of halves,
    and only the first `rotary_embedding_dim` features rotate when it is set.

    ```mlir
    %y = anvil.rotary_embedding %x, %cos, %sin
        : (tensor<1x4x8x16xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>) -> tensor<1x4x8x16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$cos_cache,
                       AnyRankedTensor:$sin_cache,
                       Optional<RankedTensorOf<[I64]>>:$position_ids,
                       DefaultValuedAttr<BoolAttr, "false">:$interleaved,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$num_heads,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$rotary_embedding_dim);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $cos_cache `,` $sin_cache (`positions` $position_ids^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Neural-network ops
//===----------------------------------------------------------------------===//

def Anvil_MatMulOp : Anvil_Op<"matmul", [SameOperandsAndResultElementType]> {
  let summary = "Matrix product with numpy batch broadcasting.";
  let description = [{
    1-D operands are promoted as in numpy's `matmul` and the promoted dimension is removed
    from the result.

    ```mlir
    %y = anvil.matmul %a, %b : (tensor<?x16x64xf32>, tensor<64x64xf32>) -> tensor<?x16x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Anvil_GemmOp : Anvil_Op<"gemm", [SameOperandsAndResultElementType]> {
  let summary = "General matrix multiply: alpha * op(A) * op(B) + beta * C.";
  let description = [{
    `op(X)` transposes X when `trans_a`/`trans_b` is set; `c` broadcasts to the result.

    ```mlir
    %y = anvil.gemm %a, %b, %c {trans_b = true}
           : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyType], [HasAnyRankOfPred<[2]>]>:$a,
                       RankedTensorOf<[AnyType], [HasAnyRankOfPred<[2]>]>:$b,
                       Optional<AnyRankedTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs RankedTensorOf<[AnyType], [HasAnyRankOfPred<[2]>]>:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_ConvOp : Anvil_Op<"conv"> {
  let summary = "N-D grouped convolution (NCHW layout, OIHW weights; or channels-last).";
  let description = [{
    `pads` holds all begin paddings then all end paddings; `auto_pad` has been resolved by
    the importer. The weight has `C / group` input channels.

    ```mlir
    %y = anvil.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>,
                                dilations = array<i64: 1, 1>, group = 1 : i64}
           : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>)
           -> tensor<?x64x112x112xf32>
    ```

    With `channels_last` (set by `--anvil-conv-layout`, 2-D only, `group` 1 or
    depthwise) the input is NHWC, the weight HWCF (`[kh, kw, C / group, F]`) and the
    result NHWC; `strides`, `pads` and `dilations` still list the spatial dims (H, W).

    ```mlir
    %y = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                            dilations = array<i64: 1, 1>, group = 1 : i64, channels_last}
           : (tensor<?x56x56x64xf32>, tensor<3x3x64x64xf32>) -> tensor<?x56x56x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<Anvil_I64Attr, "1">:$group,
                       UnitAttr:$channels_last);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_ConvTransposeOp : Anvil_Op<"conv_transpose"> {
  let summary = "N-D grouped transposed convolution (NCHW layout, IOHW weights).";
  let description = [{
    The result's spatial sizes are fixed by the importer from `output_padding` /
    `output_shape`; `pads` are the effective paddings.

    ```mlir
    %y = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                                      dilations = array<i64: 1, 1>, group = 1 : i64}
           : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<Anvil_I64Attr, "1">:$group);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Anvil_PoolOp<string mnemonic, string summ, dag extra,
                   dag extraResults = (outs)>
    : Anvil_Op<mnemonic> {
  let summary = summ;
  let description = [{
    Slides a window of `kernel_shape` over the spatial dimensions (NCHW) with `strides`,
    `dilations` and explicit `pads` (begins then ends); `ceil_mode` rounds the output size up.
    `max_pool` can also return, like ONNX MaxPool's `Indices`, the flat index of each
    maximum in the input (row-major, or column-major with `column_major_indices`).
    With `channels_last` (set by `--anvil-conv-layout` on a 2-D `max_pool` without
    indices), input and result are NHWC.

    ```mlir
    %y = anvil.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                            pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
           : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode), extra,
                       (ins UnitAttr:$channels_last));
  let results = !con((outs AnyRankedTensor:$output), extraResults);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return ::anvil::verifyPool(*this); }
  }];
}

def Anvil_MaxPoolOp : Anvil_PoolOp<"max_pool",
    "Max pooling; optionally also the flat index of each maximum.",
    (ins DefaultValuedAttr<BoolAttr, "false">:$column_major_indices),
    (outs Optional<RankedTensorOf<[I64]>>:$indices)>;
def Anvil_AvgPoolOp : Anvil_PoolOp<"avg_pool", "Average pooling.",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)>;
def Anvil_LpPoolOp : Anvil_PoolOp<"lp_pool", "Lp-norm pooling.",
    (ins DefaultValuedAttr<Anvil_I64Attr, "2">:$p)>;

def Anvil_BatchNormOp : Anvil_Op<"batch_norm", [SameOperandsElementType]> {
  let summary = "Inference-mode batch normalization over channel dimension 1.";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the 1-D statistics indexed by
    channel.

    ```mlir
    %y = anvil.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
           : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>,
              tensor<64xf32>) -> tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale, AnyRankedTensor:$bias,
                       AnyRankedTensor:$mean, AnyRankedTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_InstanceNormOp : Anvil_Op<"instance_norm", [SameOperandsElementType]> {
  let summary = "Instance normalization (per sample and channel over spatial dims).";
  let description = [{
    ```mlir
    %y = anvil.instance_norm %x, %s, %b {epsilon = 1.0e-05 : f32}
           : (tensor<?x8x16x16xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x16x16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale, AnyRankedTensor:$bias,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_LayerNormOp : Anvil_Op<"layer_norm"> {
  let summary = "Layer normalization over the trailing dimensions from `axis`.";
  let description = [{
    Normalizes over dimensions `[axis, rank)`, then multiplies by `scale` and adds the
    optional `bias` (both broadcast to those dimensions).

    ```mlir
    %y = anvil.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32}
           : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       Optional<AnyRankedTensor>:$bias,
                       DefaultValuedAttr<Anvil_I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_RecurrentOp : Anvil_Op<"recurrent", [AttrSizedOperandSegments]> {
  let summary = "A recurrent layer: ONNX RNN, GRU or LSTM (`cell`).";
  let description = [{
    Runs `cell` (`rnn`, `gru` or `lstm`) over the sequence in `direction` (`forward`,
    `reverse` or `bidirectional`) with ONNX's gate layout and per-direction `activations`.
    Shapes follow ONNX with `layout` 0 (`X: [seq, batch, input]`, `Y: [seq, dirs, batch,
    hidden]`, `Y_h`/`Y_c: [dirs, batch, hidden]`) or 1 (batch first). `y_c` exists for LSTM
    only.

    ```mlir
    %y, %h, %c = anvil.recurrent %x, %w, %r bias %b
        {cell = "lstm", direction = "forward", hidden_size = 32 : i64,
         activations = ["Sigmoid", "Tanh", "Tanh"]}
        : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>, tensor<1x256xf32>)
        -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$w, AnyRankedTensor:$r,
                       Optional<AnyRankedTensor>:$bias,
                       Optional<RankedTensorOf<[I32]>>:$sequence_lens,
                       Optional<AnyRankedTensor>:$initial_h,
                       Optional<AnyRankedTensor>:$initial_c,
                       Optional<AnyRankedTensor>:$peepholes,
                       StrAttr:$cell, DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                       Anvil_I64Attr:$hidden_size, StrArrayAttr:$activations,
                       OptionalAttr<F32ArrayAttr>:$activation_alpha,
                       OptionalAttr<F32ArrayAttr>:$activation_beta,
                       OptionalAttr<F32Attr>:$clip,
                       DefaultValuedAttr<BoolAttr, "false">:$input_forget,
                       DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$layout);
  let results = (outs AnyRankedTensor:$y, AnyRankedTensor:$y_h,
                      Optional<AnyRankedTensor>:$y_c);
  let assemblyFormat = [{
    $x `,` $w `,` $r (`bias` $bias^)? (`lens` $sequence_lens^)? (`init_h` $initial_h^)?
    (`init_c` $initial_c^)? (`peepholes` $peepholes^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_AttentionOp : Anvil_Op<"attention", [AttrSizedOperandSegments]> {
  let summary = "Scaled dot-product multi-head attention (ONNX Attention).";
  let description = [{
    `softmax(Q Kᵀ · scale + mask) V` per head, with ONNX Attention's options: 3-D inputs
    (`[batch, seq, heads * head_size]`, split with `q_num_heads`/`kv_num_heads`) or 4-D
    (`[batch, heads, seq, head_size]`), grouped-query heads (`q_num_heads` a multiple of
    `kv_num_heads`), a boolean or additive `attn_mask`, a KV cache (`past_key`/`past_value`,
    concatenated along the sequence into `present_key`/`present_value`), causal and
    sliding-window masking, `softcap`, and `qk_output` taken at the stage
    `qk_matmul_output_mode` names (0 raw, 1 masked, 2 soft-capped, 3 softmax).

    ```mlir
    %y, %pk, %pv, %qk = anvil.attention %q, %k, %v {is_causal = true}
        : (tensor<?x8x16x64xf32>, tensor<?x8x16x64xf32>, tensor<?x8x16x64xf32>)
        -> (tensor<?x8x16x64xf32>, tensor<?x8x16x64xf32>, tensor<?x8x16x64xf32>,
            tensor<?x8x16x16xf32>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k, AnyRankedTensor:$v,
                       Optional<AnyRankedTensor>:$attn_mask,
                       Optional<AnyRankedTensor>:$past_key,
                       Optional<AnyRankedTensor>:$past_value,
                       Optional<RankedTensorOf<[I64]>>:$nonpad_kv_seqlen,
                       DefaultValuedAttr<BoolAttr, "false">:$is_causal,
                       OptionalAttr<Anvil_I64Attr>:$q_num_heads,
                       OptionalAttr<Anvil_I64Attr>:$kv_num_heads,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$qk_matmul_output_mode,
                       OptionalAttr<F32Attr>:$scale,
                       DefaultValuedAttr<F32Attr, "0.0">:$softcap,
                       OptionalAttr<Anvil_I64Attr>:$softmax_precision,
                       DefaultValuedAttr<Anvil_I64Attr, "-1">:$left_window_size,
                       DefaultValuedAttr<Anvil_I64Attr, "-1">:$right_window_size);
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$present_key,
                      AnyRankedTensor:$present_value, AnyRankedTensor:$qk_output);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`mask` $attn_mask^)? (`past` $past_key^ `,` $past_value)?
    (`nonpad` $nonpad_kv_seqlen^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Anvil_AxisOp<string mnemonic, string summ, string expr>
    : Anvil_Op<mnemonic, [SameOperandsAndResultType]> {
  let summary = summ;
  let description = "Computes `" # expr # "` along `axis`.\n\n```mlir\n%y = anvil."
    # mnemonic # " %x {axis = -1 : i64} : tensor<?x10xf32>\n```";
  let arguments = (ins AnyRankedTensor:$input, Anvil_I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::anvil::verifyAxis(*this, getAxis(), getInput().getType().getRank());
    }
  }];
}

def Anvil_SoftmaxOp : Anvil_AxisOp<"softmax", "Softmax along one axis.",
                                   "e^x / sum(e^x)">;
def Anvil_LogSoftmaxOp : Anvil_AxisOp<"log_softmax", "Log-softmax along one axis.",
                                      "x - log(sum(e^x))">;
def Anvil_HardmaxOp : Anvil_AxisOp<"hardmax", "One-hot of the first maximum along one axis.",
                                   "x == max(x) (first occurrence) ? 1 : 0">;

//===----------------------------------------------------------------------===//
// Reductions and selection
//===----------------------------------------------------------------------===//

def Anvil_ReduceSumOp : Anvil_ReduceOp<"reduce_sum", "Sum reduction.", "sum(x)">;
def Anvil_ReduceMeanOp : Anvil_ReduceOp<"reduce_mean", "Mean reduction.", "sum(x) / n">;
def Anvil_ReduceMaxOp : Anvil_ReduceOp<"reduce_max", "Max reduction.", "max(x)">;
def Anvil_ReduceMinOp : Anvil_ReduceOp<"reduce_min", "Min reduction.", "min(x)">;
def Anvil_ReduceProdOp : Anvil_ReduceOp<"reduce_prod", "Product reduction.", "prod(x)">;
def Anvil_ReduceL1Op : Anvil_ReduceOp<"reduce_l1", "L1-norm reduction.", "sum(|x|)">;
def Anvil_ReduceL2Op : Anvil_ReduceOp<"reduce_l2", "L2-norm reduction.", "sqrt(sum(x^2))">;
def Anvil_ReduceLogSumOp : Anvil_ReduceOp<"reduce_log_sum", "Log-sum reduction.",
                                          "log(sum(x))">;
def Anvil_ReduceLogSumExpOp : Anvil_ReduceOp<"reduce_log_sum_exp",
    "Log-sum-exp reduction.", "log(sum(e^x))">;
def Anvil_ReduceSumSquareOp : Anvil_ReduceOp<"reduce_sum_square",
    "Sum-of-squares reduction.", "sum(x^2)">;

class Anvil_ArgOp<string mnemonic, string summ> : Anvil_Op<mnemonic> {
  let summary = summ;
  let description = [{
    Returns i64 indices along `axis`; ties pick the first index unless `select_last_index`.

    ```mlir
    %i = anvil.arg_max %x {axis = 1 : i64, keepdims = false} : (tensor<?x10xf32>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return ::anvil::verifyArgReduction(*this); }
  }];
}

def Anvil_ArgMaxOp : Anvil_ArgOp<"arg_max", "Index of the maximum along an axis.">;
def Anvil_ArgMinOp : Anvil_ArgOp<"arg_min", "Index of the minimum along an axis.">;

def Anvil_TopKOp : Anvil_Op<"top_k"> {
  let summary = "The k largest (or smallest) elements along an axis and their indices.";
  let description = [{
    `k` is a 1-element i64 tensor.

    ```mlir
    %v, %i = anvil.top_k %x, %k {axis = -1 : i64, largest = true, sorted = true}
               : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x3xf32>, tensor<?x3xi64>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Anvil_IndexVector:$k, Anvil_I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs AnyRankedTensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input `,` $k attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Anvil_QuantizeOp : Anvil_Op<"quantize"> {
  let summary = "Linear quantization: saturate(round(x / scale) + zero_point).";
  let description = [{
    `scale` and `zero_point` are scalars (per tensor), 1-D along `axis` (per channel), or
    with `block_size > 0` shaped like the input with `axis` divided into blocks (blocked
    quantization). The result element type is the quantized type (e.g. `i8`, `ui8`).

    ```mlir
    %q = anvil.quantize %x, %s, %z {axis = 1 : i64}
           : (tensor<?x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x8xui8>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       AnyRankedTensor:$zero_point, DefaultValuedAttr<Anvil_I64Attr, "1">:$axis,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$block_size);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Anvil_DequantizeOp : Anvil_Op<"dequantize"> {
  let summary = "Linear dequantization: (x - zero_point) * scale.";
  let description = [{
    ```mlir
    %x = anvil.dequantize %q, %s, %z {axis = 1 : i64}
           : (tensor<?x8xui8>, tensor<f32>, tensor<ui8>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       AnyRankedTensor:$zero_point, DefaultValuedAttr<Anvil_I64Attr, "1">:$axis,
                       DefaultValuedAttr<Anvil_I64Attr, "0">:$block_size);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // ANVIL_GRAPH_OPS_TD
