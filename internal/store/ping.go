package store

import "context"

// Ping checks that both the reader pool and the writer connection answer,
// for the health endpoint.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.reader.PingContext(ctx); err != nil {
		return err
	}
	return s.writer.PingContext(ctx)
}

// noteWrite remembers whether the last commit failed: a full disk fails
// every write while reads go on, and health must say so.
func (s *Store) noteWrite(err error) {
	if err != nil {
		s.lastWriteErr.Store(&err)
	} else if s.lastWriteErr.Load() != nil {
		s.lastWriteErr.Store(nil)
	}
}

// NoteFailure records a write that failed for a reason of the storage's
// own (a full disk, an I/O error), as the caller judged it: health reports
// it until a write succeeds again.
func (s *Store) NoteFailure(err error) { s.noteWrite(err) }

// WriteHealth returns the error of the last commit if it failed, nil
// once one succeeds again.
func (s *Store) WriteHealth() error {
	if p := s.lastWriteErr.Load(); p != nil {
		return *p
	}
	return nil
}
