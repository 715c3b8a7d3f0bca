package main

import (
	"slices"

	"github.com/BurntSushi/toml"
)

// imageData are the [data] types of image recipes: their configs train for
// minutes, so gen runs them only when -images is given or -only names
// them, and their figure is samples.png (no density.png beyond 2-D).
var imageData = []string{"mnist", "fashion_mnist", "images"}

// isImage reports whether the config at path trains on images.
func isImage(path string) (bool, error) {
	var m struct {
		Data struct {
			Type string `toml:"type"`
		} `toml:"data"`
	}
	if _, err := toml.DecodeFile(path, &m); err != nil {
		return false, err
	}
	return slices.Contains(imageData, m.Data.Type), nil
}
