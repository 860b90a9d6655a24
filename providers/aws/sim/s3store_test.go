package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/johannesboyne/gofakes3"
)

func code(err error) gofakes3.ErrorCode {
	var e gofakes3.Error
	if errors.As(err, &e) {
		return e.ErrorCode()
	}
	return ""
}

func putPart(t *testing.T, s *s3Store, id gofakes3.UploadID, n int, data string) string {
	t.Helper()
	etag, err := s.UploadPart("bkt", "disk.raw", id, n, int64(len(data)), strings.NewReader(data))
	if err != nil {
		t.Fatalf("upload part %d: %v", n, err)
	}
	return etag
}

func read(t *testing.T, s *s3Store, key string, rng *gofakes3.ObjectRangeRequest) string {
	t.Helper()
	o, err := s.GetObject("bkt", key, rng)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer o.Contents.Close()
	b, err := io.ReadAll(o.Contents)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A multipart upload becomes the parts it is completed with, in order,
// whatever order they arrived in; a part sent again replaces the first;
// a part left out is dropped; the ETag is S3's MD5 of the MD5s, "-N".
func TestMultipartUploadMakesTheObjectOfItsParts(t *testing.T) {
	s := newS3Store()
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateMultipartUpload("bkt", "disk.raw", map[string]string{"X-Amz-Meta-Created-By": "strata"})
	if err != nil {
		t.Fatal(err)
	}
	e2 := putPart(t, s, id, 2, "second part")
	putPart(t, s, id, 1, "a first part that is sent again")
	e1 := putPart(t, s, id, 1, "first part, ")
	e3 := putPart(t, s, id, 3, "never listed")

	parts, err := s.ListParts("bkt", "disk.raw", id, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 2 || !parts.IsTruncated || parts.NextPartNumberMarker != 2 || parts.Parts[0].ETag != e1 || parts.Parts[0].Size != 12 {
		t.Errorf("first page of parts = %+v; want parts 1 and 2 (part 1 the second one sent), truncated at 2", parts)
	}
	if rest, _ := s.ListParts("bkt", "disk.raw", id, 2, 2); len(rest.Parts) != 1 || rest.Parts[0].ETag != e3 || rest.IsTruncated {
		t.Errorf("parts after 2 = %+v; want part 3 only", rest)
	}

	_, etag, err := s.CompleteMultipartUpload("bkt", "disk.raw", id, &gofakes3.CompleteMultipartUploadRequest{Parts: []gofakes3.CompletedPart{{PartNumber: 1, ETag: e1}, {PartNumber: 2, ETag: e2}}})
	if err != nil {
		t.Fatal(err)
	}
	m1, m2 := md5.Sum([]byte("first part, ")), md5.Sum([]byte("second part"))
	if want := fmt.Sprintf(`"%x-2"`, md5.Sum(append(m1[:], m2[:]...))); etag != want {
		t.Errorf("ETag %s, want %s", etag, want)
	}
	if got := read(t, s, "disk.raw", nil); got != "first part, second part" {
		t.Errorf("object holds %q", got)
	}
	if got := read(t, s, "disk.raw", &gofakes3.ObjectRangeRequest{Start: 6, End: 17}); got != "part, second" {
		t.Errorf("bytes 6-17 across the parts = %q", got)
	}
	head, err := s.HeadObject("bkt", "disk.raw")
	if err != nil || head.Size != 23 || head.Metadata["X-Amz-Meta-Created-By"] != "strata" {
		t.Errorf("head = %+v, %v; want 23 bytes with the upload's metadata", head, err)
	}
	if _, err := s.ListParts("bkt", "disk.raw", id, 0, 10); code(err) != gofakes3.ErrNoSuchUpload {
		t.Errorf("the completed upload still lists parts: %v", err)
	}
}

func TestCompleteMultipartUploadRefuses(t *testing.T) {
	s := newS3Store()
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	id, _ := s.CreateMultipartUpload("bkt", "disk.raw", nil)
	e1 := putPart(t, s, id, 1, "one")
	e2 := putPart(t, s, id, 2, "two")
	for _, tc := range []struct {
		name  string
		id    gofakes3.UploadID
		parts []gofakes3.CompletedPart
		want  gofakes3.ErrorCode
	}{
		{"parts out of order", id, []gofakes3.CompletedPart{{PartNumber: 2, ETag: e2}, {PartNumber: 1, ETag: e1}}, gofakes3.ErrInvalidPartOrder},
		{"a part twice", id, []gofakes3.CompletedPart{{PartNumber: 1, ETag: e1}, {PartNumber: 1, ETag: e1}}, gofakes3.ErrInvalidPartOrder},
		{"a part never sent", id, []gofakes3.CompletedPart{{PartNumber: 1, ETag: e1}, {PartNumber: 7, ETag: e2}}, gofakes3.ErrInvalidPart},
		{"a wrong ETag", id, []gofakes3.CompletedPart{{PartNumber: 1, ETag: e2}}, gofakes3.ErrInvalidPart},
		{"no parts", id, nil, gofakes3.ErrMalformedXML},
		{"an unknown upload", "00000000000000000099", []gofakes3.CompletedPart{{PartNumber: 1, ETag: e1}}, gofakes3.ErrNoSuchUpload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.CompleteMultipartUpload("bkt", "disk.raw", tc.id, &gofakes3.CompleteMultipartUploadRequest{Parts: tc.parts})
			if code(err) != tc.want {
				t.Errorf("complete = %v, want %s", err, tc.want)
			}
			if _, err := s.HeadObject("bkt", "disk.raw"); code(err) != gofakes3.ErrNoSuchKey {
				t.Errorf("a refused completion made the object: %v", err)
			}
		})
	}
	// Refusals leave the upload as it was: it can still be completed.
	if _, _, err := s.CompleteMultipartUpload("bkt", "disk.raw", id, &gofakes3.CompleteMultipartUploadRequest{Parts: []gofakes3.CompletedPart{{PartNumber: 1, ETag: e1}, {PartNumber: 2, ETag: e2}}}); err != nil {
		t.Errorf("complete after the refusals: %v", err)
	}
	if got := read(t, s, "disk.raw", nil); got != "onetwo" {
		t.Errorf("object holds %q", got)
	}
}

// Uploads list by key, then by when they began, a page at a time; an
// aborted one is gone, with its parts.
func TestListMultipartUploadsPages(t *testing.T) {
	s := newS3Store()
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	b1, _ := s.CreateMultipartUpload("bkt", "b.raw", nil)
	a1, _ := s.CreateMultipartUpload("bkt", "a.raw", nil)
	a2, _ := s.CreateMultipartUpload("bkt", "a.raw", nil)
	c1, _ := s.CreateMultipartUpload("bkt", "dir/c.raw", nil)
	list := func(marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) *gofakes3.ListMultipartUploadsResult {
		t.Helper()
		out, err := s.ListMultipartUploads("bkt", marker, prefix, limit)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ids := func(r *gofakes3.ListMultipartUploadsResult) []gofakes3.UploadID {
		var out []gofakes3.UploadID
		for _, u := range r.Uploads {
			out = append(out, u.UploadID)
		}
		return out
	}
	first := list(nil, gofakes3.Prefix{}, 2)
	if got := ids(first); len(got) != 2 || got[0] != a1 || got[1] != a2 || !first.IsTruncated {
		t.Fatalf("first page = %v truncated %v; want [%s %s], truncated", got, first.IsTruncated, a1, a2)
	}
	rest := list(&gofakes3.UploadListMarker{Object: first.NextKeyMarker, UploadID: first.NextUploadIDMarker}, gofakes3.Prefix{}, 2)
	if got := ids(rest); len(got) != 2 || got[0] != b1 || got[1] != c1 || rest.IsTruncated {
		t.Errorf("second page = %v truncated %v; want [%s %s], complete", got, rest.IsTruncated, b1, c1)
	}
	delim := "/"
	grouped := list(nil, gofakes3.Prefix{Delimiter: delim, HasDelimiter: true}, 10)
	if len(grouped.Uploads) != 3 || len(grouped.CommonPrefixes) != 1 || grouped.CommonPrefixes[0].Prefix != "dir/" {
		t.Errorf("with a delimiter: %d uploads, prefixes %+v; want 3 and dir/", len(grouped.Uploads), grouped.CommonPrefixes)
	}
	if _, err := s.UploadPart("bkt", "a.raw", c1, 1, 1, strings.NewReader("x")); code(err) != gofakes3.ErrNoSuchUpload {
		t.Errorf("a part sent to an upload under another key: %v, want NoSuchUpload", err)
	}
	if err := s.AbortMultipartUpload("bkt", "a.raw", a1); err != nil {
		t.Fatal(err)
	}
	if got := ids(list(nil, gofakes3.Prefix{Prefix: "a", HasPrefix: true}, 10)); len(got) != 1 || got[0] != a2 {
		t.Errorf("after the abort, uploads of a.raw = %v, want [%s]", got, a2)
	}
	if _, err := s.ListMultipartUploads("nope", nil, gofakes3.Prefix{}, 10); code(err) != gofakes3.ErrNoSuchBucket {
		t.Errorf("uploads of a missing bucket: %v", err)
	}
}

// Over the wire: a part whose Content-MD5 does not match is refused with
// BadDigest and not kept.
func TestUploadPartChecksBody(t *testing.T) {
	s3 := NewS3()
	srv := httptest.NewServer(s3)
	defer srv.Close()
	do := func(method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, body)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	do(http.MethodPut, "/bkt", nil, nil)
	id, err := s3.store.CreateMultipartUpload("bkt", "disk.raw", nil)
	if err != nil {
		t.Fatal(err)
	}
	part := "/bkt/disk.raw?partNumber=1&uploadId=" + string(id)
	other := md5.Sum([]byte("something else"))
	resp, body := do(http.MethodPut, part, strings.NewReader("part data"), map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(other[:])})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Errorf("a part with the wrong Content-MD5: %s %s", resp.Status, body)
	}
	sum := md5.Sum([]byte("part data"))
	resp, body = do(http.MethodPut, part, bytes.NewReader([]byte("part data")), map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a good part: %s %s", resp.Status, body)
	}
	parts, err := s3.store.ListParts("bkt", "disk.raw", id, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 1 || parts.Parts[0].Size != 9 || parts.Parts[0].ETag != gofakes3.FormatETag(sum[:]) {
		t.Errorf("parts = %+v; want only the good one", parts.Parts)
	}
}

// A body shorter than its Content-Length, or one that breaks off, is the
// client's IncompleteBody, not the simulator's internal error.
func TestReceiveIncompleteBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		body io.Reader
	}{
		{"short", strings.NewReader("part")},
		{"broken off", io.MultiReader(strings.NewReader("part"), iotest.ErrReader(errors.New("connection reset")))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := receive(tc.body, 9); code(err) != gofakes3.ErrIncompleteBody {
				t.Errorf("receive = %v, want IncompleteBody", err)
			}
		})
	}
}
