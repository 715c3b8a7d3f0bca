package simd

// GatherStrided32 writes the ho×wo values src[oh·s·ld + ow·s] (oh < ho,
// ow < wo) into dst row after row: the row of an image's patch matrix
// (im2col) for one kernel offset, read from its (padded) plane of width
// ld with stride s. With strides 1 and 2 the avx512 and avx2 tables move
// 16 or 8 values at a time. It panics unless dst holds ho·wo values and
// src reaches the last one.
func GatherStrided32(dst, src []float32, ld, ho, wo, s int) {
	checkStrided(dst, src, ld, ho, wo, s)
	if ho == 0 || wo == 0 {
		return
	}
	if t := k32(); t.gather != nil && s <= 2 {
		t.gather(dst, src, ld, ho, wo, s)
		return
	}
	gatherStrided32(dst, src, ld, ho, wo, s)
}

// ScatterAddStrided32 adds src (ho×wo values, row after row) at the
// places GatherStrided32 reads them from: dst[oh·s·ld + ow·s] +=
// src[oh·wo + ow], the adjoint of the gather (col2im for one kernel
// offset). Within a row each value of dst gets at most one addition, and
// rows are added one after the other (where they overlap, a value gets
// its additions in row order), so the bits are the loop's whatever the
// vector width. It panics as GatherStrided32 does.
func ScatterAddStrided32(dst, src []float32, ld, ho, wo, s int) {
	checkStrided(src, dst, ld, ho, wo, s)
	if ho == 0 || wo == 0 {
		return
	}
	if t := k32(); t.scatterAdd != nil && s <= 2 {
		t.scatterAdd(dst, src, ld, ho, wo, s)
		return
	}
	scatterAddStrided32(dst, src, ld, ho, wo, s)
}

// checkStrided panics unless dense holds ho·wo values, the strides are
// positive and plane reaches the last strided value.
func checkStrided(dense, plane []float32, ld, ho, wo, s int) {
	if ho < 0 || wo < 0 || s < 1 || ld < 1 || len(dense) != ho*wo {
		mismatch()
	}
	if ho == 0 || wo == 0 {
		return
	}
	if len(plane) <= (ho-1)*s*ld+(wo-1)*s {
		mismatch()
	}
}

func gatherStrided32(dst, src []float32, ld, ho, wo, s int) {
	for oh := range ho {
		row, d := src[oh*s*ld:], dst[oh*wo:(oh+1)*wo]
		for ow := range d {
			d[ow] = row[ow*s]
		}
	}
}

func scatterAddStrided32(dst, src []float32, ld, ho, wo, s int) {
	for oh := range ho {
		row, v := dst[oh*s*ld:], src[oh*wo:(oh+1)*wo]
		for ow, x := range v {
			row[ow*s] += x
		}
	}
}

// GatherRuns32 copies runs of n values: dst[j·n + i] = src[off[j] + i]
// for j < len(off), i < n (im2row: the kernel rows of the output pixels,
// read from zero-padded images with the channels last). It panics unless
// dst holds len(off)·n values and every run lies within src.
func GatherRuns32(dst, src []float32, off []int32, n int) {
	checkRuns(dst, src, off, n)
	if len(off) == 0 || n == 0 {
		return
	}
	if t := k32(); t.gatherRuns != nil {
		t.gatherRuns(dst, src, off, n)
		return
	}
	for j, o := range off {
		copy(dst[j*n:(j+1)*n], src[o:int(o)+n])
	}
}

// ScatterAddRuns32 adds runs of n values at the places GatherRuns32 reads
// them from: dst[off[j] + i] += src[j·n + i], run after run in the order
// of j (runs may overlap; a value gets its additions in that order), the
// adjoint of the gather (row2im). It panics as GatherRuns32 does, with
// the roles of dst and src exchanged.
func ScatterAddRuns32(dst, src []float32, off []int32, n int) {
	checkRuns(src, dst, off, n)
	if len(off) == 0 || n == 0 {
		return
	}
	t := k32()
	if t.scatterAddRuns != nil {
		t.scatterAddRuns(dst, src, off, n)
		return
	}
	for j, o := range off { // d + 1·v: the sum, rounded once, on the table's vectors
		t.axpy(dst[o:int(o)+n], 1, src[j*n:(j+1)*n])
	}
}

// checkRuns panics unless dense holds len(off)·n values, n ≥ 0 and every
// run [off[j], off[j] + n) lies within plane.
func checkRuns(dense, plane []float32, off []int32, n int) {
	if n < 0 || len(dense) != len(off)*n {
		mismatch()
	}
	for _, o := range off {
		if o < 0 || int(o)+n > len(plane) {
			mismatch()
		}
	}
}
