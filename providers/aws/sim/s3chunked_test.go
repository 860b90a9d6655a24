package sim

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// A body sent aws-chunked with a trailing checksum is stored decoded when
// the checksum holds and refused with BadDigest when it does not.
func TestAWSChunkedUploads(t *testing.T) {
	s3 := NewS3()
	srv := httptest.NewServer(s3)
	defer srv.Close()
	put := func(path, body string, decoded int) *http.Response {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
		req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decoded))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/bkt", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket: %v %v", resp, err)
	}
	crc := func(s string) string {
		return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.Checksum([]byte(s), crc32.MakeTable(crc32.Castagnoli))))
	}
	chunked := func(data, sum string) string {
		return "5\r\n" + data[:5] + "\r\n" + strconv.FormatInt(int64(len(data)-5), 16) + "\r\n" + data[5:] + "\r\n0\r\nx-amz-checksum-crc32c:" + sum + "\r\n\r\n"
	}
	const data = "hello, chunked world"
	if resp := put("/bkt/good", chunked(data, crc(data)), len(data)); resp.StatusCode != http.StatusOK {
		t.Errorf("a good chunked upload: %s", resp.Status)
	}
	if size, ok := s3.Object("bkt", "good"); !ok || size != int64(len(data)) {
		t.Errorf("stored %d bytes (%v), want the %d decoded", size, ok, len(data))
	}
	if resp := put("/bkt/bad", chunked(data, crc("something else")), len(data)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a wrong trailing checksum: %s", resp.Status)
	}
	if _, ok := s3.Object("bkt", "bad"); ok {
		t.Error("an upload with a wrong checksum was stored")
	}
	if resp := put("/bkt/cut", "5\r\nhel", 5); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a cut-off chunked body: %s", resp.Status)
	}
}
