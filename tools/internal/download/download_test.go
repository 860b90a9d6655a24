package download

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// newKey makes a signing key in the test and returns it with its armored
// public half.
func newKey(t *testing.T, name string) (*openpgp.Entity, []byte) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", name+"@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return e, pub.Bytes()
}

func sign(t *testing.T, e *openpgp.Entity, data []byte) []byte {
	t.Helper()
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return sig.Bytes()
}

// server serves files with Range and If-Range (http.ServeContent) and a
// strong ETag; cut, when set, makes the next answer of a file stop after
// that many bytes, as a dropped connection does.
type server struct {
	mu    sync.Mutex
	files map[string][]byte
	cut   map[string]int
	gets  []string // Range headers asked
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.files[r.URL.Path]
	cut, cutting := s.cut[r.URL.Path]
	delete(s.cut, r.URL.Path)
	s.gets = append(s.gets, r.URL.Path+" "+r.Header.Get("Range"))
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	if cutting {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:cut])
		panic(http.ErrAbortHandler) // the connection drops
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

func start(t *testing.T, files map[string][]byte) (*server, string) {
	t.Helper()
	s := &server{files: files, cut: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func TestSignatures(t *testing.T) {
	release, releasePub := newKey(t, "release")
	_, otherPub := newKey(t, "other")
	image := make([]byte, 256<<10)
	rand.Read(image)
	tampered := append([]byte(nil), image...)
	tampered[1000] ^= 1
	_, url := start(t, map[string][]byte{
		"/good.img": image, "/good.img.sig": sign(t, release, image),
		"/tampered.img": tampered, "/tampered.img.sig": sign(t, release, image),
	})
	ctx := context.Background()
	for _, tc := range []struct {
		name, file string
		key        []byte
		want       string // in the error; "" passes
	}{
		{"good signature", "good.img", releasePub, ""},
		{"another key", "good.img", otherPub, "signed with a key not in the keyring"},
		{"tampered file", "tampered.img", releasePub, "bad signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			res, err := File(ctx, url+"/"+tc.file, path, Options{Keyring: tc.key})
			if tc.want == "" {
				if err != nil || res.Signer != "release <release@example.org>" || res.Size != int64(len(image)) {
					t.Fatalf("%+v, %v", res, err)
				}
				if got, _ := os.ReadFile(path); !bytes.Equal(got, image) {
					t.Error("the file is not what was served")
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want a VerifyError with %q", err, tc.want)
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*"))
			if len(left) != 0 {
				t.Errorf("files left after a failed verification: %v", left)
			}
		})
	}
	if _, err := File(ctx, url+"/good.img", filepath.Join(t.TempDir(), "x"), Options{Keyring: []byte("not a key")}); err == nil || !strings.Contains(err.Error(), "verification key") {
		t.Errorf("a key file that is no key: %v", err)
	}
	if _, err := File(ctx, url+"/good.img", filepath.Join(t.TempDir(), "x"), Options{}); err == nil || !strings.Contains(err.Error(), "nothing to verify it with") {
		t.Errorf("no key and no digest: %v", err)
	}
}

// A download cut short leaves NAME.part and no NAME; run again it asks
// only for the rest (Range) and ends whole and verified. A wrong digest
// leaves nothing; a file that changed on the server starts over.
func TestResumeAndDigest(t *testing.T) {
	image := make([]byte, 1<<20)
	rand.Read(image)
	sum := sha256.Sum256(image)
	digest := hex.EncodeToString(sum[:])
	s, url := start(t, map[string][]byte{"/disk.img": image})
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "disk.img")

	s.cut["/disk.img"] = 300 << 10
	if _, err := File(ctx, url+"/disk.img", path, Options{SHA256: digest}); err == nil || !strings.Contains(err.Error(), "cut short; run it again to resume") {
		t.Fatalf("cut download: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s exists after a cut download", path)
	}
	if fi, err := os.Stat(path + ".part"); err != nil || fi.Size() != 300<<10 {
		t.Fatalf("part after the cut: %v, %v", fi, err)
	}
	var last int64
	res, err := File(ctx, url+"/disk.img", path, Options{SHA256: digest, Progress: func(done, total int64) {
		if total != int64(len(image)) {
			t.Errorf("progress total %d", total)
		}
		last = done
	}})
	if err != nil || res.Resumed != 300<<10 || res.SHA256 != digest || last != int64(len(image)) {
		t.Fatalf("resumed: %+v, %v (progress ended at %d)", res, err, last)
	}
	if got := s.gets[len(s.gets)-1]; got != "/disk.img bytes=307200-" {
		t.Errorf("the resume asked %q", got)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, image) {
		t.Error("the resumed file differs from the served one")
	}
	if left, _ := filepath.Glob(path + ".*"); len(left) != 0 {
		t.Errorf("left beside the file: %v", left)
	}

	// The server's file changed between the cut and the resume.
	path2 := filepath.Join(dir, "changed.img")
	s.cut["/disk.img"] = 100 << 10
	File(ctx, url+"/disk.img", path2, Options{SHA256: digest})
	newImage := append([]byte(nil), image...)
	newImage[0] ^= 0xff
	s.mu.Lock()
	s.files["/disk.img"] = newImage
	s.mu.Unlock()
	newSum := sha256.Sum256(newImage)
	res, err = File(ctx, url+"/disk.img", path2, Options{SHA256: hex.EncodeToString(newSum[:])})
	if err != nil || res.Resumed != 0 {
		t.Errorf("after the file changed: %+v, %v (want it fetched whole)", res, err)
	}

	path3 := filepath.Join(dir, "wrong.img")
	_, err = File(ctx, url+"/disk.img", path3, Options{SHA256: digest})
	var ve *VerifyError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "SHA-256 is") {
		t.Errorf("a wrong digest: %v", err)
	}
	if left, _ := filepath.Glob(path3 + "*"); len(left) != 0 {
		t.Errorf("left after a wrong digest: %v", left)
	}
	if _, err := File(ctx, url+"/none.img", filepath.Join(dir, "none"), Options{SHA256: digest}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := File(ctx, url+"/disk.img", filepath.Join(dir, "x"), Options{SHA256: "abc"}); err == nil || !strings.Contains(err.Error(), "want 64 hex digits") {
		t.Errorf("a malformed digest: %v", err)
	}
}
