package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWriterKeepsStatementsPrepared: the writer prepares what it ran once
// the batch has committed and runs it prepared afterwards, with the same
// results, including the rollback of a failed write; a statement that
// does not compile is remembered as such and keeps failing alone.
func TestWriterKeepsStatementsPrepared(t *testing.T) {
	ctx := context.Background()
	s, _ := openSQLite(t, Options{})
	seed(t, s)
	boom := errors.New("boom")
	bad := func(tx Tx) (Saved, error) {
		_, err := tx.(*txn).q.exec(ctx, "INSERT INTO no_such_table VALUES (1)")
		return Saved{}, err
	}
	for round := range 3 {
		for _, fail := range []bool{false, true} {
			_, _, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: strconv.Itoa(round) + map[bool]string{false: "ok", true: "x"}[fail], RequestHash: "h"},
				func(tx Tx) (Saved, error) {
					if _, err := tx.CreateRecord(acctA, users, []byte(`{"fields":{}}`), time.Now()); err != nil {
						return Saved{}, err
					}
					if fail {
						return Saved{}, boom
					}
					return Saved{Status: 201, Body: []byte("{}")}, nil
				})
			if fail != errors.Is(err, boom) || !fail && err != nil {
				t.Fatalf("round %d, fail=%v: %v", round, fail, err)
			}
		}
		if _, _, err := s.Write(ctx, nil, bad); err == nil {
			t.Fatalf("round %d: a statement on a missing table succeeded", round)
		}
		if n := count(t, s, acctA, users); n != round+1 {
			t.Fatalf("round %d: %d records, want %d (failed writes undone)", round, n, round+1)
		}
	}
	// Each call to Write is answered after its batch, and the statements it
	// ran are prepared after that; one more write makes sure the last
	// batch's were.
	if _, _, err := s.Write(ctx, nil, func(Tx) (Saved, error) { return Saved{}, nil }); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"INSERT INTO records ", "INSERT INTO idempotency ", "SELECT request_hash"} {
		found := false
		for q, st := range s.stmts.prepared {
			found = found || strings.HasPrefix(strings.TrimSpace(q), prefix) && st != nil
		}
		if !found {
			t.Errorf("no statement %q... is prepared", prefix)
		}
	}
	if st, ok := s.stmts.prepared["INSERT INTO no_such_table VALUES (1)"]; !ok || st != nil {
		t.Errorf("a statement that does not compile: prepared=%v known=%v, want known and unprepared", st, ok)
	}
	if n := len(s.stmts.prepared); n < 5 || n > 20 {
		t.Errorf("%d statements prepared, want the handful a create runs", n)
	}
}
