package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// deleteRec deletes a record through Write and returns what DeleteRecord
// returned.
func deleteRec(s Store, account, resource, id string, cond Precondition) (Record, error) {
	var r Record
	err := write(s, func(tx Tx) error {
		var err error
		r, err = tx.DeleteRecord(account, resource, id, cond)
		return err
	})
	return r, err
}

// updateRec updates a record through Write.
func updateRec(s Store, account, resource, id string, now time.Time, cond Precondition, merge func(Record) ([]byte, error)) (Record, error) {
	var r Record
	err := write(s, func(tx Tx) error {
		var err error
		r, err = tx.UpdateRecord(account, resource, id, now, cond, merge)
		return err
	})
	return r, err
}

// listAll pages through the account's resource with limit and returns
// the records in the order returned and the number of pages read.
func listAll(t *testing.T, s Store, account, resource string, limit int) ([]Record, int) {
	t.Helper()
	var all []Record
	cursor := ""
	for pages := 1; ; pages++ {
		recs, next, err := s.List(context.Background(), account, resource, cursor, limit)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(recs) > limit {
			t.Fatalf("page %d has %d records, limit %d", pages, len(recs), limit)
		}
		all = append(all, recs...)
		if next == "" {
			return all, pages
		}
		if len(recs) != limit {
			t.Fatalf("page %d has %d records, limit %d, and a next cursor", pages, len(recs), limit)
		}
		if pages > 10000 {
			t.Fatal("paging does not end")
		}
		cursor = next
	}
}

func ids(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func TestRecordIDsFollowCreation(t *testing.T) { storetest.Run(t, testRecordIDsFollowCreation) }

// Record ids are UUIDv7 and grow with each create, so inserting one adds
// to the last page of the (account, resource, id) index instead of a random
// one; with random ids every create of a batch dirtied a page of its own.
func testRecordIDsFollowCreation(t *testing.T, e storetest.Engine) {
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	var prev string
	for i := range 50 {
		// Many creates in one millisecond, and the clock passed in held
		// still: the order comes from the id's own clock and counter.
		r := create(t, s, acctA, users, fmt.Sprintf(`{"name":"n%d"}`, i), t0)
		u, err := uuid.Parse(r.ID)
		if err != nil || u.String() != r.ID {
			t.Fatalf("create %d: id %q is not a canonical UUID (%v)", i, r.ID, err)
		}
		if u.Version() != 7 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("create %d: id %s is version %d, variant %v; want a UUIDv7", i, r.ID, u.Version(), u.Variant())
		}
		if r.ID <= prev {
			t.Fatalf("create %d: id %s does not sort after the previous one, %s", i, r.ID, prev)
		}
		prev = r.ID
	}
}

func TestDeleteRecord(t *testing.T) { storetest.Run(t, testDeleteRecord) }

