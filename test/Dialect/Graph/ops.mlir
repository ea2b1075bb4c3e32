// RUN: anvil-opt %s | anvil-opt | FileCheck %s

// Round-trip of every anvil op through its custom assembly format, twice, with dynamic `?`
// dimensions and every optional operand both present and absent.

// Unary elementwise math: the result has the operand's type, dynamic dims included.
// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x16xf32>, %[[B:[^:]+]]: tensor<4xi1>, %[[I:[^:]+]]: tensor<4xi32>)
// CHECK: %{{.+}} = anvil.abs %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.neg %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.sqrt %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.reciprocal %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.exp %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.log %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.erf %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.tanh %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.floor %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.ceil %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.round %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.sign %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.sin %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.cos %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.tan %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.asin %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.acos %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.atan %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.sinh %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.cosh %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.asinh %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.acosh %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.atanh %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.not %[[B]] : tensor<4xi1>
// CHECK: %{{.+}} = anvil.bitwise_not %[[I]] : tensor<4xi32>
func.func @unary(%x: tensor<?x16xf32>, %b: tensor<4xi1>, %i: tensor<4xi32>) {
  %0 = anvil.abs %x : tensor<?x16xf32>
  %1 = anvil.neg %x : tensor<?x16xf32>
  %2 = anvil.sqrt %x : tensor<?x16xf32>
  %3 = anvil.reciprocal %x : tensor<?x16xf32>
  %4 = anvil.exp %x : tensor<?x16xf32>
  %5 = anvil.log %x : tensor<?x16xf32>
  %6 = anvil.erf %x : tensor<?x16xf32>
  %7 = anvil.tanh %x : tensor<?x16xf32>
  %8 = anvil.floor %x : tensor<?x16xf32>
  %9 = anvil.ceil %x : tensor<?x16xf32>
  %10 = anvil.round %x : tensor<?x16xf32>
  %11 = anvil.sign %x : tensor<?x16xf32>
  %12 = anvil.sin %x : tensor<?x16xf32>
  %13 = anvil.cos %x : tensor<?x16xf32>
  %14 = anvil.tan %x : tensor<?x16xf32>
  %15 = anvil.asin %x : tensor<?x16xf32>
  %16 = anvil.acos %x : tensor<?x16xf32>
  %17 = anvil.atan %x : tensor<?x16xf32>
  %18 = anvil.sinh %x : tensor<?x16xf32>
  %19 = anvil.cosh %x : tensor<?x16xf32>
  %20 = anvil.asinh %x : tensor<?x16xf32>
  %21 = anvil.acosh %x : tensor<?x16xf32>
  %22 = anvil.atanh %x : tensor<?x16xf32>
  %23 = anvil.not %b : tensor<4xi1>
  %24 = anvil.bitwise_not %i : tensor<4xi32>
  return
}

// Binary elementwise ops broadcast a dynamic-batch lhs with a static rhs.
// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x16xf32>, %[[Y:[^:]+]]: tensor<16xf32>, %[[B:[^:]+]]: tensor<4xi1>, %[[I:[^:]+]]: tensor<?x4xi32>, %[[J:[^:]+]]: tensor<4xi32>)
// CHECK: %{{.+}} = anvil.add %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.sub %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.mul %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.div %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.pow %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.min %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.max %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.frem %[[X]], %[[Y]] : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.and %[[B]], %[[B]] : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK: %{{.+}} = anvil.or %[[B]], %[[B]] : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK: %{{.+}} = anvil.xor %[[B]], %[[B]] : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK: %{{.+}} = anvil.bitwise_and %[[I]], %[[J]] : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
// CHECK: %{{.+}} = anvil.bitwise_or %[[I]], %[[J]] : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
// CHECK: %{{.+}} = anvil.bitwise_xor %[[I]], %[[J]] : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
// CHECK: %{{.+}} = anvil.shift_left %[[I]], %[[J]] : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
// CHECK: %{{.+}} = anvil.shift_right %[[I]], %[[J]] : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
// CHECK: %{{.+}} = anvil.rem %[[I]], %[[J]] : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
func.func @binary(%x: tensor<?x16xf32>, %y: tensor<16xf32>, %b: tensor<4xi1>, %i: tensor<?x4xi32>, %j: tensor<4xi32>) {
  %0 = anvil.add %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %1 = anvil.sub %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %2 = anvil.mul %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %3 = anvil.div %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %4 = anvil.pow %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %5 = anvil.min %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %6 = anvil.max %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %7 = anvil.frem %x, %y : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %8 = anvil.and %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %9 = anvil.or %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %10 = anvil.xor %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %11 = anvil.bitwise_and %i, %j : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  %12 = anvil.bitwise_or %i, %j : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  %13 = anvil.bitwise_xor %i, %j : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  %14 = anvil.shift_left %i, %j : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  %15 = anvil.shift_right %i, %j : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  %16 = anvil.rem %i, %j : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  return
}

