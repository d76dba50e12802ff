package main

import (
	"bufio"
	"cmp"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// printResidentPages shows where the resident file pages of a running
// server come from: for each mapping of its executable, how many of its
// pages are resident (the present bit of /proc/<pid>/pagemap, readable
// without privileges) and, by the package of the symbol each page starts
// in, which packages they belong to. The kernel maps pages in by the 64
// KiB around each one touched, so a package counts if any of its code
// near the page ran.
func printResidentPages(w io.Writer, pid int, bin string) error {
	syms, err := symbols(bin)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	pagemap, err := os.Open(fmt.Sprintf("/proc/%d/pagemap", pid))
	if err != nil {
		return err
	}
	defer pagemap.Close()
	maps, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return err
	}
	defer maps.Close()
	const page = 4096
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[5] != abs {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("maps line %q", sc.Text())
		}
		entries := make([]byte, (end-start)/page*8)
		if _, err := pagemap.ReadAt(entries, int64(start/page*8)); err != nil {
			return err
		}
		by := map[string]int{}
		n := 0
		for i := range (end - start) / page {
			if binary.LittleEndian.Uint64(entries[i*8:])>>63 == 0 {
				continue
			}
			n++
			by[packageAt(syms, start+i*page)]++
		}
		fmt.Fprintf(w, "%s %s: %s of %s resident\n", f[1], f[0], mib(int64(n*page)), mib(int64(end-start)))
		type row struct {
			pkg   string
			pages int
		}
		var rows []row
		for p, c := range by {
			rows = append(rows, row{p, c})
		}
		slices.SortFunc(rows, func(a, b row) int { return cmp.Or(b.pages-a.pages, strings.Compare(a.pkg, b.pkg)) })
		for _, r := range rows[:min(len(rows), 12)] {
			fmt.Fprintf(w, "  %6d KiB  %s\n", r.pages*page/1024, r.pkg)
		}
	}
	return sc.Err()
}

type symbol struct {
	addr uint64
	name string
}

// symbols lists the executable's symbols by address.
func symbols(bin string) ([]symbol, error) {
	f, err := elf.Open(bin)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	all, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	syms := make([]symbol, 0, len(all))
	for _, s := range all {
		if s.Value != 0 {
			syms = append(syms, symbol{s.Value, s.Name})
		}
	}
	slices.SortFunc(syms, func(a, b symbol) int { return cmp.Compare(a.addr, b.addr) })
	return syms, nil
}

// packageAt names the package of the symbol that addr falls in: the import
// path up to its first dot after the last slash (github.com/x/y.F -> its
// first three elements), or the symbol's prefix for the linker's own
// (type:, go:func, runtime.pclntab).
func packageAt(syms []symbol, addr uint64) string {
	i, found := slices.BinarySearchFunc(syms, addr, func(s symbol, a uint64) int { return cmp.Compare(s.addr, a) })
	if !found {
		i--
	}
	if i < 0 {
		return "?"
	}
	name := syms[i].name
	if p, _, ok := strings.Cut(name, ":"); ok && !strings.Contains(p, "/") && !strings.Contains(p, ".") {
		return p + ":" // type:, go:
	}
	dir, base := "", name
	if j := strings.LastIndex(name, "/"); j >= 0 {
		dir, base = name[:j+1], name[j+1:]
	}
	if j := strings.Index(base, "."); j >= 0 {
		base = base[:j]
	}
	path := dir + base
	if parts := strings.Split(path, "/"); strings.Contains(parts[0], ".") && len(parts) > 3 {
		path = strings.Join(parts[:3], "/")
	}
	if path == "runtime" && strings.HasPrefix(name, "runtime.") && (strings.Contains(name, "pclntab") || strings.Contains(name, "functab") || strings.Contains(name, "filetab")) {
		return "runtime (function tables, pclntab)"
	}
	return path
}
