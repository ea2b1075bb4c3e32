// RUN: anvil-opt %s -split-input-file -anvil-fold-constants | FileCheck %s

// A range of constants folds to its static length; users and the function's
// signature take the refined type.
// CHECK-LABEL: func.func @range
// CHECK-SAME: -> (tensor<3xi64>, tensor<3xi64>)
// CHECK: %[[R:.+]] = anvil.constant dense<[0, 2, 4]> : tensor<3xi64>
// CHECK: %[[X:.+]] = anvil.constant dense<[2, 4, 6]> : tensor<3xi64>
// CHECK: return %[[R]], %[[X]] : tensor<3xi64>, tensor<3xi64>
func.func @range() -> (tensor<?xi64>, tensor<?xi64>) {
  %c0 = anvil.constant dense<0> : tensor<i64>
  %c6 = anvil.constant dense<6> : tensor<i64>
  %c2 = anvil.constant dense<2> : tensor<i64>
  %r = anvil.range %c0, %c6, %c2 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %x = anvil.add %r, %c2 : (tensor<?xi64>, tensor<i64>) -> tensor<?xi64>
  return %r, %x : tensor<?xi64>, tensor<?xi64>
}

// -----

// An op whose result has its operand's shape (cos) takes the refined shape.
// CHECK-LABEL: func.func @same_shape
// CHECK-SAME: -> tensor<4xf32>
// CHECK: anvil.cos %{{.+}} : tensor<4xf32>
func.func @same_shape() -> tensor<?xf32> {
  %c0 = anvil.constant dense<0.0> : tensor<f32>
  %c4 = anvil.constant dense<4.0> : tensor<f32>
  %c1 = anvil.constant dense<1.0> : tensor<f32>
  %r = anvil.range %c0, %c4, %c1 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %c = anvil.cos %r : tensor<?xf32>
  return %c : tensor<?xf32>
}

// -----

// Float scalars fold in the element type; comparisons and Not give booleans.
// CHECK-LABEL: func.func @scalars
// CHECK-DAG: anvil.constant dense<2.500000e+00> : tensor<f32>
// CHECK-DAG: anvil.constant dense<true> : tensor<i1>
// CHECK-NOT: anvil.div
// CHECK-NOT: anvil.not
func.func @scalars() -> (tensor<f32>, tensor<i1>) {
  %a = anvil.constant dense<5> : tensor<i32>
  %b = anvil.constant dense<2.0> : tensor<f32>
  %af = anvil.cast %a : tensor<i32> to tensor<f32>
  %d = anvil.div %af, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %lt = anvil.less %af, %b : (tensor<f32>, tensor<f32>) -> tensor<i1>
  %n = anvil.not %lt : tensor<i1>
  return %d, %n : tensor<f32>, tensor<i1>
}

// -----

// A run-time axes operand that folds becomes the reduction's attribute, and the
// static result type flows into the elementwise users.
// CHECK-LABEL: func.func @axes
// CHECK: %[[M:.+]] = anvil.reduce_mean %arg0 {axes = array<i64: 0, 1>} : (tensor<3x4xf32>) -> tensor<1x1xf32>
// CHECK: anvil.add %[[M]], %{{.+}} : (tensor<1x1xf32>, tensor<f32>) -> tensor<1x1xf32>
func.func @axes(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c0 = anvil.constant dense<0> : tensor<i64>
  %c2 = anvil.constant dense<2> : tensor<i64>
  %c1 = anvil.constant dense<1> : tensor<i64>
  %axes = anvil.range %c0, %c2, %c1 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %m = anvil.reduce_mean %x, %axes {axes = array<i64>} : (tensor<3x4xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  %eps = anvil.constant dense<1.0e-05> : tensor<f32>
  %s = anvil.add %m, %eps : (tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  %y = anvil.div %x, %s : (tensor<3x4xf32>, tensor<?x?xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Must not fold: an integer division by zero (left to run time), an operand that
// is not a constant, and anything reading a weight blob.
// CHECK-LABEL: func.func @no_fold
// CHECK: anvil.div
// CHECK: anvil.add %arg0
// CHECK: anvil.neg
func.func @no_fold(%x: tensor<4xi64>) -> (tensor<i64>, tensor<4xi64>, tensor<2xf32>) {
  %a = anvil.constant dense<7> : tensor<i64>
  %z = anvil.constant dense<0> : tensor<i64>
  %d = anvil.div %a, %z : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %one = anvil.constant dense<1> : tensor<i64>
  %s = anvil.add %x, %one : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  %w = anvil.constant dense_resource<w> : tensor<2xf32>
  %n = anvil.neg %w : tensor<2xf32>
  return %d, %s, %n : tensor<i64>, tensor<4xi64>, tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00000040"
    }
  }
#-}
