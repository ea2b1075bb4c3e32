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

// -----

// A start past the end clamps to the dim: the empty slice starts at 0, as
// extract_slice rejects a static offset equal to the dim.
// CHECK-LABEL: func.func @slice_start_out_of_bounds
// CHECK: tensor.extract_slice %{{.+}}[0, 0] [20, 0] [1, 1] : tensor<20x10xf32> to tensor<20x0xf32>
func.func @slice_start_out_of_bounds(%x: tensor<20x10xf32>) -> tensor<20x0xf32> {
  %st = anvil.constant dense<[1000]> : tensor<1xi64>
  %en = anvil.constant dense<[1000]> : tensor<1xi64>
  %ax = anvil.constant dense<[1]> : tensor<1xi64>
  %sp = anvil.constant dense<[1]> : tensor<1xi64>
  %r = anvil.slice %x, %st, %en, %ax, %sp : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<20x0xf32>
  return %r : tensor<20x0xf32>
}

// -----

// An empty last piece of a split starts at 0 rather than at the dim.
// CHECK-LABEL: func.func @split_empty_piece
// CHECK: tensor.extract_slice %{{.+}}[0, 0] [2, 0] [1, 1] : tensor<2x6xf32> to tensor<2x0xf32>
func.func @split_empty_piece(%x: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x0xf32>) {
  %0:2 = anvil.split %x {axis = 1 : i64, sizes = array<i64: 6, 0>} : (tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x0xf32>)
  return %0#0, %0#1 : tensor<2x6xf32>, tensor<2x0xf32>
}

// -----

// Statically empty inputs are left out of a concat (their insert_slice would
// start at the dim).
// CHECK-LABEL: func.func @concat_empty_piece
// CHECK-SAME: (%[[A:.+]]: tensor<2x6xf32>, %{{.+}}: tensor<2x0xf32>)
// CHECK-NEXT: return %[[A]]
func.func @concat_empty_piece(%a: tensor<2x6xf32>, %b: tensor<2x0xf32>) -> tensor<2x6xf32> {
  %c = anvil.concat %a, %b {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2x0xf32>) -> tensor<2x6xf32>
  return %c : tensor<2x6xf32>
}

// -----

// Constant padding of a static input to a dynamic result type: tensor.pad keeps the
// static type it infers and a cast gives the op's.
// CHECK-LABEL: func.func @pad_to_dynamic_type
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 1] high[0, 1]
// CHECK: } : tensor<3x4xf32> to tensor<3x6xf32>
// CHECK: tensor.cast %[[P]] : tensor<3x6xf32> to tensor<?x?xf32>
func.func @pad_to_dynamic_type(%x: tensor<3x4xf32>) -> tensor<?x?xf32> {
  %p = anvil.constant dense<[0, 1, 0, 1]> : tensor<4xi64>
  %r = anvil.pad %x, %p {mode = "constant"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// ScatterElements: indices and updates are padded to the input's other dims with an index
// that hits nothing, then a reduction over the indices' axis combines the hits.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: tensor.pad %{{.+}} low[0, 0] high[1, 0]
// CHECK: tensor.yield %c-9223372036854775808_i64
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<2x5xf32>)
// CHECK: arith.minsi
// CHECK: arith.addf
func.func @scatter_elements_add(%x: tensor<2x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) -> tensor<2x5xf32> {
  %r = anvil.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<2x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}

// -----

// ScatterND: one operand per tuple column (so no index is read through), a reduction
// over the tuples, and max propagating NaN.
// CHECK-LABEL: func.func @scatter_nd_max
// CHECK-COUNT-2: tensor.extract_slice %{{.+}} : tensor<3x2xi64> to tensor<3xi64>
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<3xi64>, tensor<3xi64>, tensor<3x4xf32>)
// CHECK: arith.maximumf
func.func @scatter_nd_max(%x: tensor<2x2x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x4xf32>) -> tensor<2x2x4xf32> {
  %r = anvil.scatter_nd %x, %i, %u {reduction = "max"} : (tensor<2x2x4xf32>, tensor<3x2xi64>, tensor<3x4xf32>) -> tensor<2x2x4xf32>
  return %r : tensor<2x2x4xf32>
}
