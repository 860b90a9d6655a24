package register

import (
	"errors"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
)

func run(cluster.TestCluster) {}

func TestRegisterErrorsNameTheTest(t *testing.T) {
	for _, tc := range []struct {
		test Test
		want string
	}{
		{Test{Name: "no.run"}, `test "no.run": Run is nil`},
		{Test{Name: "bad name!", Run: run}, `test "bad name!": name must match`},
		{Test{Name: "", Run: run}, `test "": name must match`},
		{Test{Name: "range", Run: run, MinVersion: "3.0.0", EndVersion: "2.0.0"}, "MinVersion 3.0.0 is not below EndVersion 2.0.0"},
		{Test{Name: "range.equal", Run: run, MinVersion: "2.0.0", EndVersion: "2.0.0"}, "version range is empty"},
		{Test{Name: "badver", Run: run, MinVersion: "3033"}, `MinVersion "3033"`},
		{Test{Name: "ud", Run: run, UserData: conf.Ignition(`{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"rel"}]}}`)}, "$.storage.files.0.path"},
		{Test{Name: "flag", Run: run, Flags: []Flag{"NoSuchFlag"}}, `unknown flag "NoSuchFlag"`},
		{Test{Name: "tag", Run: run, Tags: []string{"!neg"}}, `tag "!neg"`},
		{Test{Name: "native", Run: run, NativeFuncs: map[string]NativeFunc{"f": nil}}, `native function "f" is nil`},
		{Test{Name: "both", Run: run, Platforms: []string{"qemu"}, ExcludePlatforms: []string{"qemu"}}, `"qemu" is both included and excluded`},
		{Test{Name: "size", Run: run, ClusterSize: -1}, "ClusterSize -1 is negative"},
		{Test{Name: "disk", Run: run, AdditionalDisks: []string{"1G", "lots"}}, `AdditionalDisks: disk size "lots"`},
	} {
		r := NewRegistry()
		err := r.Register(tc.test)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Register(%q) = %v, want %q", tc.test.Name, err, tc.want)
		}
		var re *Error
		if !errors.As(err, &re) || re.Test != tc.test.Name {
			t.Errorf("error %v does not carry the test name", err)
		}
		if _, ok := r.Get(tc.test.Name); ok {
			t.Errorf("invalid test %q was registered", tc.test.Name)
		}
		if r.Err() == nil {
			t.Error("Err() forgot the problem")
		}
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	for _, n := range []string{"b.two", "a.one", "c.three"} {
		if err := r.Register(Test{Name: n, Run: run, MinVersion: "1.0.0", EndVersion: "2.0.0"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Register(Test{Name: "a.one", Run: run}); err == nil || !strings.Contains(err.Error(), `"a.one": registered twice`) {
		t.Errorf("duplicate: %v", err)
	}
	var names []string
	for _, tt := range r.Tests() {
		names = append(names, tt.Name)
	}
	if strings.Join(names, " ") != "a.one b.two c.three" {
		t.Errorf("order %v", names)
	}
	tt, _ := r.Get("b.two")
	min, end := tt.VersionRange()
	if min.String() != "1.0.0" || end.String() != "2.0.0" {
		t.Errorf("range %v %v", min, end)
	}
}
