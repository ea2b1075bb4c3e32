//===- AnvilBase.td - The anvil graph dialect and op base classes -*- tablegen -*-===//
//
// The `anvil` dialect holds whole-model graphs at tensor level with value semantics. Its ops
// are what the ONNX importer produces and what the graph passes rewrite; a later stage
// partitions them into dispatches.
//
//===----------------------------------------------------------------------------------===//

#ifndef ANVIL_GRAPH_BASE_TD
#define ANVIL_GRAPH_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Anvil_Dialect : Dialect {
  let name = "anvil";
  let cppNamespace = "::anvil";
  let summary = "Tensor-level graph ops imported from ONNX models.";
  let description = [{
    The `anvil` dialect is Anvil's graph IR: every op takes and returns ranked tensors (with
    static or dynamic `?` dimensions) and has no side effects, so the graph passes can fold,
    fuse and reorder freely. An ONNX op is imported either as one `anvil` op or as a short
    composition of them; the op's location is the ONNX node name.

    ```mlir
    func.func @main(%x: tensor<?x3x224x224xf32>) -> tensor<?x3x224x224xf32> {
      %0 = anvil.relu %x : tensor<?x3x224x224xf32>
      return %0 : tensor<?x3x224x224xf32>
    }
    ```
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
}

// A 64-bit integer attribute whose getter returns int64_t: axes and offsets are often
// negative, and upstream I64Attr reads them back as uint64_t.
def Anvil_I64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
                                                 "64-bit signless integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

class Anvil_Op<string mnemonic, list<Trait> traits = []>
    : Op<Anvil_Dialect, mnemonic, !listconcat([Pure], traits)>;

// A 1-D i64 tensor holding a shape, a list of indices or of sizes.
def Anvil_IndexVector : 1DTensorOf<[I64]>;
// A 0-D or single-element tensor holding a scalar operand.
def Anvil_Scalar : RankedTensorOf<[AnyType]>;

// Elementwise ops on one tensor; the result has the operand's type.
class Anvil_UnaryOp<string mnemonic, string summ, string expr, list<Trait> traits = []>
    : Anvil_Op<mnemonic, !listconcat([SameOperandsAndResultType, Elementwise], traits)> {
  let summary = summ;
  let description = "Computes `" # expr # "` for every element of the operand. The result "
    # "has the operand's type.\n\n```mlir\n%y = anvil." # mnemonic
    # " %x : tensor<?x16xf32>\n```";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

// Elementwise ops on two tensors with ONNX (numpy) multidirectional broadcasting.
class Anvil_BinaryOp<string mnemonic, string summ, string expr, list<Trait> traits = []>
    : Anvil_Op<mnemonic, !listconcat([SameOperandsElementType,
                                      SameOperandsAndResultElementType], traits)> {
  let summary = summ;
  let description = "Computes `" # expr # "` elementwise with multidirectional (numpy) "
    # "broadcasting of `lhs` and `rhs`.\n\n```mlir\n%z = anvil." # mnemonic
    # " %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>\n```";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return ::anvil::verifyBroadcastResult(*this); }
  }];
}

// Comparisons with broadcasting; the result is a tensor of i1.
class Anvil_CompareOp<string mnemonic, string summ, string expr>
    : Anvil_Op<mnemonic, [SameOperandsElementType]> {
  let summary = summ;
  let description = "Computes `" # expr # "` elementwise with broadcasting; the result is a "
    # "tensor of `i1`.\n\n```mlir\n%m = anvil." # mnemonic
    # " %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>\n```";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return ::anvil::verifyBroadcastResult(*this); }
  }];
}

// Reductions over a set of axes (empty = all axes), optionally keeping reduced dims as 1.
class Anvil_ReduceOp<string mnemonic, string summ, string expr>
    : Anvil_Op<mnemonic> {
  let summary = summ;
  let description = "Reduces `input` over `axes` computing `" # expr # "`. An empty `axes` "
    # "reduces every axis. With `keepdims` the reduced axes stay as size 1. When the axes "
    # "are only known at run time they come as the `dynamic_axes` operand (then `axes` is "
    # "empty, and an empty run-time list is a no-op if `noop_with_empty_axes` is set)."
    # "\n\n```mlir\n%r = anvil." # mnemonic
    # " %x {axes = array<i64: 1>, keepdims = true} : (tensor<?x8xf32>) -> tensor<?x1xf32>\n```";
  let arguments = (ins AnyRankedTensor:$input, Optional<Anvil_IndexVector>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$noop_with_empty_axes);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`,` $dynamic_axes^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return ::anvil::verifyReduction(*this); }
  }];
}

#endif // ANVIL_GRAPH_BASE_TD
