package datasets

// ResetLookups forgets the directories found automatically, so that a test
// sees the lookup run again.
func ResetLookups() { lookups.Clear() }

// SetFashionDirs replaces the directories tried when dpkg does not say
// where Fashion-MNIST is, and returns a function restoring them.
func SetFashionDirs(dirs ...string) (restore func()) {
	old := fashionDirs
	fashionDirs = dirs
	return func() { fashionDirs = old }
}
