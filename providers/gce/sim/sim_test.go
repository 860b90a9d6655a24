package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// Lists come in pages of at most PageSize, filtered by label, and go on
// from a page token.
func TestListPagesAndFilters(t *testing.T) {
	s := New(Options{PageSize: 3})
	for i := range 7 {
		lbl := map[string]string{"created-by": "strata"}
		if i%2 == 1 {
			lbl = map[string]string{"team": "db"}
		}
		s.AddInstance(fmt.Sprintf("vm-%d", i), lbl, time.Now())
	}
	srv := s.Start()
	defer srv.Close()
	base := srv.URL + "/compute/v1/projects/strata-sim/zones/us-central1-a/instances"
	var names []string
	token := ""
	pages := 0
	for {
		code, out := getJSON(t, base+"?filter=labels.created-by+%3D+%22strata%22&maxResults=500&pageToken="+token)
		if code != 200 {
			t.Fatalf("list: %d %v", code, out)
		}
		pages++
		items, _ := out["items"].([]any)
		for _, it := range items {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		token, _ = out["nextPageToken"].(string)
		if token == "" {
			break
		}
	}
	if strings.Join(names, " ") != "vm-0 vm-2 vm-4 vm-6" || pages != 2 {
		t.Errorf("%d pages: %v", pages, names)
	}
	for filter, want := range map[string]int{
		`(labels.team = "db")`:                 200,
		`labels.team=db`:                       200,
		`name = "vm-1"`:                        400,
		`labels.team = "db" OR labels.x = "y"`: 400,
	} {
		code, out := getJSON(t, base+"?filter="+strings.NewReplacer(" ", "+", `"`, "%22", "=", "%3D", "(", "%28", ")", "%29").Replace(filter))
		if code != want {
			t.Errorf("filter %s: %d %v", filter, code, out)
		}
	}
	for path, want := range map[string]string{
		"/compute/v1/projects/other/zones/us-central1-a/instances":            "projects/other' was not found",
		"/compute/v1/projects/strata-sim/zones/europe-west1-b/instances/vm-0": "zones/europe-west1-b' was not found",
		"/compute/v1/projects/strata-sim/zones/us-central1-a/instances/vm-9":  "instances/vm-9' was not found",
		"/storage/v1/b/none/o": "bucket does not exist",
	} {
		code, out := getJSON(t, srv.URL+path)
		msg, _ := out["error"].(map[string]any)["message"].(string)
		if code != 404 || !strings.Contains(msg, want) {
			t.Errorf("%s: %d %q", path, code, msg)
		}
	}
}

// With RequireAuth only tokens from the token endpoint pass.
func TestRequireAuth(t *testing.T) {
	s := New(Options{RequireAuth: true})
	srv := s.Start()
	defer srv.Close()
	url := srv.URL + "/compute/v1/projects/strata-sim/global/networks/default"
	if code, _ := getJSON(t, url); code != 401 {
		t.Errorf("no token: %d", code)
	}
	claims := `{"iss":"a@b"}`
	jwt := "e30." + strings.TrimRight(b64(claims), "=") + ".sig"
	resp, err := http.Post(srv.URL+"/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="+jwt))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	for token, want := range map[string]int{tok.AccessToken: 200, "forged": 401} {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("token %q: %d, want %d", token, resp.StatusCode, want)
		}
	}
}

func b64(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

// No answer carries null: Google's APIs leave a field without a value
// out, and some clients refuse null where they expect a map or a list.
func TestAnswersHaveNoNulls(t *testing.T) {
	s := New(Options{})
	srv := s.Start()
	defer srv.Close()
	s.AddInstance("bare", nil, time.Now())
	s.AddImage("strata-sim", "bare-image", "", nil, time.Now())
	s.AddBucket("b")
	s.AddObject("b", "o", []byte("x"), nil, time.Now())
	base := srv.URL + "/compute/v1/projects/strata-sim"
	for _, path := range []string{
		base + "/zones/us-central1-a/instances", base + "/zones/us-central1-a/instances/bare", base + "/zones/us-central1-a/disks",
		base + "/global/images", base + "/global/images/bare-image", srv.URL + "/storage/v1/b/b/o", srv.URL + "/storage/v1/b/b/o/o",
	} {
		resp, err := http.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte("null")) {
			t.Errorf("GET %s: %s\n%s", path, resp.Status, body)
		}
	}
}
