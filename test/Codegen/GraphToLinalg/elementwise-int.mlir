// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// Integer division truncates and never traps: a zero divisor gives 0 and INT_MIN / -1
// wraps instead of reaching divsi.
// CHECK-LABEL: func.func @div_int
// CHECK: arith.select
// CHECK: arith.divsi
// CHECK: arith.subi
func.func @div_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %r = anvil.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

// ONNX Mod without fmod takes the divisor's sign (Python %): remsi, then add the divisor
// where the signs differ.
// CHECK-LABEL: func.func @rem_int
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
func.func @rem_int(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %r = anvil.rem %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

// Unsigned tensors are computed on as signless with unsigned ops, bit-cast in and out.
// CHECK-LABEL: func.func @max_unsigned
// CHECK: tensor.bitcast %{{.+}} : tensor<4xui8> to tensor<4xi8>
// CHECK: arith.maxui
// CHECK: tensor.bitcast %{{.+}} : tensor<4xi8> to tensor<4xui8>
func.func @max_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %r = anvil.max %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %r : tensor<4xui8>
}

// -----

// Comparisons of unsigned integers use unsigned predicates.
// CHECK-LABEL: func.func @less_unsigned
// CHECK: arith.cmpi ult
func.func @less_unsigned(%a: tensor<4xui32>, %b: tensor<4xui32>) -> tensor<4xi1> {
  %r = anvil.less %a, %b : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xi1>
  return %r : tensor<4xi1>
}

// -----

// Round is round-half-to-even.
// CHECK-LABEL: func.func @round
// CHECK: math.roundeven
func.func @round(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = anvil.round %a : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Shifts by the bit width or more give 0 instead of poison.
// CHECK-LABEL: func.func @shift_left
// CHECK: arith.cmpi uge
// CHECK: arith.shli
// CHECK: arith.select
func.func @shift_left(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %r = anvil.shift_left %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %r : tensor<4xui8>
}

// -----

// Integer pow squares over the exponent's bits (math.ipowi has no CPU lowering) and
// gives 0 for negative exponents unless |x| = 1.
// CHECK-LABEL: func.func @pow_i32
// CHECK: linalg.generic
// CHECK-NOT: math.ipowi
// CHECK-COUNT-32: arith.muli %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi slt
func.func @pow_i32(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = anvil.pow %x, %y : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
