// Package autodiff is reverse-mode automatic differentiation over batched
// float64 or float32 matrices, to any order. It is the base of the
// learnable energies and of the training objectives that need gradients of
// gradients (exact, denoising and sliced score matching).
//
// # Element types
//
// GraphOf[T] is generic over its element type T (Float: float64, float32,
// or a type defined on one of them). Graph is GraphOf[float64] (New) and
// Graph32 is GraphOf[float32] (New32); NewOf[T] makes either. Both have
// the same operations, with the same names and meanings, and the same
// derivatives of every order; leaves, values and Flatten use []T, while
// scalar arguments (Scale, AddConst) are float64 for both, rounded to T
// where they apply. A Graph32 computes everything in single precision:
// matrix products with simd's float32 kernels (MatMul32, Dot32, Axpy32…),
// exponentials with Exp32, and the activations' derivatives with the same
// generic code as Graph, in float32 (the few functions with no float32
// kernel, math.Log, Tanh, Expm1 and Log1p, are evaluated in float64 and
// rounded). It halves memory traffic and doubles SIMD width, at about 7
// significant digits: enough for training steps and gradients, not for
// finite-difference checks with small steps. Graph's float64 results are
// bit-identical to those of the float64-only package it generalizes.
//
// # The model: an eager tape of matrices
//
// A Graph records operations as they are called. Every value is a row-major
// rows×cols matrix (a batch of points is one row per point), and every
// operation computes its value at once, when it is called: there is no
// separate "run" step, and Value reads the result immediately. A Node is a
// handle to a recorded value: a small integer index into its Graph, valid
// until the Graph's next Reset. The zero Node means "none".
//
// Leaves come from Input (a matrix one may differentiate with respect to,
// such as the points x or a layer's weights) and Const (never
// differentiated). Both alias the caller's slice instead of copying it, so
// the parameters of a model can live in one caller-owned flat vector.
//
// # Gradients of any order
//
// Grad walks the tape backwards from some outputs to some inputs, visiting
// only the nodes on a path between them. Each operation's backward rule is
// written with the same differentiable operations as the forward pass, so
// with createGraph the backward pass is itself recorded on the tape and its
// results can be differentiated again: Hessian-vector products, Hessian
// traces, and derivatives of those with respect to parameters are Grad of
// Grad. Without createGraph the results are plain constants (cheaper). The
// element-wise activations carry exact derivatives of every order: the k-th
// derivative of an activation is the same operation with order k.
//
// # Buffers and Reset
//
// Each node owns a buffer. Reset forgets every node but keeps the buffers,
// so that replaying the same sequence of operations after a Reset (one
// training step after another) reuses them and allocates nothing.
//
// # Errors and concurrency
//
// Shape mismatches and invalid nodes are programming errors: they panic
// with a message starting "autodiff: ". A Graph is not safe for concurrent
// use; use one Graph per goroutine. By default a Graph does all its work on
// the calling goroutine; after SetWorkers(n) large matrix products (by
// blocks of rows) and large activation passes (by ranges of elements) are
// split over up to n goroutines. Every row and element is computed the
// same way whatever the split, so results do not depend on the number of
// workers.
package autodiff
