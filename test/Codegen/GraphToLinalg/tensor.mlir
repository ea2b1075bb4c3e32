// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// A reshape whose target comes from a shape sub-graph (shape → gather → unsqueeze → concat,
// as PyTorch exports it) with one dynamic dim needs no shape data: the static dims group.
// CHECK-LABEL: func.func @reshape_from_shape
// CHECK-SAME: (%{{.+}}: tensor<?x16x64xf32>, %[[Y:.+]]: tensor<?x16x4x16xf32>)
// CHECK-NEXT: %[[R:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]] : tensor<?x16x4x16xf32> into tensor<?x16x64xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_from_shape(%x: tensor<?x16x64xf32>, %y: tensor<?x16x4x16xf32>) -> tensor<?x16x64xf32> {
  %s = anvil.shape %x : (tensor<?x16x64xf32>) -> tensor<3xi64>
  %i0 = anvil.constant dense<0> : tensor<i64>
  %b = anvil.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %u = anvil.unsqueeze %b {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  %c = anvil.constant dense<[16, 64]> : tensor<2xi64>
  %t = anvil.concat %u, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %r = anvil.reshape %y, %t : (tensor<?x16x4x16xf32>, tensor<3xi64>) -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

// -----

// With two dynamic dims the sizes are read symbolically from the shape sub-graph as
// tensor.dim of the tensor they came from, and the reshape goes through 1-D.
// CHECK-LABEL: func.func @reshape_two_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x8xf32>)
// CHECK-DAG: %[[D0:.+]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[D1:.+]] = tensor.dim %[[X]], %c1
// CHECK: %[[F:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]]
// CHECK: tensor.expand_shape %[[F]] {{\[}}[0, 1, 2, 3]] output_shape [%[[D0]], %[[D1]], 2, 4]
// CHECK-NOT: anvil.
func.func @reshape_two_dynamic(%x: tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32> {
  %s = anvil.shape %x {start = 0 : i64, end = 2 : i64} : (tensor<?x?x8xf32>) -> tensor<2xi64>
  %c = anvil.constant dense<[2, 4]> : tensor<2xi64>
  %t = anvil.concat %s, %c {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  %r = anvil.reshape %x, %t : (tensor<?x?x8xf32>, tensor<4xi64>) -> tensor<?x?x2x4xf32>
  return %r : tensor<?x?x2x4xf32>
}

// -----

// Slice clamps ONNX bounds at compile time (end -1 counts from the back) and becomes a
// strided extract_slice.
// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.+}}[0, 1] [%{{.+}}, 3] [1, 2] : tensor<?x8xf32> to tensor<?x3xf32>
func.func @slice(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
  %st = anvil.constant dense<[1]> : tensor<1xi64>
  %en = anvil.constant dense<[-1]> : tensor<1xi64>
  %ax = anvil.constant dense<[1]> : tensor<1xi64>
  %sp = anvil.constant dense<[2]> : tensor<1xi64>
  %r = anvil.slice %x, %st, %en, %ax, %sp : (tensor<?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

// An embedding gather reads the table with tensor.extract at the (wrapped, clamped) index.
// CHECK-LABEL: func.func @gather_embedding
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<?x16xi64>) outs(%{{.+}} : tensor<?x16x64xf32>)
// CHECK: arith.index_cast
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %{{.+}}] : tensor<100x64xf32>
func.func @gather_embedding(%t: tensor<100x64xf32>, %ids: tensor<?x16xi64>) -> tensor<?x16x64xf32> {
  %r = anvil.gather %t, %ids {axis = 0 : i64} : (tensor<100x64xf32>, tensor<?x16xi64>) -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

// -----

// Concat is tensor.concat; unsqueeze is an expand_shape.
// CHECK-LABEL: func.func @concat_unsqueeze
// CHECK: tensor.concat dim(1)
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 1, 5]
func.func @concat_unsqueeze(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x1x5xf32> {
  %c = anvil.concat %a, %b {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
  %u = anvil.unsqueeze %c {axes = array<i64: 1>} : (tensor<?x5xf32>) -> tensor<?x1x5xf32>
  return %u : tensor<?x1x5xf32>
}

// -----

// Reflect padding reads the source through a folded index in a generic.
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract
// CHECK-NOT: tensor.pad
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<3x8xf32> {
  %p = anvil.constant dense<[0, 2, 0, 2]> : tensor<4xi64>
  %r = anvil.pad %x, %p {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<3x8xf32>
  return %r : tensor<3x8xf32>
}
