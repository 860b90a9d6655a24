package sim

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The resumable protocol spoken by hand, as a client other than Google's
// would: a chunk sent again after a lost answer replaces what it
// overlaps, a chunk whose length does not match its Content-Range is
// refused and nothing of it kept, and the object's hashes are those of
// the bytes finally stored.
func TestResumableUploadChunks(t *testing.T) {
	s := New(Options{})
	s.AddBucket("kola")
	srv := s.Start()
	defer srv.Close()
	send := func(method, url, contentRange, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if contentRange != "" {
			req.Header.Set("Content-Range", contentRange)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	start := send(http.MethodPost, srv.URL+"/upload/storage/v1/b/kola/o?uploadType=resumable&name=disk.tar.gz", "", `{"metadata":{"created-by":"strata"}}`)
	session := start.Header.Get("Location")
	if start.StatusCode != http.StatusOK || session == "" {
		t.Fatalf("start: %s, Location %q", start.Status, session)
	}
	steps := []struct {
		name, method, contentRange, body string
		status                           int
		rangeHeader                      string
	}{
		{"first chunk", http.MethodPut, "bytes 0-9/*", "0123456789", http.StatusPermanentRedirect, "bytes=0-9"},
		{"second chunk", http.MethodPost, "bytes 10-14/*", "abcde", http.StatusPermanentRedirect, "bytes=0-14"},
		{"second chunk again, its answer lost", http.MethodPut, "bytes 10-14/*", "ABCDE", http.StatusPermanentRedirect, "bytes=0-14"},
		{"a chunk longer than its range", http.MethodPut, "bytes 15-16/*", "xyz", http.StatusBadRequest, ""},
		{"a chunk past what arrived", http.MethodPut, "bytes 20-21/*", "zz", http.StatusBadRequest, ""},
		{"how far did it get", http.MethodPut, "bytes */*", "", http.StatusPermanentRedirect, "bytes=0-14"},
		{"last chunk", http.MethodPut, "bytes 15-19/20", "vwxyz", http.StatusOK, ""},
	}
	var final *http.Response
	for _, st := range steps {
		resp := send(st.method, session, st.contentRange, st.body)
		if resp.StatusCode != st.status {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: %s %s, want %d", st.name, resp.Status, b, st.status)
		}
		if got := resp.Header.Get("Range"); st.rangeHeader != "" && got != st.rangeHeader {
			t.Errorf("%s: Range %q, want %q", st.name, got, st.rangeHeader)
		}
		final = resp
	}
	const want = "0123456789ABCDEvwxyz"
	var obj struct {
		Size, MD5Hash, CRC32C string
	}
	if err := json.NewDecoder(final.Body).Decode(&obj); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(want))
	crc := binary.BigEndian.AppendUint32(nil, crc32.Checksum([]byte(want), crc32.MakeTable(crc32.Castagnoli)))
	if obj.Size != fmt.Sprint(len(want)) || obj.MD5Hash != base64.StdEncoding.EncodeToString(sum[:]) || obj.CRC32C != base64.StdEncoding.EncodeToString(crc) {
		t.Errorf("object %+v; want size %d and the hashes of %q", obj, len(want), want)
	}
	if got := s.Objects("kola"); len(got) != 1 || string(got[0].Data) != want || got[0].Metadata["created-by"] != "strata" {
		t.Errorf("stored %+v, want %q", got, want)
	}
	// Read back, whole and a range across what were two chunks.
	for _, tc := range []struct{ rng, want string }{{"", want}, {"bytes=8-11", "89AB"}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/kola/disk.tar.gz", nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != tc.want || resp.ContentLength != int64(len(tc.want)) {
			t.Errorf("GET range %q = %q (Content-Length %d), want %q", tc.rng, b, resp.ContentLength, tc.want)
		}
	}
}
