// RUN: anvil-opt %s -split-input-file -anvil-fold-constants | FileCheck %s
// RUN: anvil-opt %s -split-input-file -anvil-fold-constants -canonicalize | FileCheck %s --check-prefix=DCE

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

// -----

// Shape reads fold where the dims they read are static, even when other dims
// are symbolic: a gather of dim 1, a slice of dims 1..2, and the data movement
// of constants (unsqueeze, concat).
// CHECK-LABEL: func.func @static_dims
// CHECK-DAG: %[[D1:.+]] = anvil.constant dense<16> : tensor<i64>
// CHECK-DAG: %[[S:.+]] = anvil.constant dense<[16, 64]> : tensor<2xi64>
// CHECK-DAG: %[[C:.+]] = anvil.constant dense<[16, 4, 16]> : tensor<3xi64>
// CHECK: return %[[D1]], %[[S]], %[[C]]
func.func @static_dims(%x: tensor<?x16x64xf32>) -> (tensor<i64>, tensor<?xi64>, tensor<3xi64>) {
  %s = anvil.shape %x : (tensor<?x16x64xf32>) -> tensor<3xi64>
  %one = anvil.constant dense<1> : tensor<i64>
  %d1 = anvil.gather %s, %one {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %start = anvil.constant dense<1> : tensor<1xi64>
  %end = anvil.constant dense<3> : tensor<1xi64>
  %axis = anvil.constant dense<0> : tensor<1xi64>
  %slice = anvil.slice %s, %start, %end, %axis, %start : (tensor<3xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi64>
  %u = anvil.unsqueeze %d1 {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  %four = anvil.constant dense<4> : tensor<1xi64>
  %c = anvil.concat %u, %four, %u {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %d1, %slice, %c : tensor<i64>, tensor<?xi64>, tensor<3xi64>
}

// -----

// Must not fold: a gather of the symbolic dim, a slice that reaches it, and a
// gather whose index is not a constant.
// CHECK-LABEL: func.func @symbolic_dims
// CHECK-COUNT-2: anvil.gather
// CHECK: anvil.slice
func.func @symbolic_dims(%x: tensor<?x16xf32>, %i: tensor<i64>) -> (tensor<i64>, tensor<i64>, tensor<2xi64>) {
  %s = anvil.shape %x : (tensor<?x16xf32>) -> tensor<2xi64>
  %zero = anvil.constant dense<0> : tensor<i64>
  %d0 = anvil.gather %s, %zero {axis = 0 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %di = anvil.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %start = anvil.constant dense<0> : tensor<1xi64>
  %end = anvil.constant dense<2> : tensor<1xi64>
  %one = anvil.constant dense<1> : tensor<1xi64>
  %slice = anvil.slice %s, %start, %end, %start, %one : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %d0, %di, %slice : tensor<i64>, tensor<i64>, tensor<2xi64>
}

// -----

// PyTorch's x.view(x.size(0), x.size(1), 4, 16) with a symbolic batch: the
// target reads dim 0 of the reshape's own input, which ONNX's 0 copies, so the
// target is the constant [0, 16, 4, 16] at every batch size and the shape
// arithmetic dies.
// CHECK-LABEL: func.func @view_heads
// CHECK: %[[T:.+]] = anvil.constant dense<[0, 16, 4, 16]> : tensor<4xi64>
// CHECK: anvil.reshape %arg0, %[[T]] : (tensor<?x16x64xf32>, tensor<4xi64>) -> tensor<?x16x4x16xf32>
// DCE-LABEL: func.func @view_heads
// DCE-NOT: anvil.shape
// DCE-NOT: anvil.gather
// DCE-NOT: anvil.unsqueeze
// DCE-NOT: anvil.concat
// DCE: anvil.reshape
func.func @view_heads(%x: tensor<?x16x64xf32>) -> tensor<?x16x4x16xf32> {
  %s = anvil.shape %x : (tensor<?x16x64xf32>) -> tensor<3xi64>
  %zero = anvil.constant dense<0> : tensor<i64>
  %one = anvil.constant dense<1> : tensor<i64>
  %b = anvil.gather %s, %zero {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %n = anvil.gather %s, %one {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %b1 = anvil.unsqueeze %b {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  %n1 = anvil.unsqueeze %n {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  %h = anvil.constant dense<4> : tensor<1xi64>
  %d = anvil.constant dense<16> : tensor<1xi64>
  %t = anvil.concat %b1, %n1, %h, %d {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %y = anvil.reshape %x, %t : (tensor<?x16x64xf32>, tensor<4xi64>) -> tensor<?x16x4x16xf32>
  return %y : tensor<?x16x4x16xf32>
}

// -----

// The batch read from another tensor (attention's output merged back with the
// input's batch) is the one size left unknown; every other size is known and
// non-zero, so -1 infers the same value from the element count.
// CHECK-LABEL: func.func @merge_heads
// CHECK: %[[T:.+]] = anvil.constant dense<[-1, 16, 64]> : tensor<3xi64>
// CHECK: anvil.reshape %arg1, %[[T]]
func.func @merge_heads(%x: tensor<?x16x64xf32>, %a: tensor<?x16x4x16xf32>) -> tensor<?x16x64xf32> {
  %s = anvil.shape %x {end = 2 : i64} : (tensor<?x16x64xf32>) -> tensor<2xi64>
  %d = anvil.constant dense<64> : tensor<1xi64>
  %t = anvil.concat %s, %d {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %y = anvil.reshape %a, %t : (tensor<?x16x4x16xf32>, tensor<3xi64>) -> tensor<?x16x64xf32>
  return %y : tensor<?x16x64xf32>
}

// -----

// Must not fold: two sizes read from another tensor (-1 can stand for one),
// allowzero (0 is a zero-size dim, not a copy), and -1 next to a 0 that copies
// a symbolic dim (that dim may be 0, which leaves -1 undetermined).
// CHECK-LABEL: func.func @targets_kept
// CHECK-NOT: anvil.constant dense<[{{.*}}]> : tensor<3xi64>
// CHECK-COUNT-3: anvil.reshape %{{.+}}, %{{.+}} {{.*}}: (tensor<?x?x64xf32>, tensor<3xi64>)
func.func @targets_kept(%x: tensor<?x?x64xf32>, %y: tensor<?x?x64xf32>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  %sy = anvil.shape %y {end = 2 : i64} : (tensor<?x?x64xf32>) -> tensor<2xi64>
  %d = anvil.constant dense<64> : tensor<1xi64>
  %t = anvil.concat %sy, %d {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %a = anvil.reshape %x, %t : (tensor<?x?x64xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
  %sx = anvil.shape %x {end = 2 : i64} : (tensor<?x?x64xf32>) -> tensor<2xi64>
  %tx = anvil.concat %sx, %d {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %b = anvil.reshape %x, %tx {allowzero = true} : (tensor<?x?x64xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
  %one = anvil.constant dense<1> : tensor<1xi64>
  %zero = anvil.constant dense<0> : tensor<1xi64>
  %two = anvil.constant dense<2> : tensor<1xi64>
  %y0 = anvil.slice %sy, %zero, %one, %zero, %one : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %x1 = anvil.slice %sx, %one, %two, %zero, %one : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %tc = anvil.concat %y0, %x1, %d {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %c = anvil.reshape %x, %tc : (tensor<?x?x64xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
  return %a, %b, %c : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>
}

// -----

// A reshape-like op of a folded constant whose result type still has `?`
// dims (its input was a Range when the model was imported) folds to a
// constant of the static shape that its input and axes or target give; the
// users take the refined type. (A constant of a `?` type would be invalid
// once lowered.)
// CHECK-LABEL: func.func @unsqueeze_of_range
// CHECK-DAG: anvil.constant dense<{{\[}}[0], [1], [2], [3], [4]]> : tensor<5x1xi64>
// CHECK-DAG: anvil.constant dense<{{\[}}[0, 1, 2, 3, 4]]> : tensor<1x5xi64>
// CHECK-DAG: anvil.constant dense<{{\[}}[0, 1, 2, 3, 4]]> : tensor<1x5xi64>
// CHECK-NOT: anvil.unsqueeze
// CHECK-NOT: anvil.reshape
// CHECK-NOT: anvil.flatten
func.func @unsqueeze_of_range() -> (tensor<?x1xi64>, tensor<1x?xi64>, tensor<?x?xi64>) {
  %start = anvil.constant dense<0> : tensor<i64>
  %limit = anvil.constant dense<5> : tensor<i64>
  %delta = anvil.constant dense<1> : tensor<i64>
  %r = anvil.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %u = anvil.unsqueeze %r {axes = array<i64: 1>} : (tensor<?xi64>) -> tensor<?x1xi64>
  %t = anvil.constant dense<[1, -1]> : tensor<2xi64>
  %v = anvil.reshape %r, %t : (tensor<?xi64>, tensor<2xi64>) -> tensor<1x?xi64>
  %f = anvil.flatten %v {axis = 1 : i64} : (tensor<1x?xi64>) -> tensor<?x?xi64>
  return %u, %v, %f : tensor<?x1xi64>, tensor<1x?xi64>, tensor<?x?xi64>
}
