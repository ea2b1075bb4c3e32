// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// A broadcasting add reads the 1-D bias through a map that drops the batch dim; the
// dynamic result size comes from the operand that has it.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_bias
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK: %[[D:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x16xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[D]]) : tensor<?x16xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[B]] : tensor<?x16xf32>, tensor<16xf32>) outs(%[[E]] : tensor<?x16xf32>)
// CHECK: arith.addf
// CHECK-NOT: anvil.
func.func @add_bias(%x: tensor<?x16xf32>, %b: tensor<16xf32>) -> tensor<?x16xf32> {
  %0 = anvil.add %x, %b : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// A size-1 dim broadcasts through a constant 0 in the map.
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @mul_column
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[COL]], #{{.+}}]
// CHECK: arith.mulf
func.func @mul_column(%x: tensor<4x8xf32>, %c: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %0 = anvil.mul %x, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Integer arithmetic uses the integer arith ops.
// CHECK-LABEL: func.func @int_ops
// CHECK: arith.addi
// CHECK: arith.divsi
func.func @int_ops(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = anvil.add %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %1 = anvil.div %0, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %1 : tensor<4xi64>
}

// -----

// Activations expand into their scalar formulas.
// CHECK-LABEL: func.func @activations
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : f32
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: math.erf
func.func @activations(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = anvil.relu %x : tensor<8xf32>
  %1 = anvil.sigmoid %0 : tensor<8xf32>
  %2 = anvil.erf %1 : tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// A 2-D matmul becomes linalg.matmul into a zero-filled accumulator.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.+]]: tensor<?x16xf32>, %[[B:.+]]: tensor<16x8xf32>)
// CHECK: %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x8xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x8xf32>)
// CHECK: linalg.matmul ins(%[[A]], %[[B]] : tensor<?x16xf32>, tensor<16x8xf32>) outs(%[[F]] : tensor<?x8xf32>)
func.func @matmul(%a: tensor<?x16xf32>, %b: tensor<16x8xf32>) -> tensor<?x8xf32> {
  %0 = anvil.matmul %a, %b : (tensor<?x16xf32>, tensor<16x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Constants, weight blobs included, become arith.constant.
// CHECK-LABEL: func.func @constant
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Casts pick the arith conversion for each pair of types: float widening, float to int
// (truncating), int to float, bool to float (0/1), int to bool (x != 0), int narrowing.
// CHECK-LABEL: func.func @casts
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.fptosi %{{.+}} : f32 to i64
// CHECK: arith.sitofp %{{.+}} : i64 to f32
// CHECK: arith.uitofp %{{.+}} : i1 to f32
// CHECK: arith.cmpi ne
// CHECK: arith.trunci %{{.+}} : i64 to i32
func.func @casts(%h: tensor<4xf16>, %f: tensor<4xf32>, %i: tensor<4xi64>, %b: tensor<4xi1>)
    -> (tensor<4xf32>, tensor<4xi64>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi32>) {
  %0 = anvil.cast %h : tensor<4xf16> to tensor<4xf32>
  %1 = anvil.cast %f : tensor<4xf32> to tensor<4xi64>
  %2 = anvil.cast %i : tensor<4xi64> to tensor<4xf32>
  %3 = anvil.cast %b : tensor<4xi1> to tensor<4xf32>
  %4 = anvil.cast %i : tensor<4xi64> to tensor<4xi1>
  %5 = anvil.cast %i : tensor<4xi64> to tensor<4xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xi64>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi32>
}

// -----

// Float Mod (fmod=0) gives a zero remainder the divisor's sign, as numpy does.
// CHECK-LABEL: func.func @rem_float_signed_zero
// CHECK: arith.remf
// CHECK: arith.cmpf oeq
// CHECK: math.copysign
func.func @rem_float_signed_zero(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %r = anvil.rem %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
