package sim

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// awsChunked undoes S3's aws-chunked content encoding before gofakes3,
// which does not know it, sees the body: clients that send the newer
// x-amz-checksum-* values as trailers (minio-go with TrailingHeaders, the
// AWS SDKs' default flexible checksums) frame the body in chunks and put
// the checksum after the last one. The checksum is checked here, as S3
// does, and a mismatch refused with S3's BadDigest.
func awsChunked(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sha := r.Header.Get("X-Amz-Content-Sha256")
		if !strings.HasPrefix(sha, "STREAMING-") && !strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
			next.ServeHTTP(w, r)
			return
		}
		data, trailers, err := decodeChunks(r.Body)
		if err != nil {
			writeS3Error(w, http.StatusBadRequest, "IncompleteBody", "aws-chunked body: "+err.Error())
			return
		}
		if want := r.Header.Get("X-Amz-Decoded-Content-Length"); want != "" && want != strconv.Itoa(len(data)) {
			writeS3Error(w, http.StatusBadRequest, "IncompleteBody", fmt.Sprintf("decoded %d bytes, X-Amz-Decoded-Content-Length says %s", len(data), want))
			return
		}
		for name, value := range trailers {
			if err := checkChecksum(name, value, data); err != nil {
				writeS3Error(w, http.StatusBadRequest, "BadDigest", err.Error())
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
		r.Header.Set("Content-Length", strconv.Itoa(len(data)))
		r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		var enc []string
		for _, e := range strings.Split(r.Header.Get("Content-Encoding"), ",") {
			if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
				enc = append(enc, e)
			}
		}
		r.Header.Del("Content-Encoding")
		if len(enc) > 0 {
			r.Header.Set("Content-Encoding", strings.Join(enc, ","))
		}
		next.ServeHTTP(w, r)
	})
}

// decodeChunks reads "SIZE[;chunk-signature=…]\r\nDATA\r\n" chunks up to
// the zero-sized one, then the trailers ("name:value" lines) to an empty
// line or the end.
func decodeChunks(body io.Reader) ([]byte, map[string]string, error) {
	br := bufio.NewReader(body)
	var data bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("chunk header: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || size < 0 {
			return nil, nil, fmt.Errorf("chunk size %q", sizeHex)
		}
		if size == 0 {
			break
		}
		if _, err := io.CopyN(&data, br, size); err != nil {
			return nil, nil, fmt.Errorf("chunk of %d bytes: %w", size, err)
		}
		if crlf, err := br.ReadString('\n'); err != nil || strings.TrimRight(crlf, "\r\n") != "" {
			return nil, nil, fmt.Errorf("no CRLF after a chunk")
		}
	}
	trailers := map[string]string{}
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if name, value, ok := strings.Cut(line, ":"); ok {
			trailers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
		}
		if err != nil || line == "" {
			return data.Bytes(), trailers, nil
		}
	}
}

// checkChecksum checks a trailing x-amz-checksum-* value; other trailers
// (the trailer's own signature) pass.
func checkChecksum(name, value string, data []byte) error {
	algo, ok := strings.CutPrefix(name, "x-amz-checksum-")
	if !ok {
		return nil
	}
	var h hash.Hash
	switch algo {
	case "crc32":
		h = crc32.NewIEEE()
	case "crc32c":
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	default:
		return nil // CRC64NVME and the rest are not simulated: accepted unchecked
	}
	h.Write(data)
	sum := h.Sum(nil)
	if h32, ok := h.(hash.Hash32); ok {
		sum = binary.BigEndian.AppendUint32(nil, h32.Sum32())
	}
	if got := base64.StdEncoding.EncodeToString(sum); got != value {
		return fmt.Errorf("the %s you specified (%s) did not match what we received (%s)", name, value, got)
	}
	return nil
}

func writeS3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
}
