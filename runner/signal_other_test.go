//go:build !unix

package runner

import "testing"

func TestSIGTERM(t *testing.T) {
	t.Skip("SIGTERM cannot be sent to a process on this OS (os.Process.Signal supports only Kill here)")
}
