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
