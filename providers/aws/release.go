package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// DefaultReleaseURL is where --aws-ami channel names are looked up:
// Flatcar's list of a channel's current AMIs, one per region.
const DefaultReleaseURL = "https://{channel}.release.flatcar-linux.net/{arch}-usr/current/flatcar_production_ami_all.json"

var channelName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// isChannel tells a channel name from a mistyped AMI ID.
func isChannel(s string) bool { return channelName.MatchString(s) && !strings.HasPrefix(s, "ami-") }

// ResolveAMI returns ami if it is an AMI ID, or the AMI the release JSON
// (AMIIndex) of channel ami lists for region: kola's --aws-ami.
func ResolveAMI(ctx context.Context, ami, region, urlTemplate, arch string) (string, error) {
	if amiID.MatchString(ami) {
		return ami, nil
	}
	if !isChannel(ami) {
		return "", fmt.Errorf("aws: --aws-ami %q is neither an AMI ID (ami- and 8 or 17 hex digits) nor a channel name", ami)
	}
	if arch == "" || arch == "amd64" {
		arch = "amd64"
	}
	url := strings.NewReplacer("{channel}", ami, "{arch}", arch).Replace(urlTemplate)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("aws: --aws-release-url %q: %w", urlTemplate, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("aws: channel %s: fetch %s: %w", ami, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("aws: channel %s: fetch %s: %s", ami, url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", fmt.Errorf("aws: channel %s: fetch %s: %w", ami, url, err)
	}
	id, err := AMIFromIndex(data, region)
	if err != nil {
		return "", fmt.Errorf("aws: channel %s: %s: %w", ami, url, err)
	}
	return id, nil
}

// AMIFromIndex is the AMI a release index (AMIIndex's JSON) lists for
// region.
func AMIFromIndex(data []byte, region string) (string, error) {
	var rel AMIIndex
	if err := json.Unmarshal(data, &rel); err != nil {
		return "", fmt.Errorf("not a release AMI list: %w", err)
	}
	for _, a := range rel.AMIs {
		if a.Name == region {
			if !amiID.MatchString(a.HVM) {
				return "", fmt.Errorf("lists %q for %s, not an AMI ID", a.HVM, region)
			}
			return a.HVM, nil
		}
	}
	return "", fmt.Errorf("has no AMI for region %s", region)
}
