package aws

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCredentialFiles(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct {
		name    string
		content string // "" for no file
		mode    os.FileMode
		profile string
		wantErr string
		warn    bool
	}{
		{name: "good", content: "[default]\naws_access_key_id = AKID\naws_secret_access_key = " + secret + "\n", mode: 0o600},
		{name: "missing file named by the flag", wantErr: "(--aws-credentials-file): does not exist"},
		{name: "malformed line", content: "[default]\naws_secret_access_key " + secret + "\n", mode: 0o600, wantErr: "credentials:2: not a key = value line"},
		{name: "setting before a profile", content: "aws_access_key_id = AKID\n", mode: 0o600, wantErr: "credentials:1: a setting before any [profile]"},
		{name: "profile without secret", content: "[ci]\naws_access_key_id = AKID\n", mode: 0o600, profile: "ci", wantErr: "profile [ci] has no aws_secret_access_key"},
		{name: "role profile needs no keys", content: "[ci]\nrole_arn = arn:aws:iam::1:role/x\n", mode: 0o600, profile: "ci"},
		{name: "world-readable", content: "[default]\naws_access_key_id = AKID\naws_secret_access_key = " + secret + "\n", mode: 0o644, warn: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credentials")
			if tc.content != "" {
				if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			err := checkCredentialFiles(Account{CredentialsFile: path, Profile: tc.profile}, log)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path)):
				t.Errorf("err = %v, want one naming %s and %q", err, path, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("the secret reached the error: %v", err)
			}
			if got := strings.Contains(logs.String(), "readable by other users"); got != tc.warn {
				t.Errorf("warning = %v, want %v; log: %s", got, tc.warn, logs.String())
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the secret reached the log: %s", logs.String())
			}
		})
	}
}
