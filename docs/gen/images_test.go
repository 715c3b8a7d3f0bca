package main

import "testing"

// TestIsImage checks that the shipped image recipes are recognised (so that
// a plain `go run ./docs/gen` skips them) and a 2-D training config and a
// sampling config are not. A failure means gen would run the long image
// trainings by default, or skip a short config.
func TestIsImage(t *testing.T) {
	for f, want := range map[string]bool{
		"train_pcd_mnist.toml": true, "train_msdsm_mnist.toml": true, "train_msdsm_fashion.toml": true, "train_pcd_fashion.toml": true,
		"train_dsm_moons.toml": false, "pt_gmm.toml": false,
	} {
		got, err := isImage("../../configs/" + f)
		if err != nil || got != want {
			t.Errorf("isImage(%s) = %v, %v; want %v", f, got, err, want)
		}
	}
}