// Comparisons produce i1; select broadcasts its three operands; cast changes the element type.
// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4xf32>, %[[Y:[^:]+]]: tensor<4xf32>)
// CHECK: %[[V0:.+]] = anvil.equal %[[X]], %[[Y]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.less %[[X]], %[[Y]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.less_equal %[[X]], %[[Y]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.greater %[[X]], %[[Y]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.greater_equal %[[X]], %[[Y]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.is_nan %[[X]] : (tensor<?x4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.is_inf %[[X]] {detect_negative = false} : (tensor<?x4xf32>) -> tensor<?x4xi1>
// CHECK: %{{.+}} = anvil.select %[[V0]], %[[X]], %[[Y]] : (tensor<?x4xi1>, tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: %{{.+}} = anvil.cast %[[X]] : tensor<?x4xf32> to tensor<?x4xi64>
// CHECK: %{{.+}} = anvil.cast %[[X]] {saturate = false} : tensor<?x4xf32> to tensor<?x4xf8E4M3FN>
func.func @compare(%x: tensor<?x4xf32>, %y: tensor<4xf32>) {
  %0 = anvil.equal %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %1 = anvil.less %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %2 = anvil.less_equal %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %3 = anvil.greater %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %4 = anvil.greater_equal %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %5 = anvil.is_nan %x : (tensor<?x4xf32>) -> tensor<?x4xi1>
  %6 = anvil.is_inf %x {detect_negative = false} : (tensor<?x4xf32>) -> tensor<?x4xi1>
  %7 = anvil.select %0, %x, %y : (tensor<?x4xi1>, tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %8 = anvil.cast %x : tensor<?x4xf32> to tensor<?x4xi64>
  %9 = anvil.cast %x {saturate = false} : tensor<?x4xf32> to tensor<?x4xf8E4M3FN>
  return
}

// Activations; attributes equal to their defaults are elided when printed.
// CHECK-LABEL: func.func @activations
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x16xf32>)
// CHECK: %{{.+}} = anvil.relu %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.sigmoid %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.softplus %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.softsign %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.hard_swish %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.mish %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.leaky_relu %[[X]] {alpha = 2.000000e-01 : f32} : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.elu %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.celu %[[X]] {alpha = 2.000000e+00 : f32} : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.selu %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.hard_sigmoid %[[X]] {alpha = 1.000000e-01 : f32, beta = 6.000000e-01 : f32} : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.thresholded_relu %[[X]] : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.shrink %[[X]] {bias = 1.000000e+00 : f32, lambd = 1.500000e+00 : f32} : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.gelu %[[X]] {tanh_approximation = true} : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.clip %[[X]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.clip %[[X]] {max = 1.000000e+00 : f64} : tensor<?x16xf32>
func.func @activations(%x: tensor<?x16xf32>) {
  %0 = anvil.relu %x : tensor<?x16xf32>
  %1 = anvil.sigmoid %x : tensor<?x16xf32>
  %2 = anvil.softplus %x : tensor<?x16xf32>
  %3 = anvil.softsign %x : tensor<?x16xf32>
  %4 = anvil.hard_swish %x : tensor<?x16xf32>
  %5 = anvil.mish %x : tensor<?x16xf32>
  %6 = anvil.leaky_relu %x {alpha = 2.0e-01 : f32} : tensor<?x16xf32>
  %7 = anvil.elu %x {alpha = 1.0 : f32} : tensor<?x16xf32>
  %8 = anvil.celu %x {alpha = 2.0 : f32} : tensor<?x16xf32>
  %9 = anvil.selu %x : tensor<?x16xf32>
  %10 = anvil.hard_sigmoid %x {alpha = 1.0e-01 : f32, beta = 6.0e-01 : f32} : tensor<?x16xf32>
  %11 = anvil.thresholded_relu %x : tensor<?x16xf32>
  %12 = anvil.shrink %x {bias = 1.0 : f32, lambd = 1.5 : f32} : tensor<?x16xf32>
  %13 = anvil.gelu %x {tanh_approximation = true} : tensor<?x16xf32>
  %14 = anvil.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<?x16xf32>
  %15 = anvil.clip %x {max = 1.0 : f64} : tensor<?x16xf32>
  return
}

