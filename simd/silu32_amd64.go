//go:build amd64 && !purego

package simd

//go:noescape
func siluPre32AVX512(z, d, bias *float32, n int)

//go:noescape
func siluPost32AVX512(z, d, scale *float32, n, mode int)

//go:noescape
func siluPre32AVX2(z, d, bias *float32, n int)

//go:noescape
func siluPost32AVX2(z, d, scale *float32, n, mode int)

//go:noescape
func siluRows32AVX512(z, d, bias, scale *float32, rows, w, ld, mode int)

//go:noescape
func siluRows32AVX2(z, d, bias, scale *float32, rows, w, ld, mode int)

// siluRows32 runs SiLU32's fused kernel on the first n columns of every
// row (n = the row width rounded down to the implementation's lanes) and
// returns n; 0 for the generic implementation.
func siluRows32(z, d, bias, scale []float32, deriv bool) int {
	lanes, w := siluLanes(), len(bias)
	if lanes == 0 || w < lanes || len(z) == 0 {
		return 0
	}
	n := w / lanes * lanes
	mode, sp := siluMode(scale, deriv)
	rows := len(z) / w
	_ = d[len(z)-1]
	if lanes == 16 {
		siluRows32AVX512(&z[0], &d[0], &bias[0], sp, rows, n, w, mode)
	} else {
		siluRows32AVX2(&z[0], &d[0], &bias[0], sp, rows, n, w, mode)
	}
	return n
}

// siluMode is the kernels' mode argument (0: value only, 1: with the
// derivative, 2: the derivative times scale) and their scale pointer.
func siluMode(scale []float32, deriv bool) (int, *float32) {
	switch {
	case !deriv:
		return 0, nil
	case scale == nil:
		return 1, nil
	default:
		return 2, &scale[0]
	}
}

// siluLanes returns the float32 lanes of the chosen implementation's
// activation kernels (kernels32.lanes; 0: generic).
func siluLanes() int { return k32().lanes }

func siluPre32(z, d, bias []float32) {
	lanes := siluLanes()
	n := 0
	if lanes > 0 {
		n = len(bias) / lanes * lanes
	}
	if n > 0 {
		z, d := z[:len(bias)], d[:len(bias)]
		if lanes == 16 {
			siluPre32AVX512(&z[0], &d[0], &bias[0], n)
		} else {
			siluPre32AVX2(&z[0], &d[0], &bias[0], n)
		}
	}
	siluPre32Generic(z[n:], d[n:], bias[n:])
}

func siluPost32(z, d, scale []float32, deriv bool) {
	lanes := siluLanes()
	n := 0
	if lanes > 0 {
		n = len(z) / lanes * lanes
	}
	if n > 0 {
		d := d[:len(z)]
		mode, sp := siluMode(scale[:min(len(scale), len(z))], deriv)
		if lanes == 16 {
			siluPost32AVX512(&z[0], &d[0], sp, n, mode)
		} else {
			siluPost32AVX2(&z[0], &d[0], sp, n, mode)
		}
	}
	var sc []float32
	if scale != nil {
		sc = scale[n:]
	}
	siluPost32Generic(z[n:], d[n:], sc, deriv)
}