func testDeleteRecord(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	r := create(t, s, acctA, users, `{"name":"Ada"}`, t0)
	keepDoc := func(old Record) ([]byte, error) { return []byte(`{"name":"Ada","v":2}`), nil }
	r, err := updateRec(s, acctA, users, r.ID, t0.Add(time.Second), nil, keepDoc)
	if err != nil {
		t.Fatal(err)
	}
	other := create(t, s, acctA, users, `{"name":"Bob"}`, t0)

	// Delete returns the record as it was, and any UUID spelling names it.
	gone, err := deleteRec(s, acctA, users, strings.ToUpper(r.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !equalRecord(gone, r) {
		t.Fatalf("delete returned %+v, want %+v", gone, r)
	}
	if _, err := s.Record(ctx, acctA, users, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v, want ErrNotFound", err)
	}
	if _, err := deleteRec(s, acctA, users, r.ID, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := updateRec(s, acctA, users, r.ID, t0, nil, keepDoc); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update after delete: %v, want ErrNotFound", err)
	}
	if _, err := deleteRec(s, acctA, users, "not-a-uuid", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of a malformed id: %v, want ErrNotFound", err)
	}
	// The other record is untouched.
	if got, err := s.Record(ctx, acctA, users, other.ID); err != nil || !equalRecord(got, other) {
		t.Fatalf("other record after delete: %+v, %v", got, err)
	}
	if n := count(t, s, acctA, users); n != 1 {
		t.Fatalf("Count = %d after delete, want 1", n)
	}
	if recs, next, err := s.List(ctx, acctA, users, "", 10); err != nil || next != "" || !slices.Equal(ids(recs), []string{other.ID}) {
		t.Fatalf("List after delete: %v %q %v", ids(recs), next, err)
	}

	// A delete in a write that fails afterwards is undone.
	boom := errors.New("boom")
	if err := write(s, func(tx Tx) error {
		if _, err := tx.DeleteRecord(acctA, users, other.ID, nil); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing write: %v", err)
	}
	if got, err := s.Record(ctx, acctA, users, other.ID); err != nil || !equalRecord(got, other) {
		t.Fatalf("record after an undone delete: %+v, %v", got, err)
	}
	// Within one transaction the delete is seen at once.
	if err := write(s, func(tx Tx) error {
		if _, err := tx.DeleteRecord(acctA, users, other.ID, nil); err != nil {
			return err
		}
		if _, err := tx.UpdateRecord(acctA, users, other.ID, t0, nil, keepDoc); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("update of a record deleted in the same transaction: %v", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, acctA, users); n != 0 {
		t.Fatalf("Count = %d, want 0", n)
	}
}

func TestPreconditions(t *testing.T) { storetest.Run(t, testPreconditions) }

func testPreconditions(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	r := create(t, s, acctA, users, `{"n":1}`, t0)

	var asked []int64
	only := func(v int64) Precondition {
		return func(cur int64) bool { asked = append(asked, cur); return cur == v }
	}
	merged := false
	merge := func(old Record) ([]byte, error) { merged = true; return []byte(`{"n":2}`), nil }

	// A refused update calls no merge and writes nothing.
	if _, err := updateRec(s, acctA, users, r.ID, t0.Add(time.Hour), only(2), merge); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("update at the wrong version: %v, want ErrPrecondition", err)
	}
	if merged {
		t.Fatal("merge ran although the precondition failed")
	}
	if !slices.Equal(asked, []int64{1}) {
		t.Fatalf("the precondition was asked about versions %v, want [1]", asked)
	}
	if got, err := s.Record(ctx, acctA, users, r.ID); err != nil || !equalRecord(got, r) {
		t.Fatalf("after a refused update: %+v, %v; want %+v", got, err, r)
	}
	// An accepted one goes ahead.
	up, err := updateRec(s, acctA, users, r.ID, t0.Add(time.Hour), only(1), merge)
	if err != nil || !merged || up.Version != 2 || string(up.Doc) != `{"n":2}` {
		t.Fatalf("update at the right version: %+v, %v (merged %v)", up, err, merged)
	}
	// The version it named is gone now.
	merged = false
	if _, err := updateRec(s, acctA, users, r.ID, t0, only(1), merge); !errors.Is(err, ErrPrecondition) || merged {
		t.Fatalf("update at a stale version: %v (merged %v)", err, merged)
	}

	// A refused delete deletes nothing.
	if _, err := deleteRec(s, acctA, users, r.ID, only(1)); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("delete at the wrong version: %v, want ErrPrecondition", err)
	}
	if got, err := s.Record(ctx, acctA, users, r.ID); err != nil || !equalRecord(got, up) {
		t.Fatalf("after a refused delete: %+v, %v; want %+v", got, err, up)
	}

	// A missing record is not found, whatever the precondition: it is not
	// even asked.
	asked = nil
	if _, err := updateRec(s, acctA, users, "00000000-0000-4000-8000-0000000000ff", t0, only(1), merge); !errors.Is(err, ErrNotFound) {
		t.Fatalf("conditional update of a missing record: %v", err)
	}
	if _, err := deleteRec(s, acctA, users, "00000000-0000-4000-8000-0000000000ff", only(1)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("conditional delete of a missing record: %v", err)
	}
	if len(asked) != 0 {
		t.Fatalf("precondition asked about a missing record: %v", asked)
	}

	// A refused precondition fails the whole write: a record created
	// before it is undone, and an idempotency key is not kept, so a retry
	// runs again.
	key := &IdemKey{TenantID: "t1", Key: "cond", RequestHash: "h"}
	calls := 0
	fn := func(v int64) func(tx Tx) (Saved, error) {
		return func(tx Tx) (Saved, error) {
			calls++
			if _, err := tx.CreateRecord(acctA, users, []byte(`{"side":"effect"}`), t0); err != nil {
				return Saved{}, err
			}
			u, err := tx.UpdateRecord(acctA, users, r.ID, t0, only(v), merge)
			if err != nil {
				return Saved{}, err
			}
			return Saved{Status: 200, ETag: fmt.Sprintf(`W/"%d"`, u.Version)}, nil
		}
	}
	if _, _, err := s.Write(ctx, key, fn(1)); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("keyed write with a stale precondition: %v", err)
	}
	if n := count(t, s, acctA, users); n != 1 {
		t.Fatalf("a refused write kept its create: %d records", n)
	}
	sv, replayed, err := s.Write(ctx, key, fn(2))
	if err != nil || replayed || calls != 2 || sv.ETag != `W/"3"` {
		t.Fatalf("retry with the right version: %+v replayed=%v err=%v calls=%d", sv, replayed, err, calls)
	}

	// Deleting at the right version works and returns that version.
	gone, err := deleteRec(s, acctA, users, r.ID, only(3))
	if err != nil || gone.Version != 3 {
		t.Fatalf("delete at the right version: %+v, %v", gone, err)
	}
	if _, err := s.Record(ctx, acctA, users, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// TestRecordIsolation: records are kept per account and per resource; no
// read or write through one (account, resource) reaches another's.
func TestRecordIsolation(t *testing.T) { storetest.Run(t, testRecordIsolation) }

func testRecordIsolation(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	// A second account of the same tenant as acctA.
	const acctC = "00000000-0000-4000-8000-00000000000c"
	if err := s.PutAccount(ctx, Account{ID: acctC, TenantID: "t1", Integration: "hive", Name: "C"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	type where struct{ account, resource string }
	places := []where{
		{acctA, users}, {acctA, "ticketing/user"}, {acctA, "ticketing/users/create"}, {acctA, "crm/users"},
		{acctB, users}, {acctC, users},
	}
	made := map[where][]Record{}
	// Interleave the creates so that no place's records are contiguous.
	for i := range 3 + len(places) {
		for j, p := range places {
			if i >= 3+j%3 {
				continue // different counts per place
			}
			made[p] = append(made[p], create(t, s, p.account, p.resource,
				fmt.Sprintf(`{"account":%q,"resource":%q,"i":%d}`, p.account, p.resource, i), t0))
		}
	}
	check := func(when string) {
		t.Helper()
		for _, p := range places {
			want := made[p]
			if n := count(t, s, p.account, p.resource); n != len(want) {
				t.Errorf("%s: Count(%v) = %d, want %d", when, p, n, len(want))
			}
			got, _ := listAll(t, s, p.account, p.resource, 2)
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("%s: List(%v) = %v, want %v", when, p, ids(got), ids(want))
			}
			for _, r := range want {
				for _, q := range places {
					got, err := s.Record(ctx, q.account, q.resource, r.ID)
					switch {
					case q == p && (err != nil || !equalRecord(got, r)):
						t.Errorf("%s: Record(%v, %s) = %+v, %v; want %+v", when, q, r.ID, got, err, r)
					case q != p && !errors.Is(err, ErrNotFound):
						t.Errorf("%s: record of %v seen through %v: %+v, %v", when, p, q, got, err)
					}
				}
			}
		}
	}
	check("after create")

	// Updates and deletes through any other place are not found and
	// change nothing.
	victim := made[places[0]][0]
	for _, q := range places[1:] {
		if _, err := updateRec(s, q.account, q.resource, victim.ID, t0, nil, func(Record) ([]byte, error) {
			return []byte(`{"hijacked":true}`), nil
		}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update through %v: %v", q, err)
		}
		if _, err := deleteRec(s, q.account, q.resource, victim.ID, nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete through %v: %v", q, err)
		}
	}
	check("after foreign writes")

	// Emptying one place leaves the others as they were.
	for _, r := range made[places[0]] {
		if _, err := deleteRec(s, acctA, users, r.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	made[places[0]] = nil
	check("after emptying one place")

	// Creating in an account that does not exist fails.
	if err := write(s, func(tx Tx) error {
		_, err := tx.CreateRecord("00000000-0000-4000-8000-0000000000ff", users, []byte(`{}`), t0)
		return err
	}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("create in an unknown account: %v", err)
	}
}

// TestListPages: pages of any limit return every record exactly once, in
// creation order, and only the last page has no next cursor.
func TestListPages(t *testing.T) { storetest.Run(t, testListPages) }

func testListPages(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	if recs, next, err := s.List(ctx, acctA, users, "", 10); err != nil || len(recs) != 0 || next != "" {
		t.Fatalf("empty list: %v %q %v", recs, next, err)
	}
	const n = 23
	var want []Record
	for i := range n {
		// Records of other resources and accounts in between, so the
		// positions the cursors name have gaps.
		if i%4 == 0 {
			create(t, s, acctA, "ticketing/tickets", `{}`, t0)
			create(t, s, acctB, users, `{}`, t0)
		}
		// Creation times go backwards: the order is creation order, not
		// the timestamps callers pass.
		want = append(want, create(t, s, acctA, users, fmt.Sprintf(`{"i":%d}`, i), t0.Add(-time.Duration(i)*time.Second)))
	}
	for _, limit := range []int{1, 2, 3, 5, 7, 22, 23, 24, 100} {
		got, pages := listAll(t, s, acctA, users, limit)
		if !slices.Equal(ids(got), ids(want)) {
			t.Errorf("limit %d: got %v, want %v", limit, ids(got), ids(want))
			continue
		}
		for i := range got {
			if !equalRecord(got[i], want[i]) {
				t.Errorf("limit %d: record %d is %+v, want %+v", limit, i, got[i], want[i])
			}
		}
		if wantPages := (n + limit - 1) / limit; pages != wantPages {
			t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
		}
	}
	// Reading a page again from the same cursor gives the same page.
	first, next, err := s.List(ctx, acctA, users, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	a, nextA, errA := s.List(ctx, acctA, users, next, 5)
	b, nextB, errB := s.List(ctx, acctA, users, next, 5)
	if errA != nil || errB != nil || nextA != nextB || !slices.Equal(ids(a), ids(b)) || !slices.Equal(ids(a), ids(want[5:10])) {
		t.Fatalf("re-reading page 2: %v %v; %v %v", ids(a), errA, ids(b), errB)
	}
	if !slices.Equal(ids(first), ids(want[:5])) {
		t.Fatalf("page 1: %v", ids(first))
	}
	// A cursor that is past every record gives an empty last page.
	if recs, next, err := s.List(ctx, acctA, users, encodeCursor(1<<40), 5); err != nil || len(recs) != 0 || next != "" {
		t.Fatalf("cursor past the end: %v %q %v", ids(recs), next, err)
	}
}

// TestListCursorSurvivesWritesBetweenPages interleaves creates and deletes
// with the page reads in a fixed order and checks exactly what comes back.
func TestListFilters(t *testing.T) { storetest.Run(t, testListFilters) }

// Filters keep the records whose field equals a value (strings, numbers
// by value, booleans), or one of several; they combine with AND and with
// paging; a field a record lacks, or holds as another type, does not match.
func testListFilters(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	docs := []string{
		`{"fields":{"status":"active","age":30,"vip":true}}`,
		`{"fields":{"status":"inactive","age":30.0,"vip":false}}`,
		`{"fields":{"status":"active","age":41}}`,
		`{"fields":{"status":"active","age":"30","vip":true}}`,
		`{"fields":{"age":30}}`,
		`{"fields":{"status":"active","age":30,"vip":true},"remote_data":{"status":"inactive"}}`,
	}
	var r []Record
	for _, d := range docs {
		r = append(r, create(t, s, acctA, users, d, t0))
	}
	create(t, s, acctB, users, docs[0], t0) // another account's
	f := func(field string, values ...string) Filter {
		raw := make([]json.RawMessage, len(values))
		for i, v := range values {
			raw[i] = json.RawMessage(v)
		}
		return Filter{Field: field, Values: raw}
	}
	for _, tt := range []struct {
		name    string
		filters []Filter
		want    []Record
	}{
		{"a string", []Filter{f("status", `"active"`)}, []Record{r[0], r[2], r[3], r[5]}},
		{"a number, by value", []Filter{f("age", `30`)}, []Record{r[0], r[1], r[4], r[5]}},
		{"a number written otherwise", []Filter{f("age", `3e1`)}, []Record{r[0], r[1], r[4], r[5]}},
		{"a boolean", []Filter{f("vip", `false`)}, []Record{r[1]}},
		{"one of several", []Filter{f("status", `"inactive"`, `"gone"`)}, []Record{r[1]}},
		{"two fields", []Filter{f("status", `"active"`), f("vip", `true`)}, []Record{r[0], r[3], r[5]}},
		{"none match", []Filter{f("status", `"gone"`)}, nil},
		{"a field no record has", []Filter{f("nickname", `"x"`)}, nil},
	} {
		got, next, err := s.List(ctx, acctA, users, "", 10, tt.filters...)
		if err != nil || next != "" || !slices.Equal(ids(got), ids(tt.want)) {
			t.Errorf("%s: %v %q %v, want %v", tt.name, ids(got), next, err, ids(tt.want))
		}
	}
	// Paging goes on from the last record kept.
	active := []Filter{f("status", `"active"`)}
	page1, next, err := s.List(ctx, acctA, users, "", 2, active...)
	if err != nil || next == "" || !slices.Equal(ids(page1), ids([]Record{r[0], r[2]})) {
		t.Fatalf("page 1: %v %q %v", ids(page1), next, err)
	}
	page2, next, err := s.List(ctx, acctA, users, next, 2, active...)
	if err != nil || next != "" || !slices.Equal(ids(page2), ids([]Record{r[3], r[5]})) {
		t.Fatalf("page 2: %v %q %v", ids(page2), next, err)
	}
	if _, _, err := s.List(ctx, acctA, users, "", 2, f(`a"b`, `1`)); err == nil {
		t.Error("a field with a quote was accepted in a JSON path")
	}
}

func TestListCursorSurvivesWritesBetweenPages(t *testing.T) {
	storetest.Run(t, testListCursorSurvivesWritesBetweenPages)
}

func testListCursorSurvivesWritesBetweenPages(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	var r []Record
	for i := range 10 {
		r = append(r, create(t, s, acctA, users, fmt.Sprintf(`{"r":%d}`, i), t0))
	}
	del := func(rec Record) {
		t.Helper()
		if _, err := deleteRec(s, acctA, users, rec.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	page := func(cursor string, want ...Record) string {
		t.Helper()
		got, next, err := s.List(ctx, acctA, users, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("page after %q: got %v, want %v", cursor, ids(got), ids(want))
		}
		return next
	}

	c1 := page("", r[0], r[1], r[2])
	// Behind the cursor, the cursor's own record, and ahead of it.
	del(r[1])
	del(r[2])
	del(r[4])
	n1 := create(t, s, acctA, users, `{"new":1}`, t0)
	c2 := page(c1, r[3], r[5], r[6])
	// An update does not move a record.
	if _, err := updateRec(s, acctA, users, r[3].ID, t0, nil, func(Record) ([]byte, error) { return []byte(`{"moved":false}`), nil }); err != nil {
		t.Fatal(err)
	}
	del(r[7])
	del(r[9])
	n2 := create(t, s, acctA, users, `{"new":2}`, t0)
	n3 := create(t, s, acctA, users, `{"new":3}`, t0)
	del(n3)
	// Exactly a full page is left: it is the last one.
	if c3 := page(c2, r[8], n1, n2); c3 != "" {
		t.Fatalf("the last page has a next cursor %q", c3)
	}
	// An old cursor reads the current state from its position on.
	n4 := create(t, s, acctA, users, `{"new":4}`, t0)
	c := page(c1, r[3], r[5], r[6])
	c = page(c, r[8], n1, n2)
	if c = page(c, n4); c != "" {
		t.Fatalf("next cursor %q after the last page", c)
	}
	// Deleting everything after a cursor leaves an empty last page.
	for _, rec := range []Record{r[8], n1, n2, n4} {
		del(rec)
	}
	if c = page(c2); c != "" {
		t.Fatalf("next cursor %q from an empty page", c)
	}
}

// TestListDuringConcurrentWrites pages through a resource while other
// goroutines delete some of its records and create new ones, and checks
// that nothing is returned twice, nothing deleted before a page was read
// is on it, nothing that existed throughout is skipped, records come in
// creation order, and records created during the read come at the end.
func TestListDuringConcurrentWrites(t *testing.T) { storetest.Run(t, testListDuringConcurrentWrites) }

func testListDuringConcurrentWrites(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{Synchronous: "NORMAL"})
	seed(t, s)
	const originals, inserts, limit = 150, 40, 4
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	var orig []string
	if err := write(s, func(tx Tx) error {
		for i := range originals {
			r, err := tx.CreateRecord(acctA, users, fmt.Appendf(nil, `{"i":%d}`, i), t0)
			if err != nil {
				return err
			}
			orig = append(orig, r.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	origPos := map[string]int{}
	var doomed []string
	for i, id := range orig {
		origPos[id] = i
		if i%3 == 1 {
			doomed = append(doomed, id)
		}
	}
	// Deleted in a shuffled order: some behind the cursor, some ahead.
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(doomed), func(i, j int) { doomed[i], doomed[j] = doomed[j], doomed[i] })

	var (
		mu            sync.Mutex
		deleteStarted []string // deletes begun, in order
		deleteDone    []string // deletes committed, in order
		created       []string // creates committed, in creation order
	)
	// The pager hands out ticks as it reads, so the writes are spread over
	// the whole read; once it is done, closing tick lets the rest through.
	tick := make(chan struct{}, 2)
	errs := make(chan error, len(doomed)+inserts)
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, id := range doomed {
			<-tick
			mu.Lock()
			deleteStarted = append(deleteStarted, id)
			mu.Unlock()
			if _, err := deleteRec(s, acctA, users, id, nil); err != nil {
				errs <- err
				return
			}
			mu.Lock()
			deleteDone = append(deleteDone, id)
			mu.Unlock()
		}
	})
	wg.Go(func() {
		for i := range inserts {
			<-tick
			var r Record
			if err := write(s, func(tx Tx) error {
				var err error
				r, err = tx.CreateRecord(acctA, users, fmt.Appendf(nil, `{"new":%d}`, i), t0)
				return err
			}); err != nil {
				errs <- err
				return
			}
			mu.Lock()
			created = append(created, r.ID)
			mu.Unlock()
		}
	})

	var (
		result           []string
		seen             = map[string]bool{}
		cursor           string
		nextOrig         int // originals before this index were passed by earlier pages
		createdBeforeEnd int // creates committed before the last page was read
		deletedBeforeEnd int // deletes committed before the last page was read
	)
	for pages := 1; ; pages++ {
		if pages > 2*(originals+inserts) {
			t.Fatal("paging does not end")
		}
		mu.Lock()
		deletedBefore := slices.Clone(deleteDone)
		createdBefore := len(created)
		mu.Unlock()
		recs, next, err := s.List(ctx, acctA, users, cursor, limit)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		startedAfter := slices.Clone(deleteStarted)
		mu.Unlock()
		if len(recs) > limit || (next != "" && len(recs) != limit) {
			t.Fatalf("page %d: %d records, next %q", pages, len(recs), next)
		}
		onPage := map[string]bool{}
		for _, r := range recs {
			if seen[r.ID] {
				t.Errorf("page %d: %s returned twice", pages, r.ID)
			}
			if slices.Contains(deletedBefore, r.ID) {
				t.Errorf("page %d: %s returned although it was deleted before the page was read", pages, r.ID)
			}
			seen[r.ID], onPage[r.ID] = true, true
			result = append(result, r.ID)
		}
		// The originals this page passed over: up to its last record, or
		// all the rest once it reaches past them. Each one not on the page
		// must have been deleted, its delete begun before the read ended.
		end := originals
		if next != "" {
			if p, ok := origPos[recs[len(recs)-1].ID]; ok {
				end = p + 1
			}
		}
		for _, id := range orig[nextOrig:end] {
			if !onPage[id] && !slices.Contains(startedAfter, id) {
				t.Errorf("page %d skipped %s (original %d), which existed throughout the read", pages, id, origPos[id])
			}
		}
		nextOrig = max(nextOrig, end)
		for range 2 {
			select {
			case tick <- struct{}{}:
			default:
			}
		}
		if next == "" {
			createdBeforeEnd, deletedBeforeEnd = createdBefore, len(deletedBefore)
			break
		}
		cursor = next
	}
	close(tick)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Order: originals in creation order, then the new records in theirs.
	pos := map[string]int{}
	for i, id := range orig {
		pos[id] = i
	}
	for i, id := range created {
		pos[id] = originals + i
	}
	last := -1
	for _, id := range result {
		p, ok := pos[id]
		if !ok {
			t.Fatalf("returned %s, which was never created", id)
		}
		if p <= last {
			t.Fatalf("returned out of creation order: %v", result)
		}
		last = p
	}
	for i, id := range orig {
		if i%3 != 1 && !seen[id] {
			t.Errorf("original %d (%s), never deleted, was not returned", i, id)
		}
	}
	for i, id := range created[:createdBeforeEnd] {
		if !seen[id] {
			t.Errorf("record %s, created (%d) before the last page was read, was not returned", id, i)
		}
	}
	// Once everything is done, a read sees exactly what is left.
	want := slices.DeleteFunc(slices.Clone(orig), func(id string) bool { return slices.Contains(doomed, id) })
	want = append(want, created...)
	got, _ := listAll(t, s, acctA, users, 7)
	if !slices.Equal(ids(got), want) {
		t.Fatalf("final read: %d records, want %d", len(got), len(want))
	}
	t.Logf("%d records returned; before the last page was read, %d of %d deletes and %d of %d creates had committed",
		len(result), deletedBeforeEnd, len(doomed), createdBeforeEnd, inserts)
}

func TestListBadCursor(t *testing.T) { storetest.Run(t, testListBadCursor) }

func testListBadCursor(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	for range 3 {
		create(t, s, acctA, users, `{}`, t0)
	}
	_, good, err := s.List(ctx, acctA, users, "", 1)
	if err != nil || good == "" {
		t.Fatalf("first page: %q %v", good, err)
	}
	if _, _, err := s.List(ctx, acctA, users, good, 1); err != nil {
		t.Fatalf("a cursor List issued: %v", err)
	}
	b64 := func(b ...byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	for _, c := range []string{
		"x",
		"not a cursor",
		good + "=",
		good + "!",
		"=" + good,
		base64.URLEncoding.EncodeToString([]byte("c\x05")), // padded
		b64('c'),       // no position
		b64('d', 5),    // wrong tag
		b64(0, 5),      // wrong tag
		b64('c', 0x80), // truncated varint
		b64('c', 5, 0), // trailing byte
		b64(binary.AppendUvarint([]byte{'c'}, 1<<62+1)...),                            // out of range
		b64(binary.AppendUvarint([]byte{'c'}, 1<<63)...),                              // negative as int64
		b64('c', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1), // overflows 64 bits
		strings.Repeat("A", 1000),
	} {
		recs, next, err := s.List(ctx, acctA, users, c, 10)
		if !errors.Is(err, ErrBadCursor) || recs != nil || next != "" {
			t.Errorf("List with cursor %q = %d records, %q, %v; want ErrBadCursor", c, len(recs), next, err)
		}
	}
}

// TestIdempotentETag: a saved response's ETag is replayed with it, also
// after a reopen, and a response without one replays without one.
func TestIdempotentETag(t *testing.T) { storetest.Run(t, testIdempotentETag) }

func testIdempotentETag(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, path := open(t, e, Options{})
	seed(t, s)
	calls := 0
	fn := func(tx Tx) (Saved, error) {
		calls++
		r, err := tx.CreateRecord(acctA, users, []byte(`{"name":"Ada"}`), time.Now())
		if err != nil {
			return Saved{}, err
		}
		return Saved{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"` + r.ID + `"}`),
			ETag: fmt.Sprintf(`W/"%d"`, r.Version+6)}, nil
	}
	key := &IdemKey{TenantID: "t1", Key: "etag", RequestHash: "h"}
	first, replayed, err := s.Write(ctx, key, fn)
	if err != nil || replayed || first.ETag != `W/"7"` {
		t.Fatalf("first write: %+v replayed=%v err=%v", first, replayed, err)
	}
	again, replayed, err := s.Write(ctx, key, fn)
	if err != nil || !replayed || calls != 1 || again.ETag != first.ETag || string(again.Body) != string(first.Body) {
		t.Fatalf("replay: %+v replayed=%v err=%v calls=%d; want ETag %q", again, replayed, err, calls, first.ETag)
	}
	noTag := &IdemKey{TenantID: "t1", Key: "no-etag", RequestHash: "h"}
	if _, _, err := s.Write(ctx, noTag, func(Tx) (Saved, error) { return Saved{Status: 204}, nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	after, replayed, err := s2.Write(ctx, key, fn)
	if err != nil || !replayed || calls != 1 || after.ETag != first.ETag || after.Status != 201 {
		t.Fatalf("replay after reopen: %+v replayed=%v err=%v calls=%d", after, replayed, err, calls)
	}
	if sv, replayed, err := s2.Write(ctx, noTag, fn); err != nil || !replayed || sv.ETag != "" || sv.Status != 204 {
		t.Fatalf("replay without an ETag: %+v replayed=%v err=%v", sv, replayed, err)
	}
}

// TestMigrateFromVersion1 opens a file written by the first schema and
// checks that its data is kept and the new tables and columns work.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{sqliteMigrations[0], nil},
		{"PRAGMA user_version = 1", nil},
		{`INSERT INTO tenants (id, name) VALUES ('t1', 'T')`, nil},
		{`INSERT INTO accounts (id, tenant_id, integration, name) VALUES (?, 't1', 'dixa', 'A')`, []any{acctA}},
		{`INSERT INTO users (account_id, id, record, version, created_at, updated_at) VALUES (?, 'u', X'7B7D', 1, 0, 0)`, []any{acctA}},
		{`INSERT INTO idempotency (tenant_id, key, request_hash, status, content_type, body, created_at)
		  VALUES ('t1', 'old', 'h', 201, 'application/json', X'7B7D', ?)`, []any{micros(created)}},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			db.Close()
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := OpenSQLite(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := st.(*sqliteStore)
	var v int
	if err := s.reader.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != len(sqliteMigrations) {
		t.Fatalf("user_version = %d, %v; want %d", v, err, len(sqliteMigrations))
	}
	if a, err := s.Account(ctx, "t1", acctA); err != nil || a.Integration != "dixa" {
		t.Fatalf("account after migration: %+v, %v", a, err)
	}
	setNow(s, func() time.Time { return created.Add(time.Minute) })
	sv, replayed, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: "old", RequestHash: "h"}, func(Tx) (Saved, error) {
		return Saved{}, errors.New("a saved response should have been replayed")
	})
	if err != nil || !replayed || sv.Status != 201 || string(sv.Body) != "{}" || sv.ETag != "" {
		t.Fatalf("replay of a key saved before the migration: %+v replayed=%v err=%v", sv, replayed, err)
	}
	r := create(t, s, acctA, users, `{"after":"migration"}`, created)
	if got, err := s.Record(ctx, acctA, users, r.ID); err != nil || !equalRecord(got, r) {
		t.Fatalf("record after migration: %+v, %v", got, err)
	}
	if n := count(t, s, acctA, users); n != 1 {
		t.Fatalf("Count = %d, want 1: the old users rows are not records", n)
	}
}
