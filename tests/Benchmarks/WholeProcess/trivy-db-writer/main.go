// trivy-db-writer writes a Trivy vulnerability database (BoltDB, the trivy.db layout) from JSON lines on standard input.
// Each line is {"buckets":["outer","inner",...],"key":"...","value":<any JSON>}: the value is stored as its JSON bytes
// under key, in the nested buckets named. The whole-process benchmark (WholeProcess/TrivyVulnDb.cs) turns the same OSV
// advisories that imagescan imports into these rows, so both tools match against the same advisories offline.
//
// Build offline with Debian's Go and bbolt: GO111MODULE=off GOPATH=/usr/share/gocode go build -o trivy-db-writer .
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

type row struct {
	Buckets []string        `json:"buckets"`
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: trivy-db-writer DB-FILE < rows.jsonl")
		os.Exit(2)
	}
	db, err := bolt.Open(os.Args[1], 0o644, nil)
	if err != nil {
		fail("opening %s: %v", os.Args[1], err)
	}
	rows := 0
	err = db.Update(func(tx *bolt.Tx) error {
		scanner := bufio.NewScanner(os.Stdin)
		scanner.Buffer(make([]byte, 1<<20), 64<<20)
		for scanner.Scan() {
			var r row
			if err := json.Unmarshal(scanner.Bytes(), &r); err != nil {
				return fmt.Errorf("row %d: %w", rows+1, err)
			}
			if len(r.Buckets) == 0 {
				return fmt.Errorf("row %d names no bucket", rows+1)
			}
			bucket, err := tx.CreateBucketIfNotExists([]byte(r.Buckets[0]))
			if err != nil {
				return err
			}
			for _, name := range r.Buckets[1:] {
				if bucket, err = bucket.CreateBucketIfNotExists([]byte(name)); err != nil {
					return err
				}
			}
			if err := bucket.Put([]byte(r.Key), r.Value); err != nil {
				return err
			}
			rows++
		}
		return scanner.Err()
	})
	if err != nil {
		fail("writing %s: %v", os.Args[1], err)
	}
	if err := db.Close(); err != nil {
		fail("closing %s: %v", os.Args[1], err)
	}
	fmt.Printf("%d rows\n", rows)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "trivy-db-writer: "+format+"\n", args...)
	os.Exit(1)
}
