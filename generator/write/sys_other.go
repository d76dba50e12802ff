//go:build !linux

package write

import "os"

// exchange is not available: Dir falls back to two renames (see the
// package comment). macOS could use renamex_np(RENAME_SWAP).
func exchange(a, b string) error { return errExchangeUnsupported }

// lockDir does nothing here: two runs writing next to each other at the
// same time may remove each other's temporary directories, and one of them
// then fails.
func lockDir(d string) (unlock func(), err error) { return func() {}, nil }

// syncDir makes the entries of directory d durable where the system can
// sync a directory, and does nothing where it cannot (Windows).
func syncDir(d string) error {
	f, err := os.Open(d)
	if err != nil {
		return nil
	}
	f.Sync()
	return f.Close()
}
