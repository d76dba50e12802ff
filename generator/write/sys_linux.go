package write

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps the directories a and b (same parent) in one step.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	// Kernels before 3.15 lack renameat2 (ENOSYS); some file systems lack
	// the flag (EINVAL, EOPNOTSUPP).
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
		return errExchangeUnsupported
	}
	return err
}

// lockDir takes an exclusive lock on directory d for the life of the run
// (the kernel releases it when the process dies, however it dies), so
// that two runs writing next to each other never take each other's
// temporary directories for leftovers.
func lockDir(d string) (unlock func(), err error) {
	f, err := os.Open(d)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// syncDir makes the entries of directory d durable.
func syncDir(d string) error {
	f, err := os.Open(d)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