// Constants (inline dense and a dense_resource blob), shapes, sizes and ranges.
// CHECK-LABEL: func.func @constants
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>, %[[SH:[^:]+]]: tensor<2xi64>)
// CHECK: %{{.+}} = anvil.constant dense<[1, -1]> : tensor<2xi64>
// CHECK: %{{.+}} = anvil.constant dense_resource<weight> : tensor<2x2xf32>
// CHECK: %{{.+}} = anvil.constant_of_shape %[[SH]] {value = dense<0.000000e+00> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.shape %[[X]] : (tensor<?x8xf32>) -> tensor<2xi64>
// CHECK: %{{.+}} = anvil.shape %[[X]] {end = 1 : i64} : (tensor<?x8xf32>) -> tensor<1xi64>
// CHECK: %[[V5:.+]] = anvil.size %[[X]] : (tensor<?x8xf32>) -> tensor<i64>
// CHECK: %[[V6:.+]] = anvil.constant dense<0> : tensor<i64>
// CHECK: %[[V7:.+]] = anvil.constant dense<1> : tensor<i64>
// CHECK: %{{.+}} = anvil.range %[[V6]], %[[V5]], %[[V7]] : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
func.func @constants(%x: tensor<?x8xf32>, %sh: tensor<2xi64>) {
  %0 = anvil.constant dense<[1, -1]> : tensor<2xi64>
  %1 = anvil.constant dense_resource<weight> : tensor<2x2xf32>
  %2 = anvil.constant_of_shape %sh {value = dense<0.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  %3 = anvil.shape %x : (tensor<?x8xf32>) -> tensor<2xi64>
  %4 = anvil.shape %x {start = 0 : i64, end = 1 : i64} : (tensor<?x8xf32>) -> tensor<1xi64>
  %5 = anvil.size %x : (tensor<?x8xf32>) -> tensor<i64>
  %6 = anvil.constant dense<0> : tensor<i64>
  %7 = anvil.constant dense<1> : tensor<i64>
  %8 = anvil.range %6, %5, %7 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// Data movement (flatten with a negative axis too), including run-time axes for
// squeeze/unsqueeze (dynamic_axes) and run-time sizes for split (dynamic_sizes).
// CHECK-LABEL: func.func @data_movement
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x4xf32>, %[[S:[^:]+]]: tensor<2xi64>, %[[V:[^:]+]]: tensor<?x6xf32>, %[[I:[^:]+]]: tensor<?x3xi64>, %[[A:[^:]+]]: tensor<1xi64>)
// CHECK: %{{.+}} = anvil.reshape %[[X]], %[[S]] : (tensor<?x4x4xf32>, tensor<2xi64>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.reshape %[[X]], %[[S]] {allowzero = true} : (tensor<?x4x4xf32>, tensor<2xi64>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.flatten %[[X]] {axis = 1 : i64} : (tensor<?x4x4xf32>) -> tensor<?x16xf32>
// CHECK: %{{.+}} = anvil.flatten %[[X]] {axis = -1 : i64} : (tensor<?x4x4xf32>) -> tensor<?x4xf32>
// CHECK: %[[V4:.+]] = anvil.unsqueeze %[[V]] {axes = array<i64: 1>} : (tensor<?x6xf32>) -> tensor<?x1x6xf32>
// CHECK: %{{.+}} = anvil.squeeze %[[V4]] {axes = array<i64: 1>} : (tensor<?x1x6xf32>) -> tensor<?x6xf32>
// CHECK: %{{.+}} = anvil.squeeze %[[V4]], %[[A]] {axes = array<i64>} : (tensor<?x1x6xf32>, tensor<1xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.unsqueeze %[[V]], %[[A]] {axes = array<i64>} : (tensor<?x6xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
// CHECK: %{{.+}} = anvil.transpose %[[X]] {perm = array<i64: 0, 2, 1>} : (tensor<?x4x4xf32>) -> tensor<?x4x4xf32>
// CHECK: %{{.+}} = anvil.concat %[[V]], %[[V]] {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
// CHECK: %{{.+}} = anvil.split %[[V]] {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x4xf32>)
// CHECK: %{{.+}} = anvil.split %[[V]], %[[S]] {axis = 1 : i64, sizes = array<i64>} : (tensor<?x6xf32>, tensor<2xi64>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
// CHECK: %[[V12:.+]] = anvil.constant dense<1> : tensor<1xi64>
// CHECK: %{{.+}} = anvil.slice %[[V]], %[[V12]], %[[V12]], %[[V12]], %[[V12]] : (tensor<?x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.gather %[[V]], %[[I]] {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x3xi64>) -> tensor<?x?x3xf32>
// CHECK: %{{.+}} = anvil.gather_elements %[[V]], %[[I]] {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x3xi64>) -> tensor<?x3xf32>
// CHECK: %{{.+}} = anvil.expand %[[V]], %[[S]] : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x6xf32>
// CHECK: %{{.+}} = anvil.tile %[[V]], %[[S]] : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
func.func @data_movement(%x: tensor<?x4x4xf32>, %s: tensor<2xi64>, %v: tensor<?x6xf32>, %i: tensor<?x3xi64>, %a: tensor<1xi64>) {
  %0 = anvil.reshape %x, %s : (tensor<?x4x4xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %1 = anvil.reshape %x, %s {allowzero = true} : (tensor<?x4x4xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %2 = anvil.flatten %x {axis = 1 : i64} : (tensor<?x4x4xf32>) -> tensor<?x16xf32>
  %3 = anvil.flatten %x {axis = -1 : i64} : (tensor<?x4x4xf32>) -> tensor<?x4xf32>
  %4 = anvil.unsqueeze %v {axes = array<i64: 1>} : (tensor<?x6xf32>) -> tensor<?x1x6xf32>
  %5 = anvil.squeeze %4 {axes = array<i64: 1>} : (tensor<?x1x6xf32>) -> tensor<?x6xf32>
  %6 = anvil.squeeze %4, %a {axes = array<i64>} : (tensor<?x1x6xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %7 = anvil.unsqueeze %v, %a {axes = array<i64>} : (tensor<?x6xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %8 = anvil.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<?x4x4xf32>) -> tensor<?x4x4xf32>
  %9 = anvil.concat %v, %v {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
  %10:2 = anvil.split %v {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x4xf32>)
  %11:2 = anvil.split %v, %s {axis = 1 : i64, sizes = array<i64>} : (tensor<?x6xf32>, tensor<2xi64>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  %12 = anvil.constant dense<1> : tensor<1xi64>
  %13 = anvil.slice %v, %12, %12, %12, %12 : (tensor<?x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %14 = anvil.gather %v, %i {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x3xi64>) -> tensor<?x?x3xf32>
  %15 = anvil.gather_elements %v, %i {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x3xi64>) -> tensor<?x3xf32>
  %16 = anvil.expand %v, %s : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x6xf32>
  %17 = anvil.tile %v, %s : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// Pad with and without the fill value and the axes operand; resize with attribute scales, and
// with run-time scales (f32) or sizes (i64) as the dynamic_target operand, for all or some axes.
// CHECK-LABEL: func.func @pad_resize
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x3xf32>, %[[P:[^:]+]]: tensor<4xi64>, %[[V:[^:]+]]: tensor<f32>, %[[IMG:[^:]+]]: tensor<?x8x4x4xf32>, %[[SC:[^:]+]]: tensor<4xf32>, %[[SZ:[^:]+]]: tensor<4xi64>, %[[P2:[^:]+]]: tensor<2xi64>, %[[AX:[^:]+]]: tensor<1xi64>, %[[SC2:[^:]+]]: tensor<2xf32>)
// CHECK: %{{.+}} = anvil.pad %[[X]], %[[P]] : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.pad %[[X]], %[[P]] value %[[V]] : (tensor<?x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.pad %[[X]], %[[P]] {mode = "reflect"} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.pad %[[X]], %[[P2]] axes %[[AX]] : (tensor<?x3xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.pad %[[X]], %[[P2]] value %[[V]] axes %[[AX]] {mode = "edge"} : (tensor<?x3xf32>, tensor<2xi64>, tensor<f32>, tensor<1xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.resize %[[IMG]] {scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : (tensor<?x8x4x4xf32>) -> tensor<?x8x8x8xf32>
// CHECK: %{{.+}} = anvil.resize %[[IMG]], %[[SC]] {coordinate_transformation_mode = "align_corners", mode = "linear", scales = array<f64>} : (tensor<?x8x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
// CHECK: %{{.+}} = anvil.resize %[[IMG]] {coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, extrapolation_value = 1.000000e+00 : f32, mode = "cubic", roi = array<f64: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00>, scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : (tensor<?x8x4x4xf32>) -> tensor<?x8x8x8xf32>
// CHECK: %{{.+}} = anvil.resize %[[IMG]], %[[SZ]] {scales = array<f64>} : (tensor<?x8x4x4xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
// CHECK: %{{.+}} = anvil.resize %[[IMG]], %[[SC2]] {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = "not_larger", scales = array<f64>} : (tensor<?x8x4x4xf32>, tensor<2xf32>) -> tensor<?x?x?x?xf32>
// CHECK: %{{.+}} = anvil.depth_to_space %[[IMG]] {blocksize = 2 : i64, mode = "CRD"} : (tensor<?x8x4x4xf32>) -> tensor<?x2x8x8xf32>
// CHECK: %{{.+}} = anvil.space_to_depth %[[IMG]] {blocksize = 2 : i64} : (tensor<?x8x4x4xf32>) -> tensor<?x32x2x2xf32>
func.func @pad_resize(%x: tensor<?x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>, %img: tensor<?x8x4x4xf32>, %sc: tensor<4xf32>, %sz: tensor<4xi64>, %p2: tensor<2xi64>, %ax: tensor<1xi64>, %sc2: tensor<2xf32>) {
  %0 = anvil.pad %x, %p : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %1 = anvil.pad %x, %p value %v {mode = "constant"} : (tensor<?x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  %2 = anvil.pad %x, %p {mode = "reflect"} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %3 = anvil.pad %x, %p2 axes %ax : (tensor<?x3xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %4 = anvil.pad %x, %p2 value %v axes %ax {mode = "edge"} : (tensor<?x3xf32>, tensor<2xi64>, tensor<f32>, tensor<1xi64>) -> tensor<?x?xf32>
  %5 = anvil.resize %img {mode = "nearest", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<?x8x4x4xf32>) -> tensor<?x8x8x8xf32>
  %6 = anvil.resize %img, %sc {mode = "linear", coordinate_transformation_mode = "align_corners", scales = array<f64>} : (tensor<?x8x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  %7 = anvil.resize %img {mode = "cubic", cubic_coeff_a = -5.0e-01 : f32, exclude_outside = true, coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.0 : f32, roi = array<f64: 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<?x8x4x4xf32>) -> tensor<?x8x8x8xf32>
  %8 = anvil.resize %img, %sz {scales = array<f64>} : (tensor<?x8x4x4xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %9 = anvil.resize %img, %sc2 {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = "not_larger", scales = array<f64>} : (tensor<?x8x4x4xf32>, tensor<2xf32>) -> tensor<?x?x?x?xf32>
  %10 = anvil.depth_to_space %img {blocksize = 2 : i64, mode = "CRD"} : (tensor<?x8x4x4xf32>) -> tensor<?x2x8x8xf32>
  %11 = anvil.space_to_depth %img {blocksize = 2 : i64} : (tensor<?x8x4x4xf32>) -> tensor<?x32x2x2xf32>
  return
}

// NN ops: gemm, conv and layer_norm with and without their optional bias operand.
// CHECK-LABEL: func.func @nn
// CHECK-SAME: (%[[A:[^:]+]]: tensor<?x16x64xf32>, %[[W:[^:]+]]: tensor<64x32xf32>, %[[G:[^:]+]]: tensor<?x512xf32>, %[[GB:[^:]+]]: tensor<10x512xf32>, %[[GC:[^:]+]]: tensor<10xf32>, %[[IMG:[^:]+]]: tensor<?x3x32x32xf32>, %[[CW:[^:]+]]: tensor<16x3x3x3xf32>, %[[CB:[^:]+]]: tensor<16xf32>, %[[T:[^:]+]]: tensor<1x8x4x4xf32>, %[[TW:[^:]+]]: tensor<8x4x2x2xf32>, %[[TB:[^:]+]]: tensor<4xf32>, %[[F:[^:]+]]: tensor<?x64x56x56xf32>, %[[C64:[^:]+]]: tensor<64xf32>, %[[LN:[^:]+]]: tensor<64xf32>)
// CHECK: %{{.+}} = anvil.matmul %[[A]], %[[W]] : (tensor<?x16x64xf32>, tensor<64x32xf32>) -> tensor<?x16x32xf32>
// CHECK: %{{.+}} = anvil.gemm %[[G]], %[[GB]], %[[GC]] {trans_b = true} : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
// CHECK: %{{.+}} = anvil.gemm %[[G]], %[[GB]] {alpha = 2.000000e+00 : f32, beta = 5.000000e-01 : f32, trans_b = true} : (tensor<?x512xf32>, tensor<10x512xf32>) -> tensor<?x10xf32>
// CHECK: %{{.+}} = anvil.conv %[[IMG]], %[[CW]], %[[CB]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
// CHECK: %{{.+}} = anvil.conv %[[IMG]], %[[CW]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x15x15xf32>
// CHECK: %{{.+}} = anvil.conv_transpose %[[T]], %[[TW]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
// CHECK: %{{.+}} = anvil.conv_transpose %[[T]], %[[TW]], %[[TB]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, -1, -1>, strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
// CHECK: %{{.+}} = anvil.max_pool %[[F]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
// CHECK: %{{.+}} = anvil.max_pool %[[F]] {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 3, 3>} : (tensor<?x64x56x56xf32>) -> tensor<?x64x19x19xf32>
// CHECK: %{{.+}} = anvil.avg_pool %[[F]] {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
// CHECK: %{{.+}} = anvil.lp_pool %[[F]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, p = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
// CHECK: %{{.+}} = anvil.batch_norm %[[F]], %[[C64]], %[[C64]], %[[C64]], %[[C64]] {epsilon = 1.000000e-03 : f32} : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x56x56xf32>
// CHECK: %{{.+}} = anvil.instance_norm %[[F]], %[[C64]], %[[C64]] : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x56x56xf32>
// CHECK: %{{.+}} = anvil.layer_norm %[[A]], %[[LN]], %[[LN]] : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
// CHECK: %{{.+}} = anvil.layer_norm %[[A]], %[[LN]] {axis = 2 : i64} : (tensor<?x16x64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
// CHECK: %{{.+}} = anvil.softmax %[[A]] {axis = -1 : i64} : tensor<?x16x64xf32>
// CHECK: %{{.+}} = anvil.log_softmax %[[A]] {axis = 1 : i64} : tensor<?x16x64xf32>
// CHECK: %{{.+}} = anvil.hardmax %[[A]] {axis = 2 : i64} : tensor<?x16x64xf32>
func.func @nn(%a: tensor<?x16x64xf32>, %w: tensor<64x32xf32>, %g: tensor<?x512xf32>, %gb: tensor<10x512xf32>, %gc: tensor<10xf32>, %img: tensor<?x3x32x32xf32>, %cw: tensor<16x3x3x3xf32>, %cb: tensor<16xf32>, %t: tensor<1x8x4x4xf32>, %tw: tensor<8x4x2x2xf32>, %tb: tensor<4xf32>, %f: tensor<?x64x56x56xf32>, %c64: tensor<64xf32>, %ln: tensor<64xf32>) {
  %0 = anvil.matmul %a, %w : (tensor<?x16x64xf32>, tensor<64x32xf32>) -> tensor<?x16x32xf32>
  %1 = anvil.gemm %g, %gb, %gc {trans_b = true} : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %2 = anvil.gemm %g, %gb {alpha = 2.0 : f32, beta = 0.5 : f32, trans_b = true} : (tensor<?x512xf32>, tensor<10x512xf32>) -> tensor<?x10xf32>
  %3 = anvil.conv %img, %cw, %cb {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
  %4 = anvil.conv %img, %cw {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x15x15xf32>
  %5 = anvil.conv_transpose %t, %tw {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  %6 = anvil.conv_transpose %t, %tw, %tb {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, -1, -1>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  %7 = anvil.max_pool %f {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
  %8 = anvil.max_pool %f {kernel_shape = array<i64: 2, 2>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<?x64x56x56xf32>) -> tensor<?x64x19x19xf32>
  %9 = anvil.avg_pool %f {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = true} : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
  %10 = anvil.lp_pool %f {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, p = 3 : i64} : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
  %11 = anvil.batch_norm %f, %c64, %c64, %c64, %c64 {epsilon = 1.0e-03 : f32} : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x56x56xf32>
  %12 = anvil.instance_norm %f, %c64, %c64 : (tensor<?x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x56x56xf32>
  %13 = anvil.layer_norm %a, %ln, %ln {axis = -1 : i64, epsilon = 1.0e-05 : f32} : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  %14 = anvil.layer_norm %a, %ln {axis = 2 : i64} : (tensor<?x16x64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  %15 = anvil.softmax %a {axis = -1 : i64} : tensor<?x16x64xf32>
  %16 = anvil.log_softmax %a {axis = 1 : i64} : tensor<?x16x64xf32>
  %17 = anvil.hardmax %a {axis = 2 : i64} : tensor<?x16x64xf32>
  return
}

// Trilu, cumsum and cumprod with static k/axis attributes and with the dynamic_k / dynamic_axis operands.
// CHECK-LABEL: func.func @trilu_cumsum
// CHECK-SAME: (%[[M:[^:]+]]: tensor<?x4x4xf32>, %[[K:[^:]+]]: tensor<i64>, %[[AX:[^:]+]]: tensor<i32>)
// CHECK: %{{.+}} = anvil.trilu %[[M]] {k = 1 : i64, upper = false} : tensor<?x4x4xf32>
// CHECK: %{{.+}} = anvil.trilu %[[M]], %[[K]] : tensor<i64> : tensor<?x4x4xf32>
// CHECK: %{{.+}} = anvil.cumsum %[[M]] {axis = 1 : i64, exclusive = true, reverse = true} : tensor<?x4x4xf32>
// CHECK: %{{.+}} = anvil.cumsum %[[M]], %[[AX]] : tensor<i32> {axis = 0 : i64} : tensor<?x4x4xf32>
// CHECK: %{{.+}} = anvil.cumprod %[[M]] {axis = -1 : i64} : tensor<?x4x4xf32>
// CHECK: %{{.+}} = anvil.cumprod %[[M]], %[[AX]] : tensor<i32> {axis = 0 : i64, reverse = true} : tensor<?x4x4xf32>
func.func @trilu_cumsum(%m: tensor<?x4x4xf32>, %k: tensor<i64>, %ax: tensor<i32>) {
  %0 = anvil.trilu %m {upper = false, k = 1 : i64} : tensor<?x4x4xf32>
  %1 = anvil.trilu %m, %k : tensor<i64> {upper = true} : tensor<?x4x4xf32>
  %2 = anvil.cumsum %m {axis = 1 : i64, exclusive = true, reverse = true} : tensor<?x4x4xf32>
  %3 = anvil.cumsum %m, %ax : tensor<i32> {axis = 0 : i64} : tensor<?x4x4xf32>
  %4 = anvil.cumprod %m {axis = -1 : i64} : tensor<?x4x4xf32>
  %5 = anvil.cumprod %m, %ax : tensor<i32> {axis = 0 : i64, reverse = true} : tensor<?x4x4xf32>
  return
}

// Attention: 4-D with causal masking; with a mask, a KV cache and qk_output after softmax;
// 3-D grouped-query heads with a sliding window and per-batch valid KV lengths.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:[^:]+]]: tensor<?x8x16x64xf32>, %[[K:[^:]+]]: tensor<?x2x16x64xf32>, %[[V:[^:]+]]: tensor<?x2x16x64xf32>, %[[MASK:[^:]+]]: tensor<16x20xi1>, %[[PK:[^:]+]]: tensor<?x2x4x64xf32>, %[[PV:[^:]+]]: tensor<?x2x4x64xf32>, %[[Q3:[^:]+]]: tensor<?x16x512xf32>, %[[K3:[^:]+]]: tensor<?x16x128xf32>, %[[LEN:[^:]+]]: tensor<?xi64>)
// CHECK: %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}} = anvil.attention %[[Q]], %[[K]], %[[V]] {is_causal = true} : (tensor<?x8x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>) -> (tensor<?x8x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x8x16x16xf32>)
// CHECK: %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}} = anvil.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] past %[[PK]], %[[PV]] {qk_matmul_output_mode = 3 : i64, scale = 1.250000e-01 : f32, softcap = 5.000000e+00 : f32} : (tensor<?x8x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>, tensor<16x20xi1>, tensor<?x2x4x64xf32>, tensor<?x2x4x64xf32>) -> (tensor<?x8x16x64xf32>, tensor<?x2x20x64xf32>, tensor<?x2x20x64xf32>, tensor<?x8x16x20xf32>)
// CHECK: %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}} = anvil.attention %[[Q3]], %[[K3]], %[[K3]] nonpad %[[LEN]] {kv_num_heads = 2 : i64, left_window_size = 4 : i64, q_num_heads = 8 : i64, right_window_size = 0 : i64, softmax_precision = 1 : i64} : (tensor<?x16x512xf32>, tensor<?x16x128xf32>, tensor<?x16x128xf32>, tensor<?xi64>) -> (tensor<?x16x512xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x8x16x16xf32>)
func.func @attention(%q: tensor<?x8x16x64xf32>, %k: tensor<?x2x16x64xf32>, %v: tensor<?x2x16x64xf32>, %mask: tensor<16x20xi1>, %pk: tensor<?x2x4x64xf32>, %pv: tensor<?x2x4x64xf32>, %q3: tensor<?x16x512xf32>, %k3: tensor<?x16x128xf32>, %len: tensor<?xi64>) {
  %y:4 = anvil.attention %q, %k, %v {is_causal = true} : (tensor<?x8x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>) -> (tensor<?x8x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x8x16x16xf32>)
  %z:4 = anvil.attention %q, %k, %v mask %mask past %pk, %pv {qk_matmul_output_mode = 3 : i64, scale = 1.250000e-01 : f32, softcap = 5.0 : f32} : (tensor<?x8x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>, tensor<16x20xi1>, tensor<?x2x4x64xf32>, tensor<?x2x4x64xf32>) -> (tensor<?x8x16x64xf32>, tensor<?x2x20x64xf32>, tensor<?x2x20x64xf32>, tensor<?x8x16x20xf32>)
  %w:4 = anvil.attention %q3, %k3, %k3 nonpad %len {q_num_heads = 8 : i64, kv_num_heads = 2 : i64, left_window_size = 4 : i64, right_window_size = 0 : i64, softmax_precision = 1 : i64} : (tensor<?x16x512xf32>, tensor<?x16x128xf32>, tensor<?x16x128xf32>, tensor<?xi64>) -> (tensor<?x16x512xf32>, tensor<?x2x16x64xf32>, tensor<?x2x16x64xf32>, tensor<?x8x16x16xf32>)
  return
}

// Reductions with attribute axes and with run-time axes (the dynamic_axes operand).
// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8x4xf32>, %[[AXES:[^:]+]]: tensor<1xi64>, %[[K:[^:]+]]: tensor<1xi64>)
// CHECK: %{{.+}} = anvil.reduce_sum %[[X]] {axes = array<i64: 1>} : (tensor<?x8x4xf32>) -> tensor<?x1x4xf32>
// CHECK: %{{.+}} = anvil.reduce_mean %[[X]] {axes = array<i64: 1, 2>, keepdims = false} : (tensor<?x8x4xf32>) -> tensor<?xf32>
// CHECK: %{{.+}} = anvil.reduce_max %[[X]] {axes = array<i64>} : (tensor<?x8x4xf32>) -> tensor<1x1x1xf32>
// CHECK: %{{.+}} = anvil.reduce_min %[[X]] {axes = array<i64: -1>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_prod %[[X]] {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_l1 %[[X]] {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_l2 %[[X]] {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_log_sum %[[X]] {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_log_sum_exp %[[X]] {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_sum_square %[[X]] {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
// CHECK: %{{.+}} = anvil.reduce_sum %[[X]], %[[AXES]] {axes = array<i64>, noop_with_empty_axes = true} : (tensor<?x8x4xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
// CHECK: %{{.+}} = anvil.reduce_mean %[[X]], %[[AXES]] {axes = array<i64>, keepdims = false} : (tensor<?x8x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
// CHECK: %{{.+}} = anvil.arg_max %[[X]] {axis = 1 : i64, keepdims = false} : (tensor<?x8x4xf32>) -> tensor<?x4xi64>
// CHECK: %{{.+}} = anvil.arg_min %[[X]] {axis = 2 : i64, select_last_index = true} : (tensor<?x8x4xf32>) -> tensor<?x8x1xi64>
// CHECK: %{{[^,]+}}, %{{[^,]+}} = anvil.top_k %[[X]], %[[K]] {axis = -1 : i64} : (tensor<?x8x4xf32>, tensor<1xi64>) -> (tensor<?x8x?xf32>, tensor<?x8x?xi64>)
// CHECK: %[[V14:.+]] = anvil.constant dense<2> : tensor<1xi64>
// CHECK: %{{[^,]+}}, %{{[^,]+}} = anvil.top_k %[[X]], %[[V14]] {axis = 1 : i64, largest = false} : (tensor<?x8x4xf32>, tensor<1xi64>) -> (tensor<?x2x4xf32>, tensor<?x2x4xi64>)
func.func @reductions(%x: tensor<?x8x4xf32>, %axes: tensor<1xi64>, %k: tensor<1xi64>) {
  %0 = anvil.reduce_sum %x {axes = array<i64: 1>} : (tensor<?x8x4xf32>) -> tensor<?x1x4xf32>
  %1 = anvil.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = false} : (tensor<?x8x4xf32>) -> tensor<?xf32>
  %2 = anvil.reduce_max %x {axes = array<i64>} : (tensor<?x8x4xf32>) -> tensor<1x1x1xf32>
  %3 = anvil.reduce_min %x {axes = array<i64: -1>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %4 = anvil.reduce_prod %x {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %5 = anvil.reduce_l1 %x {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %6 = anvil.reduce_l2 %x {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %7 = anvil.reduce_log_sum %x {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %8 = anvil.reduce_log_sum_exp %x {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %9 = anvil.reduce_sum_square %x {axes = array<i64: 2>} : (tensor<?x8x4xf32>) -> tensor<?x8x1xf32>
  %10 = anvil.reduce_sum %x, %axes {axes = array<i64>, noop_with_empty_axes = true} : (tensor<?x8x4xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %11 = anvil.reduce_mean %x, %axes {axes = array<i64>, keepdims = false} : (tensor<?x8x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %12 = anvil.arg_max %x {axis = 1 : i64, keepdims = false} : (tensor<?x8x4xf32>) -> tensor<?x4xi64>
  %13 = anvil.arg_min %x {axis = 2 : i64, select_last_index = true} : (tensor<?x8x4xf32>) -> tensor<?x8x1xi64>
  %14:2 = anvil.top_k %x, %k {axis = -1 : i64, largest = true, sorted = true} : (tensor<?x8x4xf32>, tensor<1xi64>) -> (tensor<?x8x?xf32>, tensor<?x8x?xi64>)
  %c2 = anvil.constant dense<2> : tensor<1xi64>
  %15:2 = anvil.top_k %x, %c2 {axis = 1 : i64, largest = false} : (tensor<?x8x4xf32>, tensor<1xi64>) -> (tensor<?x2x4xf32>, tensor<?x2x4xi64>)
  return
}

// Per-tensor, per-axis and blocked (de)quantization.
// CHECK-LABEL: func.func @quant
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>, %[[S:[^:]+]]: tensor<f32>, %[[Z:[^:]+]]: tensor<ui8>, %[[CS:[^:]+]]: tensor<8xf32>, %[[CZ:[^:]+]]: tensor<8xi8>, %[[BS:[^:]+]]: tensor<?x2xf32>, %[[BZ:[^:]+]]: tensor<?x2xi8>)
// CHECK: %[[V0:.+]] = anvil.quantize %[[X]], %[[S]], %[[Z]] : (tensor<?x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x8xui8>
// CHECK: %{{.+}} = anvil.dequantize %[[V0]], %[[S]], %[[Z]] : (tensor<?x8xui8>, tensor<f32>, tensor<ui8>) -> tensor<?x8xf32>
// CHECK: %[[V2:.+]] = anvil.quantize %[[X]], %[[CS]], %[[CZ]] : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xi8>) -> tensor<?x8xi8>
// CHECK: %{{.+}} = anvil.dequantize %[[V2]], %[[CS]], %[[CZ]] {axis = -1 : i64} : (tensor<?x8xi8>, tensor<8xf32>, tensor<8xi8>) -> tensor<?x8xf32>
// CHECK: %[[V4:.+]] = anvil.quantize %[[X]], %[[BS]], %[[BZ]] {block_size = 4 : i64} : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi8>) -> tensor<?x8xi8>
// CHECK: %{{.+}} = anvil.dequantize %[[V4]], %[[BS]], %[[BZ]] {block_size = 4 : i64} : (tensor<?x8xi8>, tensor<?x2xf32>, tensor<?x2xi8>) -> tensor<?x8xf32>
func.func @quant(%x: tensor<?x8xf32>, %s: tensor<f32>, %z: tensor<ui8>, %cs: tensor<8xf32>, %cz: tensor<8xi8>, %bs: tensor<?x2xf32>, %bz: tensor<?x2xi8>) {
  %0 = anvil.quantize %x, %s, %z : (tensor<?x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x8xui8>
  %1 = anvil.dequantize %0, %s, %z : (tensor<?x8xui8>, tensor<f32>, tensor<ui8>) -> tensor<?x8xf32>
  %2 = anvil.quantize %x, %cs, %cz {axis = 1 : i64} : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xi8>) -> tensor<?x8xi8>
  %3 = anvil.dequantize %2, %cs, %cz {axis = -1 : i64} : (tensor<?x8xi8>, tensor<8xf32>, tensor<8xi8>) -> tensor<?x8xf32>
  %4 = anvil.quantize %x, %bs, %bz {block_size = 4 : i64} : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi8>) -> tensor<?x8xi8>
  %5 = anvil.dequantize %4, %bs, %bz {block_size = 4 : i64} : (tensor<?x8xi8>, tensor<?x2xf32>, tensor<?x2xi8>) -> tensor<?x8xf32>
  return
}

// Indexing and scattering: gather_nd (with batch_dims), scatter_elements and scatter_nd with
// their reductions, one_hot, non_zero.
// CHECK-LABEL: func.func @index_ops
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x5xf32>, %[[I2:[^:]+]]: tensor<?x3x2xi64>, %[[IB:[^:]+]]: tensor<?x3x1xi64>, %[[IE:[^:]+]]: tensor<?x4x2xi64>, %[[UE:[^:]+]]: tensor<?x4x2xf32>, %[[S:[^:]+]]: tensor<8xf32>, %[[IN:[^:]+]]: tensor<4x1xi64>, %[[UN:[^:]+]]: tensor<4xf32>, %[[OH:[^:]+]]: tensor<?xi64>, %[[VALS:[^:]+]]: tensor<2xf32>)
// CHECK: %{{.+}} = anvil.gather_nd %[[X]], %[[I2]] : (tensor<?x4x5xf32>, tensor<?x3x2xi64>) -> tensor<?x3x5xf32>
// CHECK: %{{.+}} = anvil.gather_nd %[[X]], %[[IB]] {batch_dims = 1 : i64} : (tensor<?x4x5xf32>, tensor<?x3x1xi64>) -> tensor<?x3x5xf32>
// CHECK: %{{.+}} = anvil.scatter_elements %[[X]], %[[IE]], %[[UE]] {axis = 2 : i64} : (tensor<?x4x5xf32>, tensor<?x4x2xi64>, tensor<?x4x2xf32>) -> tensor<?x4x5xf32>
// CHECK: %{{.+}} = anvil.scatter_elements %[[X]], %[[IE]], %[[UE]] {axis = -1 : i64, reduction = "max"} : (tensor<?x4x5xf32>, tensor<?x4x2xi64>, tensor<?x4x2xf32>) -> tensor<?x4x5xf32>
// CHECK: %{{.+}} = anvil.scatter_nd %[[S]], %[[IN]], %[[UN]] {reduction = "add"} : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
// CHECK: %{{.+}} = anvil.scatter_nd %[[S]], %[[IN]], %[[UN]] : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
// CHECK: %{{.+}} = anvil.one_hot %[[OH]], %[[VALS]] {axis = -1 : i64, depth = 10 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x10xf32>
// CHECK: %{{.+}} = anvil.one_hot %[[OH]], %[[VALS]] {axis = 0 : i64, depth = 3 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<3x?xf32>
// CHECK: %{{.+}} = anvil.non_zero %[[X]] : (tensor<?x4x5xf32>) -> tensor<3x?xi64>
func.func @index_ops(%x: tensor<?x4x5xf32>, %i2: tensor<?x3x2xi64>, %ib: tensor<?x3x1xi64>, %ie: tensor<?x4x2xi64>, %ue: tensor<?x4x2xf32>, %s: tensor<8xf32>, %in: tensor<4x1xi64>, %un: tensor<4xf32>, %oh: tensor<?xi64>, %vals: tensor<2xf32>) {
  %0 = anvil.gather_nd %x, %i2 : (tensor<?x4x5xf32>, tensor<?x3x2xi64>) -> tensor<?x3x5xf32>
  %1 = anvil.gather_nd %x, %ib {batch_dims = 1 : i64} : (tensor<?x4x5xf32>, tensor<?x3x1xi64>) -> tensor<?x3x5xf32>
  %2 = anvil.scatter_elements %x, %ie, %ue {axis = 2 : i64} : (tensor<?x4x5xf32>, tensor<?x4x2xi64>, tensor<?x4x2xf32>) -> tensor<?x4x5xf32>
  %3 = anvil.scatter_elements %x, %ie, %ue {axis = -1 : i64, reduction = "max"} : (tensor<?x4x5xf32>, tensor<?x4x2xi64>, tensor<?x4x2xf32>) -> tensor<?x4x5xf32>
  %4 = anvil.scatter_nd %s, %in, %un {reduction = "add"} : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  %5 = anvil.scatter_nd %s, %in, %un : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  %6 = anvil.one_hot %oh, %vals {axis = -1 : i64, depth = 10 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x10xf32>
  %7 = anvil.one_hot %oh, %vals {axis = 0 : i64, depth = 3 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<3x?xf32>
  %8 = anvil.non_zero %x : (tensor<?x4x5xf32>) -> tensor<3x?xi64>
  return
}

// Einsum (explicit output, implicit output, ellipsis), bitcast, LRN and grid_sample.
// CHECK-LABEL: func.func @misc_ops
// CHECK-SAME: (%[[A:[^:]+]]: tensor<?x3x4xf32>, %[[B:[^:]+]]: tensor<?x4x5xf32>, %[[M:[^:]+]]: tensor<3x4xf32>, %[[F:[^:]+]]: tensor<?x8xf32>, %[[IMG:[^:]+]]: tensor<?x3x8x8xf32>, %[[G:[^:]+]]: tensor<?x4x6x2xf32>)
// CHECK: %{{.+}} = anvil.einsum %[[A]], %[[B]] {equation = "bij,bjk->bik"} : (tensor<?x3x4xf32>, tensor<?x4x5xf32>) -> tensor<?x3x5xf32>
// CHECK: %{{.+}} = anvil.einsum %[[M]] {equation = "ij->ji"} : (tensor<3x4xf32>) -> tensor<4x3xf32>
// CHECK: %{{.+}} = anvil.einsum %[[A]] {equation = "...ij->...ji"} : (tensor<?x3x4xf32>) -> tensor<?x4x3xf32>
// CHECK: %{{.+}} = anvil.bitcast %[[F]] : tensor<?x8xf32> to tensor<?x8xi32>
// CHECK: %{{.+}} = anvil.lrn %[[IMG]] {alpha = 2.000000e-04 : f32, beta = 5.000000e-01 : f32, bias = 2.000000e+00 : f32, size = 3 : i64} : tensor<?x3x8x8xf32>
// CHECK: %{{.+}} = anvil.lrn %[[IMG]] {size = 5 : i64} : tensor<?x3x8x8xf32>
// CHECK: %{{.+}} = anvil.grid_sample %[[IMG]], %[[G]] {align_corners = true, mode = "nearest", padding_mode = "border"} : (tensor<?x3x8x8xf32>, tensor<?x4x6x2xf32>) -> tensor<?x3x4x6xf32>
// CHECK: %{{.+}} = anvil.grid_sample %[[IMG]], %[[G]] : (tensor<?x3x8x8xf32>, tensor<?x4x6x2xf32>) -> tensor<?x3x4x6xf32>
func.func @misc_ops(%a: tensor<?x3x4xf32>, %b: tensor<?x4x5xf32>, %m: tensor<3x4xf32>, %f: tensor<?x8xf32>, %img: tensor<?x3x8x8xf32>, %g: tensor<?x4x6x2xf32>) {
  %0 = anvil.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<?x3x4xf32>, tensor<?x4x5xf32>) -> tensor<?x3x5xf32>
  %1 = anvil.einsum %m {equation = "ij->ji"} : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %2 = anvil.einsum %a {equation = "...ij->...ji"} : (tensor<?x3x4xf32>) -> tensor<?x4x3xf32>
  %3 = anvil.bitcast %f : tensor<?x8xf32> to tensor<?x8xi32>
  %4 = anvil.lrn %img {size = 3 : i64, alpha = 2.0e-04 : f32, beta = 5.0e-01 : f32, bias = 2.0 : f32} : tensor<?x3x8x8xf32>
  %5 = anvil.lrn %img {size = 5 : i64} : tensor<?x3x8x8xf32>
  %6 = anvil.grid_sample %img, %g {align_corners = true, mode = "nearest", padding_mode = "border"} : (tensor<?x3x8x8xf32>, tensor<?x4x6x2xf32>) -> tensor<?x3x4x6xf32>
  %7 = anvil.grid_sample %img, %g : (tensor<?x3x8x8xf32>, tensor<?x4x6x2xf32>) -> tensor<?x3x4x6xf32>
  return
}

// Recurrent layers: a forward LSTM with bias and initial states, a bidirectional GRU with
// sequence lengths, and a batch-first (layout 1) RNN.
// CHECK-LABEL: func.func @recurrent
// CHECK-SAME: (%[[X:[^:]+]]: tensor<16x?x8xf32>, %[[W:[^:]+]]: tensor<1x128x8xf32>, %[[R:[^:]+]]: tensor<1x128x32xf32>, %[[B:[^:]+]]: tensor<1x256xf32>, %[[H0:[^:]+]]: tensor<1x?x32xf32>, %[[GW:[^:]+]]: tensor<2x96x8xf32>, %[[GR:[^:]+]]: tensor<2x96x32xf32>, %[[LENS:[^:]+]]: tensor<?xi32>, %[[XB:[^:]+]]: tensor<?x16x8xf32>, %[[RW:[^:]+]]: tensor<1x32x8xf32>, %[[RR:[^:]+]]: tensor<1x32x32xf32>)
// CHECK: %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}} = anvil.recurrent %[[X]], %[[W]], %[[R]] bias %[[B]] init_h %[[H0]] init_c %[[H0]] {activations = ["Sigmoid", "Tanh", "Tanh"], cell = "lstm", hidden_size = 32 : i64} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>, tensor<1x256xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
// CHECK: %{{[^,]+}}, %{{[^,]+}} = anvil.recurrent %[[X]], %[[GW]], %[[GR]] lens %[[LENS]] {activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], cell = "gru", clip = 5.000000e+00 : f32, direction = "bidirectional", hidden_size = 32 : i64, linear_before_reset = true} : (tensor<16x?x8xf32>, tensor<2x96x8xf32>, tensor<2x96x32xf32>, tensor<?xi32>) -> (tensor<16x2x?x32xf32>, tensor<2x?x32xf32>)
// CHECK: %{{[^,]+}}, %{{[^,]+}} = anvil.recurrent %[[XB]], %[[RW]], %[[RR]] {activation_alpha = [1.000000e-01 : f32], activations = ["LeakyRelu"], cell = "rnn", direction = "reverse", hidden_size = 32 : i64, layout = 1 : i64} : (tensor<?x16x8xf32>, tensor<1x32x8xf32>, tensor<1x32x32xf32>) -> (tensor<?x16x1x32xf32>, tensor<?x1x32xf32>)
func.func @recurrent(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>, %b: tensor<1x256xf32>, %h0: tensor<1x?x32xf32>, %gw: tensor<2x96x8xf32>, %gr: tensor<2x96x32xf32>, %lens: tensor<?xi32>, %xb: tensor<?x16x8xf32>, %rw: tensor<1x32x8xf32>, %rr: tensor<1x32x32xf32>) {
  %0:3 = anvil.recurrent %x, %w, %r bias %b init_h %h0 init_c %h0 {cell = "lstm", hidden_size = 32 : i64, activations = ["Sigmoid", "Tanh", "Tanh"]} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>, tensor<1x256xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  %1:2 = anvil.recurrent %x, %gw, %gr lens %lens {cell = "gru", direction = "bidirectional", hidden_size = 32 : i64, activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], linear_before_reset = true, clip = 5.0 : f32} : (tensor<16x?x8xf32>, tensor<2x96x8xf32>, tensor<2x96x32xf32>, tensor<?xi32>) -> (tensor<16x2x?x32xf32>, tensor<2x?x32xf32>)
  %2:2 = anvil.recurrent %xb, %rw, %rr {cell = "rnn", direction = "reverse", hidden_size = 32 : i64, layout = 1 : i64, activations = ["LeakyRelu"], activation_alpha = [1.0e-01 : f32]} : (tensor<?x16x8xf32>, tensor<1x32x8xf32>, tensor<1x32x32xf32>) -> (tensor<?x16x1x32xf32>, tensor<?x1x32xf32>)
  return
}

// Detection and selection ops round-trip.
// CHECK-LABEL: func.func @detection_ops
// CHECK: anvil.non_max_suppression %{{.+}} {center_point_box = true}
// CHECK: anvil.roi_align
// CHECK: anvil.compress
// CHECK: anvil.eye_like
// CHECK: anvil.reverse_sequence
func.func @detection_ops(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %m: tensor<1xi64>,
                         %t: tensor<f32>, %x: tensor<1x8x10x10xf32>, %rois: tensor<?x4xf32>,
                         %idx: tensor<?xi64>, %c: tensor<?xi1>, %len: tensor<8xi64>) {
  %0 = anvil.non_max_suppression %boxes, %scores, %m, %t, %t {center_point_box = true} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  %1 = anvil.roi_align %x, %rois, %idx {output_height = 2 : i64, output_width = 2 : i64} : (tensor<1x8x10x10xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x8x2x2xf32>
  %2 = anvil.compress %rois, %c {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?xi1>) -> tensor<?x4xf32>
  %3 = anvil.eye_like %rois {k = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xi1>
  %4 = anvil.reverse_sequence %x, %len {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<1x8x10x10xf32>, tensor<8xi64>) -> tensor<1x8x10x10xf32>
  return
}

// Unique and RotaryEmbedding round-trip.
// CHECK-LABEL: func.func @unique_rotary
// CHECK: anvil.unique %{{.+}} {axis = 1 : i64, sorted = false}
// CHECK: anvil.rotary_embedding %{{.+}} positions %{{.+}} {num_heads = 4 : i64, rotary_embedding_dim = 8 : i64}
func.func @unique_rotary(%x: tensor<2x6xf32>, %q: tensor<1x8x64xf32>, %c: tensor<32x4xf32>, %p: tensor<1x8xi64>) {
  %0:4 = anvil.unique %x {axis = 1 : i64, sorted = false} : (tensor<2x6xf32>) -> (tensor<2x?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  %1 = anvil.rotary_embedding %q, %c, %c positions %p {num_heads = 4 : i64, rotary_embedding_dim = 8 : i64} : (tensor<1x8x64xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<1x8xi64>) -> tensor<1x8x64xf32>
  return
}

// The dense_resource blob of @constants survives the round trip (4-byte alignment header).
// CHECK: dialect_resources
// CHECK: weight: "0x040000000000803F000000400000404000008040"

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
